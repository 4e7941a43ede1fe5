package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.LocalAccess;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.LogCapture;
import io.eitrelay.testing.RelayTestBed;
import io.eitrelay.testing.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local access control on a client-mode listener: the kernel NFS client connects from a privileged
 * port or as root; another local user must not reach the server with the mount's TLS identity. Other
 * users are real: perl's IO::Socket run under setpriv as nobody (65534), with and without the
 * capability to bind a privileged source port.
 */
class LocalAccessTest {
    private static final int NOBODY = 65534;
    private static final String CLIENT = "use IO::Socket::INET; my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',"
            + " PeerPort => $ARGV[0], LocalPort => $ARGV[1], Timeout => 5) or die \"connect: $!\\n\";"
            + " $s->autoflush(1); print $s \"ping\\n\"; my $line = <$s>; print defined $line ? \"got $line\" : \"eof\\n\";";

    @TempDir
    Path dir;
    RelayTestBed bed;
    EchoServer echo;
    LogCapture logs;

    @BeforeEach
    void setUp() throws Exception {
        bed = new RelayTestBed();
        echo = bed.echo();
        logs = bed.logs();
    }

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    @Test
    void privilegedPolicyAdmitsRootAndPrivilegedPortsAndRefusesOtherUsers() throws Exception {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        Relay client = clientRelay(LocalAccess.PRIVILEGED, registry);
        int port = client.endpoints().get(0).boundAddress().getPort();
        // Root (this JVM) from an ephemeral port: admitted by its uid.
        assertEquals("ping", roundTripAsRoot(port));
        // nobody from an ephemeral port: refused before a byte is relayed, logged with its uid, counted.
        assertEquals("eof", perlAs(NOBODY, false, port, 0));
        assertTrue(Eventually.within(5_000, () -> String.join("\n", logs.lines()).contains("owned by uid " + NOBODY)), String.join("\n", logs.lines()));
        assertEquals(1, client.endpoints().get(0).stats().refused());
        assertEquals(1, registry.get(io.eitrelay.core.metrics.MeterNames.CONNECTIONS_REFUSED).counter().count());
        // nobody allowed to bind a privileged port (as the kernel client's resvport): admitted by its port.
        assertEquals("got ping", perlAs(NOBODY, true, port, freePrivilegedPort()));
        assertEquals(1, client.endpoints().get(0).stats().refused());
        assertEquals("ping", roundTripAsRoot(port), "the listener keeps serving after a refusal");
    }

    @Test
    void anyPolicyAdmitsOtherUsers() throws Exception {
        Relay client = clientRelay(LocalAccess.ANY, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        assertEquals("got ping", perlAs(NOBODY, false, client.endpoints().get(0).boundAddress().getPort(), 0));
        assertEquals(0, client.endpoints().get(0).stats().refused());
    }

    private Relay clientRelay(LocalAccess access, io.micrometer.core.instrument.MeterRegistry registry) throws Exception {
        TestPki pki = new TestPki(dir);
        Relay server = Relay.start(Configs.relay(Configs.server(echo.port(), pki.server()), TransportChoice.AUTO,
                ProviderChoice.AUTO));
        bed.track(server);
        EndpointConfig client = Configs.client(server.endpoints().get(0).boundAddress().getPort(), pki.caFile());
        Relay relay = Relay.start(Configs.relay(client.withSocket(client.socket().withLocalAccess(access)),
                TransportChoice.AUTO, ProviderChoice.AUTO), registry);
        bed.track(relay);
        return relay;
    }

    private static String roundTripAsRoot(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            byte[] back = s.getInputStream().readNBytes(4);
            return new String(back, StandardCharsets.US_ASCII);
        }
    }

    /** Runs the perl client as {@code uid}; {@code bindCapability}: may bind ports below 1024. */
    private static String perlAs(int uid, boolean bindCapability, int port, int localPort) throws Exception {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups"));
        if (bindCapability) {
            command.addAll(List.of("--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service"));
        }
        command.addAll(List.of("perl", "-e", CLIENT, Integer.toString(port), Integer.toString(localPort)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "perl client did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static int freePrivilegedPort() throws IOException {
        for (int port = 1023; port >= 600; port--) {
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return probe.getLocalPort();
            } catch (IOException taken) {
                continue;
            }
        }
        throw new IOException("no free port in 600..1023");
    }
}
