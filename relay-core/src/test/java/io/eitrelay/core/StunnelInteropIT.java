package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.config.TlsVersion;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.ExternalProcess;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Interop with Debian's stunnel4 on the other end of the tunnel, both directions, TLS 1.2 and 1.3. */
class StunnelInteropIT {
    @TempDir
    Path dir;
    TestPki pki;
    EchoServer echo;
    Relay relay;
    ExternalProcess stunnel;
    String stunnelBinary;

    @BeforeEach
    void setUp() throws Exception {
        stunnelBinary = ExternalProcess.require("stunnel4", "stunnel4");
        pki = new TestPki(dir);
        echo = new EchoServer();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (stunnel != null) {
            stunnel.close();
        }
        if (relay != null) {
            relay.stop(Duration.ZERO);
        }
        echo.close();
    }

    private ExternalProcess startStunnel(String config, int port) throws Exception {
        Path file = Files.writeString(dir.resolve("stunnel.conf"), config);
        stunnel = ExternalProcess.start(List.of(stunnelBinary, file.toString()), dir.resolve("stunnel.out"));
        stunnel.awaitListening(port, 10_000);
        return stunnel;
    }

    @ParameterizedTest(name = "{0} via {1}")
    @CsvSource({"TLSv1.2, OPENSSL", "TLSv1.3, OPENSSL", "TLSv1.2, JDK", "TLSv1.3, JDK"})
    void relayClientToStunnelServer(String version, ProviderChoice provider) throws Exception {
        KeyPairFiles server = pki.server();
        int stunnelPort = ExternalProcess.freePort();
        startStunnel(String.join("\n",
                "foreground = yes", "pid =", "debug = info",
                "[nfs]",
                "accept = 127.0.0.1:" + stunnelPort,
                "connect = 127.0.0.1:" + echo.port(),
                "cert = " + server.certificateChain(),
                "key = " + server.privateKey(),
                "sslVersion = " + version), stunnelPort);
        relay = Relay.start(Configs.relay(Configs.client(stunnelPort, pki.caFile()), TransportChoice.AUTO, provider));
        byte[] data = Transfer.random(1 << 20, 11);
        int port = relay.endpoints().get(0).boundAddress().getPort();
        assertArrayEquals(data, Transfer.exchange(port, data, List.of(65536, 100, 16385), 60));
        assertEquals(version, relay.endpoints().get(0).stats().lastTlsProtocol());
    }

    @ParameterizedTest(name = "{0} via {1}")
    @CsvSource({"TLSv1.2, OPENSSL", "TLSv1.3, OPENSSL", "TLSv1.2, JDK", "TLSv1.3, JDK"})
    void stunnelClientToRelayServer(String version, ProviderChoice provider) throws Exception {
        EndpointConfig server = Configs.server(echo.port(), pki.server());
        TlsVersion pinned = version.equals("TLSv1.2") ? TlsVersion.TLS_1_2 : TlsVersion.TLS_1_3;
        server = server.withTls(server.tls().withVersions(EnumSet.of(pinned)));
        relay = Relay.start(Configs.relay(server, TransportChoice.AUTO, provider));
        int stunnelPort = ExternalProcess.freePort();
        startStunnel(String.join("\n",
                "foreground = yes", "pid =", "debug = info",
                "client = yes",
                "[nfs]",
                "accept = 127.0.0.1:" + stunnelPort,
                "connect = 127.0.0.1:" + relay.endpoints().get(0).boundAddress().getPort(),
                "verifyChain = yes",
                "CAfile = " + pki.caFile(),
                "checkHost = " + TestPki.SERVER_NAME,
                "sslVersion = " + version), stunnelPort);
        byte[] data = Transfer.random(1 << 20, 12);
        assertArrayEquals(data, Transfer.exchange(stunnelPort, data, List.of(65536, 7, 16384), 60));
        assertEquals(version, relay.endpoints().get(0).stats().lastTlsProtocol());
        assertTrue(stunnel.output().contains("Certificate accepted at depth=0: CN=" + TestPki.SERVER_NAME), stunnel.output());
    }
}
