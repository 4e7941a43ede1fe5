package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.config.TlsVersion;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.ExternalProcess;
import io.eitrelay.testing.TestPki;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TLS session resumption, as users of nconnect mounts ask for it: a mount's second and later
 * connections, and every reconnect, resume the session of the first instead of a full handshake. Told
 * by the openssl tool on the other end: {@code s_server -www} reports "New" or "Reused" per connection,
 * {@code s_client -sess_in} reports whether the session it saved was resumed.
 */
class TlsResumptionIT {
    private static final String HTTP_GET = "GET / HTTP/1.0\r\n\r\n";

    @TempDir
    Path dir;
    TestPki pki;
    String openssl;
    final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() {
        openssl = ExternalProcess.require("openssl", "openssl");
        pki = new TestPki(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @ParameterizedTest(name = "{0} via {1}")
    @CsvSource({"-tls1_2, OPENSSL", "-tls1_3, OPENSSL", "-tls1_2, JDK", "-tls1_3, JDK"})
    void aClientEndpointResumesItsSessionOnItsNextConnections(String version, ProviderChoice provider) throws Exception {
        int port = ExternalProcess.freePort();
        KeyPairFiles server = pki.server();
        ExternalProcess sServer = track(ExternalProcess.start(List.of(openssl, "s_server", "-accept", "127.0.0.1:" + port,
                "-cert", server.certificateChain().toString(), "-key", server.privateKey().toString(), version, "-www"),
                dir.resolve("s_server.out")));
        assertTrue(sServer.awaitOutput("ACCEPT", 10_000), sServer.output());
        Relay relay = relay(Configs.client(port, pki.caFile()), provider);
        List<String> handshakes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            handshakes.add(handshakeOf(statusPage(relay.endpoints().get(0).boundAddress().getPort())));
        }
        assertEquals(List.of("New", "Reused", "Reused"), handshakes, sServer.output());
        // The relay tells them apart too (status, the sessions meter's resumed tag), where BoringSSL says.
        EndpointStats stats = relay.endpoints().get(0).stats();
        assertTrue(Eventually.within(5_000, () -> stats.tlsSessions() == 3), "sessions: " + stats.tlsSessions());
        assertResumed(provider, 2, 3, stats);
    }

    @ParameterizedTest(name = "{0} via {1}")
    @CsvSource({"TLS_1_2, OPENSSL", "TLS_1_3, OPENSSL", "TLS_1_2, JDK", "TLS_1_3, JDK"})
    void aServerEndpointLetsClientsResumeTheirSession(TlsVersion version, ProviderChoice provider) throws Exception {
        EchoServer echo = track(new EchoServer());
        EndpointConfig endpoint = Configs.server(echo.port(), pki.server());
        Relay relay = relay(endpoint.withTls(endpoint.tls().withVersions(EnumSet.of(version))), provider);
        int port = relay.endpoints().get(0).boundAddress().getPort();
        Path session = dir.resolve("session.pem");

        ExternalProcess first = sClient(port, "first", List.of("-sess_out", session.toString()));
        // TLS 1.3 tickets come after the handshake (RFC 8446 §4.6.1); s_client saves the session on one.
        assertTrue(Eventually.within(10_000, () -> Files.exists(session)), "no session to resume: " + first.output());
        first.close();
        EndpointStats stats = relay.endpoints().get(0).stats();
        assertResumed(provider, 0, 1, stats);
        ExternalProcess second = sClient(port, "second", List.of("-sess_in", session.toString()));
        assertTrue(second.output().contains("Reused, " + version.protocolName()), second.output());
        assertEquals(2, stats.tlsSessions());
        assertResumed(provider, 1, 2, stats);
    }

    /** BoringSSL tells which handshakes resumed; the JDK's engine does not, and the relay says so. */
    private static void assertResumed(ProviderChoice provider, long resumed, long sessions, EndpointStats stats) {
        boolean tells = provider == ProviderChoice.OPENSSL;
        assertEquals(tells ? resumed : 0, stats.tlsResumed(), "resumed");
        assertEquals(tells ? 0 : sessions, stats.tlsResumptionUnknown(), "not known");
    }

    /** s_client through a line echoed by the target (so the connection is in use), left running. */
    private ExternalProcess sClient(int port, String name, List<String> extra) throws Exception {
        List<String> command = new ArrayList<>(List.of(openssl, "s_client", "-connect", "127.0.0.1:" + port,
                "-CAfile", pki.caFile().toString(), "-verify_return_error", "-ign_eof"));
        command.addAll(extra);
        ExternalProcess client = track(ExternalProcess.start(command, dir.resolve(name + ".out")));
        OutputStream stdin = client.process().getOutputStream();
        stdin.write(("echo " + name + "\n").getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
        assertTrue(client.awaitOutput("echo " + name, 10_000), client.output());
        return client;
    }

    /**
     * The page s_server -www serves, fetched through the relay's client endpoint (it closes after it). In
     * about one run of this class in eight, one of the relay's connects to s_server fails while it is being
     * made (the socket reads ENOTCONN before the connect completes; s_server serves one connection at a
     * time and closes each first; the cause on its side was not found), and the relay rightly passes that
     * on as a reset. No handshake is involved: at most two more tries.
     */
    private static String statusPage(int port) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(HTTP_GET.getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            } catch (java.net.SocketException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** "New" or "Reused": the first word of the page's line "New, TLSv1.3, Cipher is ...". */
    private static String handshakeOf(String page) {
        return page.lines().filter(l -> l.startsWith("New, ") || l.startsWith("Reused, ")).map(l -> l.split(",")[0])
                .findFirst().orElse("no handshake line in: " + page);
    }

    private Relay relay(EndpointConfig endpoint, ProviderChoice provider) throws Exception {
        Relay relay = Relay.start(Configs.relay(endpoint, TransportChoice.AUTO, provider));
        track(() -> relay.stop(Duration.ZERO));
        return relay;
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }
}
