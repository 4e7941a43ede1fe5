package io.eitrelay.cli.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What {@code eit-relay mount -o ...} makes of its options, and what mount.nfs is given. */
class MountOptionsTest {
    @Test
    void ourOptionsAreTakenOutAndTheRestGoesToMountNfsAsWritten() {
        MountOptions options = MountOptions.parse(List.of("rw,hard,timeo=600,tls,tls_version=1.3,cafile=ca.pem",
                "checkhost=fs.example.com,port_scheme=alinas,nfsvers=4.2"));
        assertTrue(options.tls());
        assertEquals("4.2", options.version());
        assertEquals("1.3", options.tlsVersion());
        assertEquals("ca.pem", options.caFile());
        assertEquals("fs.example.com", options.checkHost());
        assertEquals(PortScheme.ALINAS, options.scheme());
        assertEquals(2049, options.serverPort());
        assertEquals("rw,hard,timeo=600,vers=4.2,port=20100", options.throughRelay(20100, 20100));
    }

    @Test
    void defaultsAreTlsNfs41AndTheEfsScheme() {
        MountOptions options = MountOptions.parse(List.of());
        assertTrue(options.tls());
        assertEquals("4.1", options.version());
        assertEquals(PortScheme.EFS, options.scheme());
        assertFalse(options.separateMountEndpoint());
    }

    @Test
    void nfs3GoesOverTcpWithoutLocksAndMountThroughItsOwnEndpointWhenTheServerHasItElsewhere() {
        MountOptions sameport = MountOptions.parse(List.of("vers=3"));
        assertFalse(sameport.separateMountEndpoint());
        assertEquals("vers=3,port=20200,mountport=20200,proto=tcp,mountproto=tcp,nolock", sameport.throughRelay(20200, 20200));
        MountOptions apart = MountOptions.parse(List.of("vers=3,port=3049,mountport=20048,nolock,proto=tcp"));
        assertTrue(apart.separateMountEndpoint());
        assertEquals(3049, apart.serverPort());
        assertEquals(20048, apart.serverMountPort());
        assertEquals("nolock,proto=tcp,vers=3,port=20300,mountport=20301,mountproto=tcp", apart.throughRelay(20300, 20301));
    }

    @Test
    void notlsMountsTheServerDirectlyWithItsOwnPorts() {
        MountOptions options = MountOptions.parse(List.of("notls,vers=3,port=3049,mountport=20048,ro"));
        assertFalse(options.tls());
        assertEquals("ro,port=3049,mountport=20048,vers=3", options.direct());
    }

    @Test
    void badOptionsAreRefusedNamingTheOptionAndValue() {
        assertRefused("tls,notls", "both tls and notls");
        assertRefused("vers=5", "vers=5: expected one of 3, 4, 4.0, 4.1, 4.2");
        assertRefused("tls_version=1.1", "tls_version=1.1: expected 1.2 or 1.3");
        assertRefused("port_scheme=aws", "port_scheme=aws: expected efs or alinas");
        assertRefused("port=0", "port=0: expected the server's port");
        assertRefused("port=http", "port=http");
        assertRefused("cafile=", "cafile= needs a value");
        assertRefused("tls=yes", "tls=yes: takes no value");
        assertRefused("vers=4.1,nfsvers=3", "nfsvers=3 contradicts vers=4.1");
        assertRefused("mountport=20048", "NFSv4 has no MOUNT service");
        assertRefused("notls,cafile=ca.pem", "cafile=ca.pem needs tls");
        assertRefused("proto=udp", "proto=udp: the TLS relay carries TCP only");
        assertRefused("addr=10.0.0.1", "addr=10.0.0.1: the relay chooses");
        assertRefused("vers=3,lock", "lock: NFSv3 locking (NLM)");
        assertRefused("rw,,hard", "empty option");
        assertRefused("rw,a b", "control character");
    }

    @Test
    void theExportIsServerColonPath() {
        assertEquals(new MountSpec("fs-1.example.com", "/"), MountSpec.parse("fs-1.example.com:/"));
        assertEquals(new MountSpec("fd00::1", "/export/a"), MountSpec.parse("[fd00::1]:/export/a"));
        assertEquals("127.0.1.1:/export/a", MountSpec.parse("[fd00::1]:/export/a").on("127.0.1.1"));
        assertEquals("[fd00::1]:2049", MountSpec.parse("[fd00::1]:/x").target(2049));
        for (String bad : List.of("server", "server:export", ":/x", "[fd00::1]/x", "a b:/x")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MountSpec.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "': expected SERVER:/PATH"), e.getMessage());
        }
    }

    @Test
    void theSchemesOfferTheHelpersAddressesEachOnce() {
        List<InetSocketAddress> efs = PortScheme.EFS.candidates(123);
        assertEquals(1000, efs.size());
        assertEquals(20049 + 123, efs.get(0).getPort());
        Set<Integer> ports = new HashSet<>();
        efs.forEach(a -> {
            assertEquals("127.0.0.1", a.getAddress().getHostAddress());
            ports.add(a.getPort());
        });
        assertEquals(1000, ports.size());
        assertTrue(ports.stream().allMatch(p -> p >= 20049 && p <= 21048));
        assertFalse(PortScheme.EFS.mountCandidates(efs.get(0)).contains(efs.get(0)), "MOUNT never on the NFS port");
        List<InetSocketAddress> alinas = PortScheme.ALINAS.candidates(0);
        assertEquals(255 * 254, alinas.size());
        assertEquals("127.0.1.1", alinas.get(0).getAddress().getHostAddress());
        assertEquals("127.0.255.254", alinas.get(alinas.size() - 1).getAddress().getHostAddress());
        assertTrue(alinas.stream().allMatch(a -> a.getPort() == 12049));
        assertEquals(List.of(new InetSocketAddress(alinas.get(7).getAddress(), 12050)),
                PortScheme.ALINAS.mountCandidates(alinas.get(7)));
    }

    private static void assertRefused(String options, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MountOptions.parse(List.of(options)),
                options);
        assertTrue(e.getMessage().contains(reason), "expected '" + reason + "' in: " + e.getMessage());
    }
}
