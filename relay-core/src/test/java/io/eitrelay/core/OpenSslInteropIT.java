package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.CipherSuite;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.config.TlsVersion;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.ExternalProcess;
import io.eitrelay.testing.LogCapture;
import io.eitrelay.testing.TestPki;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Interop with the openssl command line tool: {@code s_server} behind a relay client, {@code s_client}
 * in front of a relay server; and the TLS policy against servers that only speak what we refuse.
 */
class OpenSslInteropIT {
    @TempDir
    Path dir;
    TestPki pki;
    String openssl;
    final List<AutoCloseable> closeables = new ArrayList<>();
    LogCapture logs;

    @BeforeEach
    void setUp() {
        openssl = ExternalProcess.require("openssl", "openssl");
        pki = new TestPki(dir);
        logs = new LogCapture();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        logs.close();
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private Relay relay(EndpointConfig endpoint, ProviderChoice provider) throws Exception {
        Relay relay = Relay.start(Configs.relay(endpoint, TransportChoice.AUTO, provider));
        track(() -> relay.stop(Duration.ZERO));
        return relay;
    }

    private ExternalProcess sServer(int port, List<String> extra) throws Exception {
        KeyPairFiles server = pki.server();
        List<String> command = new ArrayList<>(List.of(openssl, "s_server", "-accept", "127.0.0.1:" + port,
                "-cert", server.certificateChain().toString(), "-key", server.privateKey().toString()));
        command.addAll(extra);
        ExternalProcess process = track(ExternalProcess.start(command, dir.resolve("s_server-" + port + ".out")));
        process.awaitOutput("ACCEPT", 10_000);
        return process;
    }

    @ParameterizedTest(name = "{0} via {1}")
    @CsvSource({"-tls1_2, TLSv1.2, OPENSSL", "-tls1_3, TLSv1.3, OPENSSL", "-tls1_2, TLSv1.2, JDK", "-tls1_3, TLSv1.3, JDK"})
    void relayClientToOpensslServer(String flag, String version, ProviderChoice provider) throws Exception {
        int port = ExternalProcess.freePort();
        ExternalProcess server = sServer(port, List.of(flag, "-rev"));
        Relay relay = relay(Configs.client(port, pki.caFile()), provider);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.endpoints().get(0).boundAddress().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("hello nfs\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            // s_server -rev answers each line reversed: proof the bytes crossed TLS both ways.
            assertEquals("sfn olleh", in.readLine());
        }
        assertEquals(version, relay.endpoints().get(0).stats().lastTlsProtocol());
        String offered = server.output().lines().filter(l -> l.startsWith("Client cipher list:")).findFirst().orElse("");
        assertFalse(offered.isEmpty(), server.output());
        for (String suite : offered.substring("Client cipher list:".length()).trim().split(":")) {
            assertTrue(suite.contains("GCM") || suite.contains("CHACHA20") || suite.endsWith("_SCSV"),
                    "the relay offered a non-AEAD suite " + suite + " in " + offered);
        }
    }

    @ParameterizedTest(name = "{0} via {1}")
    @CsvSource({"-tls1_2, OPENSSL", "-tls1_3, OPENSSL", "-tls1_2, JDK", "-tls1_3, JDK"})
    void theServersLastReplyBeforeItClosesReachesTheClient(String flag, ProviderChoice provider) throws Exception {
        int port = ExternalProcess.freePort();
        // s_server -www answers a GET with a page, then closes: close_notify right behind the last data.
        sServer(port, List.of(flag, "-www"));
        Relay relay = relay(Configs.client(port, pki.caFile()), provider);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.endpoints().get(0).boundAddress().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String page = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(page.startsWith("HTTP/1.0 200 ok") && page.trim().endsWith("</HTML>"), page);
        }
        assertTrue(Eventually.within(5_000, () -> relay.endpoints().get(0).stats().active() == 0));
        assertEquals(0, relay.endpoints().get(0).stats().failed(), "an orderly close, not a failure: " + logs.lines());
    }

    @ParameterizedTest(name = "{0} via {1}")
    @CsvSource({"-tls1_2, TLS_1_2, OPENSSL", "-tls1_3, TLS_1_3, OPENSSL", "-tls1_2, TLS_1_2, JDK", "-tls1_3, TLS_1_3, JDK"})
    void opensslClientToRelayServer(String flag, TlsVersion version, ProviderChoice provider) throws Exception {
        EchoServer echo = track(new EchoServer());
        EndpointConfig server = Configs.server(echo.port(), pki.server());
        Relay relay = relay(server.withTls(server.tls().withVersions(EnumSet.of(version))), provider);
        int port = relay.endpoints().get(0).boundAddress().getPort();
        ExternalProcess client = track(ExternalProcess.start(List.of(openssl, "s_client", "-connect", "127.0.0.1:" + port,
                flag, "-CAfile", pki.caFile().toString(), "-verify_hostname", TestPki.SERVER_NAME,
                "-verify_return_error", "-ign_eof"), dir.resolve("s_client.out")));
        OutputStream stdin = client.process().getOutputStream();
        stdin.write("ping through the relay\n".getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
        // s_client verified the chain and host name (-verify_return_error would have ended it), and the
        // echo target's answer reached its stdout through the relay (written unbuffered).
        assertTrue(client.awaitOutput("ping through the relay", 10_000), client.output());
        assertTrue(client.process().isAlive(), client.output());
        assertEquals(version.protocolName(), relay.endpoints().get(0).stats().lastTlsProtocol());
    }

    @Test
    void sniIsOmittedForIpTargetsAndSentWhenConfigured() throws Exception {
        int port = ExternalProcess.freePort();
        ExternalProcess server = sServer(port, List.of("-rev", "-trace"));
        // An IP literal target: no server_name extension (RFC 6066 §3 forbids literals).
        echoOneLine(relay(Configs.client(port, pki.caFile()), ProviderChoice.AUTO));
        // An explicit SNI is sent as given (a target named by DNS sends its name the same way).
        EndpointConfig explicit = Configs.client(port, pki.caFile());
        echoOneLine(relay(explicit.withTls(explicit.tls().withSni("nfs.sni.test")), ProviderChoice.AUTO));
        assertEquals(2, server.output().split("ClientHello", -1).length - 1, server.output());
        assertEquals(List.of("nfs.sni.test"), serverNames(server.output()));
    }

    private static void echoOneLine(Relay relay) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.endpoints().get(0).boundAddress().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("ab\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertEquals("ba", in.readLine());
        }
    }

    /** Host names in the server_name extensions of the ClientHellos that s_server -trace dumped. */
    private static List<String> serverNames(String trace) {
        List<String> names = new ArrayList<>();
        String[] lines = trace.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].contains("extension_type=server_name(0)")) {
                continue;
            }
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            for (int j = i + 1; j < lines.length && lines[j].matches("\\s+[0-9a-f]{4} - .*"); j++) {
                // "  0000 - 00 0f 00 00 0c 6e 66 73-2e 73 ...   .....nfs.s": hex octets, then 3+ spaces, then text.
                String hex = lines[j].replaceFirst("\\s+[0-9a-f]{4} - ", "").split(" {3,}")[0].replace('-', ' ');
                for (String octet : hex.trim().split("\\s+")) {
                    bytes.write(Integer.parseInt(octet, 16));
                }
            }
            byte[] ext = bytes.toByteArray();
            // RFC 6066 §3: list length (2), name type (1), name length (2), name.
            names.add(new String(ext, 5, ext.length - 5, StandardCharsets.US_ASCII));
        }
        return names;
    }

    @Test
    void tls11OnlyServerIsRefusedWithTheReason() throws Exception {
        int port = ExternalProcess.freePort();
        sServer(port, List.of("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"));
        Relay relay = relay(Configs.client(port, pki.caFile()), ProviderChoice.AUTO);
        RelayPairSuite.assertClosedByRelay(relay.endpoints().get(0).boundAddress().getPort());
        assertNotNull(logs.await("no common TLS version", 5_000), logs.lines().toString());
    }

    @Test
    void cbcOnlyServerIsRefusedWithTheReason() throws Exception {
        int port = ExternalProcess.freePort();
        sServer(port, List.of("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA"));
        Relay relay = relay(Configs.client(port, pki.caFile()), ProviderChoice.AUTO);
        RelayPairSuite.assertClosedByRelay(relay.endpoints().get(0).boundAddress().getPort());
        assertNotNull(logs.await("no common cipher suite", 5_000), logs.lines().toString());
    }

    /** s_client against a relay server endpoint; returns it once it has ended (it must end by itself). */
    private ExternalProcess sClient(Relay relay, String name, List<String> extra) throws Exception {
        int port = relay.endpoints().get(0).boundAddress().getPort();
        List<String> command = new ArrayList<>(List.of(openssl, "s_client", "-connect", "127.0.0.1:" + port,
                "-CAfile", pki.caFile().toString()));
        command.addAll(extra);
        ExternalProcess client = track(ExternalProcess.start(command, dir.resolve(name + ".out")));
        client.process().getOutputStream().close();
        assertTrue(client.process().waitFor(15, java.util.concurrent.TimeUnit.SECONDS), client.output());
        return client;
    }

    @ParameterizedTest(name = "{0} via {1}")
    @CsvSource(delimiter = '|', value = {
            "-tls1_1 -cipher DEFAULT@SECLEVEL=0 | OPENSSL | protocol_version",
            "-tls1_1 -cipher DEFAULT@SECLEVEL=0 | JDK | protocol_version",
            "-tls1_2 -cipher ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA:AES128-SHA256 | OPENSSL | cipher",
            "-tls1_2 -cipher ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA:AES128-SHA256 | JDK | cipher",
            "-tls1_2 -cipher AES128-SHA:AES256-SHA | OPENSSL | cipher",
    })
    void serverRefusesClientsOfferingOnlyOldVersionsOrNonAeadSuites(String offer, ProviderChoice provider,
                                                                   String reason) throws Exception {
        EchoServer echo = track(new EchoServer());
        Relay relay = relay(Configs.server(echo.port(), pki.server()), provider);
        ExternalProcess client = sClient(relay, "s_client", List.of(offer.trim().split(" ")));
        assertTrue(client.process().exitValue() != 0, client.output());
        assertTrue(client.output().contains("Cipher is (NONE)"), "no session was established: " + client.output());
        assertTrue(Eventually.within(5_000, () -> relay.endpoints().get(0).stats().accepted() == 1
                && relay.endpoints().get(0).stats().active() == 0));
        assertEquals(0, relay.endpoints().get(0).stats().bytesToTarget(), "nothing reached the target");
        assertNotNull(logs.await("client TLS handshake failed", 5_000), logs.lines().toString());
    }

    @ParameterizedTest(name = "client asks to renegotiate, via {0}")
    @CsvSource({"OPENSSL", "JDK"})
    void serverRefusesRenegotiation(ProviderChoice provider) throws Exception {
        EchoServer echo = track(new EchoServer());
        Relay relay = relay(Configs.server(echo.port(), pki.server()), provider);
        int port = relay.endpoints().get(0).boundAddress().getPort();
        ExternalProcess client = track(ExternalProcess.start(List.of(openssl, "s_client", "-connect", "127.0.0.1:" + port,
                "-CAfile", pki.caFile().toString(), "-tls1_2", "-legacy_renegotiation"), dir.resolve("reneg.out")));
        OutputStream stdin = client.process().getOutputStream();
        stdin.write("before\n".getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
        assertTrue(client.awaitOutput("before", 10_000), client.output());
        // s_client's "R" command starts a renegotiation handshake (RFC 5746); the relay must not take part.
        stdin.write("R\n".getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
        assertTrue(client.awaitOutput("RENEGOTIATING", 5_000), client.output());
        assertTrue(client.process().waitFor(15, java.util.concurrent.TimeUnit.SECONDS),
                "the connection must end instead of renegotiating: " + client.output());
        assertTrue(Eventually.within(5_000, () -> relay.endpoints().get(0).stats().active() == 0));
    }

    @ParameterizedTest(name = "server asks to renegotiate, via {0}")
    @CsvSource({"OPENSSL", "JDK"})
    void clientRefusesRenegotiation(ProviderChoice provider) throws Exception {
        int port = ExternalProcess.freePort();
        // Interactive s_server: stdin takes commands ("r": renegotiate); -msg dumps every handshake message.
        ExternalProcess server = sServer(port, List.of("-tls1_2", "-msg"));
        Relay relay = relay(Configs.client(port, pki.caFile()), provider);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.endpoints().get(0).boundAddress().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("before\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(server.awaitOutput("before", 10_000), server.output());
            OutputStream stdin = server.process().getOutputStream();
            // A HelloRequest (RFC 5246 §7.4.1.1): the relay must not start a new handshake.
            stdin.write("r\n".getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
            assertTrue(server.awaitOutput("HelloRequest", 5_000), server.output());
            assertEquals(-1, socket.getInputStream().read(), "the connection must end instead of renegotiating");
        } catch (java.net.SocketException reset) {
            // A reset ends it as well.
        }
        assertTrue(Eventually.within(5_000, () -> relay.endpoints().get(0).stats().active() == 0), server.output());
        assertEquals(1, server.output().split(", ClientHello", -1).length - 1, "one handshake only: " + server.output());
        assertNotNull(logs.await("renegotiat", 5_000), logs.lines().toString());
    }

    @ParameterizedTest(name = "{0} via {1}")
    @CsvSource({"ECDHE-ECDSA-AES256-GCM-SHA384, OPENSSL", "ECDHE-ECDSA-AES256-GCM-SHA384, JDK",
            "ECDHE-ECDSA-CHACHA20-POLY1305, OPENSSL"})
    void clientOffersExactlyTheConfiguredSuites(String suite, ProviderChoice provider) throws Exception {
        int port = ExternalProcess.freePort();
        ExternalProcess server = sServer(port, List.of("-tls1_2", "-rev"));
        EndpointConfig client = Configs.client(port, pki.caFile());
        client = client.withTls(client.tls().withVersions(EnumSet.of(TlsVersion.TLS_1_2))
                .withCiphers(java.util.Arrays.stream(CipherSuite.values()).filter(c -> c.openSslName().equals(suite)).toList()));
        echoOneLine(relay(client, provider));
        String offered = server.output().lines().filter(l -> l.startsWith("Client cipher list:")).findFirst().orElse("");
        List<String> suites = new ArrayList<>(List.of(offered.substring("Client cipher list:".length()).trim().split(":")));
        suites.removeIf(name -> name.endsWith("_SCSV"));
        assertEquals(List.of(suite), suites, server.output());
    }

    @Test
    void fipsPolicyOffersOnlyApprovedSuitesAndGroups() throws Exception {
        int port = ExternalProcess.freePort();
        ExternalProcess server = sServer(port, List.of("-rev"));
        EndpointConfig fips = Configs.client(port, pki.caFile());
        fips = fips.withTls(fips.tls().withFipsApproved(true));
        Relay relay = relay(fips, ProviderChoice.OPENSSL);
        echoOneLine(relay);
        assertEquals("TLSv1.2", relay.endpoints().get(0).stats().lastTlsProtocol(), "TLS 1.3 is left out");
        String offered = server.output().lines().filter(l -> l.startsWith("Client cipher list:")).findFirst().orElse("");
        for (String suite : offered.substring("Client cipher list:".length()).trim().split(":")) {
            assertTrue(suite.contains("AES") && suite.contains("GCM") || suite.endsWith("_SCSV"), "offered " + suite + ": " + offered);
        }
        assertNotNull(logs.await("FIPS policy: TLS 1.2 with AES-GCM suites and P-256/P-384 key exchange only", 1_000));
        assertTrue(logs.lines().stream().noneMatch(l -> l.startsWith("SEVERE") && l.contains("FIPS")), logs.lines().toString());

        // A server that only does X25519 key exchange: fine without the policy, refused with it.
        int x25519 = ExternalProcess.freePort();
        sServer(x25519, List.of("-rev", "-groups", "X25519"));
        echoOneLine(relay(Configs.client(x25519, pki.caFile()), ProviderChoice.OPENSSL));
        EndpointConfig fipsToX25519 = Configs.client(x25519, pki.caFile());
        Relay refused = relay(fipsToX25519.withTls(fipsToX25519.tls().withFipsApproved(true)), ProviderChoice.OPENSSL);
        RelayPairSuite.assertClosedByRelay(refused.endpoints().get(0).boundAddress().getPort());
    }

    @Test
    void fipsPolicyWithTheJdkProviderIsRefusedSayingWhy() {
        EndpointConfig fips = Configs.client(2049, pki.caFile());
        io.eitrelay.core.tls.TlsConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.eitrelay.core.tls.TlsConfigException.class,
                () -> Relay.start(Configs.relay(fips.withTls(fips.tls().withFipsApproved(true)), TransportChoice.AUTO,
                        ProviderChoice.JDK)));
        assertTrue(e.getMessage().contains("FIPS policy (fips = yes, or the host's fips_enabled) needs the OpenSSL TLS provider"),
                e.getMessage());
    }
}
