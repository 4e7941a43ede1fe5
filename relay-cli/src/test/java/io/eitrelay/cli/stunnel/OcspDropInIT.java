package io.eitrelay.cli.stunnel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.Relay;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.ExternalProcess;
import io.eitrelay.testing.OcspResponder;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The corpus file efs-utils writes with {@code OCSPaia = yes}, run unchanged but for its paths by the
 * drop-in and by Debian's stunnel4 side by side, against a server certificate whose AIA names a real
 * responder on loopback: both pass data when the answer is good and both refuse the revoked
 * certificate, so OCSPaia means here what it means to stunnel.
 */
class OcspDropInIT {
    @TempDir
    Path dir;
    TestPki pki;
    EchoServer echo;
    OcspResponder responder;
    Relay server;
    Process process;

    @BeforeEach
    void setUp() throws Exception {
        pki = new TestPki(dir);
        echo = new EchoServer();
        responder = new OcspResponder(pki.ca().certificate(), pki.ca().privateKey());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.stop(Duration.ZERO);
        }
        responder.close();
        echo.close();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"drop-in, GOOD", "drop-in, REVOKED", "stunnel4, GOOD", "stunnel4, REVOKED"})
    void efsUtilsOcspConfigAcceptsGoodAndRefusesRevoked(String tool, OcspResponder.Answer answer) throws Exception {
        KeyPairFiles serverCert = pki.issue(TestPki.SERVER_NAME, r -> r.dns(TestPki.SERVER_NAME).ocspResponder(responder.url()));
        responder.answer(TestPki.read(serverCert.certificateChain()), answer);
        server = Relay.start(Configs.relay(Configs.server(echo.port(), serverCert), TransportChoice.AUTO, ProviderChoice.AUTO));
        int port = ExternalProcess.freePort();
        KeyPairFiles client = pki.issue("efs-client", r -> r);
        Path log = dir.resolve("tunnel.log");
        Path config = Files.writeString(dir.resolve("ocsp.conf"), CorpusConfig.substitute("efs-utils-ocsp-debug.conf", Map.of(
                "pid", dir.resolve("tunnel.pid").toString(), "output", log.toString(), "accept", "127.0.0.1:" + port,
                "connect", "127.0.0.1:" + server.endpoints().get(0).boundAddress().getPort(),
                "CAfile", pki.caFile().toString(), "cert", client.certificateChain().toString(),
                "key", client.privateKey().toString(), "checkHost", TestPki.SERVER_NAME)));
        String command = tool.equals("stunnel4") ? ExternalProcess.require("stunnel4", "stunnel4") : StunnelModeIT.STUNNEL.toString();
        process = new ProcessBuilder(command, config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("tunnel.out").toFile()).start();
        assertTrue(Eventually.within(20_000, () -> Files.exists(dir.resolve("tunnel.pid"))), "started: " + StunnelModeIT.read(dir.resolve("tunnel.out")));
        byte[] data = Transfer.rpcRecords(64 * 1024, 5);
        if (answer == OcspResponder.Answer.GOOD) {
            assertArrayEquals(data, Transfer.exchange(port, data, List.of(8192), 60), StunnelModeIT.read(log));
        } else {
            assertClosedWithoutData(port, data);
            assertTrue(Eventually.within(10_000, () -> StunnelModeIT.read(log).toLowerCase(java.util.Locale.ROOT).contains("revoked")),
                    "the log says the certificate is revoked: " + StunnelModeIT.read(log));
        }
        assertEquals(1, responder.queries(), "the responder named in the certificate was asked once");
    }

    static void assertClosedWithoutData(int port, byte[] data) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(data);
            InputStream in = socket.getInputStream();
            try {
                assertEquals(-1, in.read(), "a refused server must not get a reply through");
            } catch (SocketException reset) {
                // Told by a reset: also refused.
            }
        }
    }
}
