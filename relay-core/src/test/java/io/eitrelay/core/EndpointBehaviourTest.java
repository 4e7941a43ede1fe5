package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.LogCapture;
import io.eitrelay.testing.RelayTestBed;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Endpoint-level behaviours: addresses, families, explicit opt-outs, graceful stop. */
class EndpointBehaviourTest {
    @TempDir
    Path dir;
    TestPki pki;
    RelayTestBed bed;
    EchoServer echo;
    LogCapture logs;

    @BeforeEach
    void setUp() throws Exception {
        pki = new TestPki(dir);
        bed = new RelayTestBed();
        echo = bed.echo();
        logs = bed.logs();
    }

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    Relay start(EndpointConfig endpoint) throws Exception {
        Relay relay = Relay.start(Configs.relay(endpoint, TransportChoice.AUTO, ProviderChoice.AUTO));
        bed.track(relay);
        return relay;
    }

    static InetSocketAddress bound(Relay relay) {
        return relay.endpoints().get(0).boundAddress();
    }

    @Test
    void anyLoopbackAddressCanBeAListenAddress() throws Exception {
        // alinas puts one endpoint on each 127.0.i.j, all on port 12049.
        InetAddress alinas = InetAddress.getByName("127.0.1.1");
        Relay server = start(Configs.server(echo.port(), pki.server()).withListen(new InetSocketAddress(alinas, 0)));
        assertEquals(alinas, bound(server).getAddress());
        assertTrue(bound(server).getAddress() instanceof Inet4Address);
        Relay client = start(Configs.client(bound(server).getPort(), pki.caFile())
                .withTarget(new HostPort("127.0.1.1", bound(server).getPort())));
        byte[] data = Transfer.random(20_000, 5);
        assertArrayEquals(data, Transfer.exchange(bound(client).getPort(), data, List.of(4096), 30));
    }

    @Test
    void theClosingLineSaysWhatMovedAndWhoEndedAndDebugShowsTheSteps() throws Exception {
        java.util.logging.Logger relayLogs = java.util.logging.Logger.getLogger("io.eitrelay");
        relayLogs.setLevel(java.util.logging.Level.FINE);
        Relay server = start(Configs.server(echo.port(), pki.server()));
        Relay client = start(Configs.client(bound(server).getPort(), pki.caFile()));
        byte[] data = Transfer.random(20_000, 7);
        assertArrayEquals(data, Transfer.exchange(bound(client).getPort(), data, List.of(4096), 30));
        // Our client sent its FIN first; each end counts the plaintext it relayed, both ways.
        String clientEnd = "[" + client.endpoints().get(0).name() + "]";
        String closed = "20000 bytes to target, 20000 from it, ended by the client";
        String line = logs.await(closed, 5_000);
        assertNotNull(line, logs.lines().toString());
        assertNotNull(logs.lines().stream().filter(l -> l.contains(clientEnd) && l.contains(closed)).findFirst()
                .orElse(null), logs.lines().toString());
        assertNotNull(logs.await(clientEnd + " #", 1_000));
        assertTrue(logs.lines().stream().anyMatch(l -> l.startsWith("FINE " + clientEnd) && l.contains(" accepted from /127.0.0.1:")),
                logs.lines().toString());
        assertTrue(logs.lines().stream().anyMatch(l -> l.startsWith("FINE " + clientEnd) && l.contains(" connected to 127.0.0.1:"
                + bound(server).getPort())), logs.lines().toString());
    }

    @Test
    void ipv6TargetsWork() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        Relay server = start(Configs.server(echo.port(), pki.server()).withListen(new InetSocketAddress(v6, 0)));
        assertTrue(bound(server).getAddress() instanceof Inet6Address);
        Relay client = start(Configs.client(bound(server).getPort(), pki.caFile())
                .withTarget(new HostPort("::1", bound(server).getPort())));
        byte[] data = Transfer.random(20_000, 6);
        assertArrayEquals(data, Transfer.exchange(bound(client).getPort(), data, List.of(4096), 30));
    }

    @Test
    void listensBeforeItsTlsMaterialIsLoadedAndServesTheConnectionsThatWaited() throws Exception {
        // Mount helpers probe the port right after launching (efs-utils: 5 times, 50 ms apart). A CA
        // file that is a FIFO holds the TLS load until the test writes it: the port must accept before.
        Relay server = start(Configs.server(echo.port(), pki.server()));
        Path slowCa = dir.resolve("ca-fifo.pem");
        assertEquals(0, new ProcessBuilder("mkfifo", slowCa.toString()).inheritIO().start().waitFor());
        int port = io.eitrelay.testing.ExternalProcess.freePort();
        EndpointConfig client = Configs.client(bound(server).getPort(), slowCa).withListen(Configs.loopback(port));
        CompletableFuture<Relay> starting = CompletableFuture.supplyAsync(() -> {
            try {
                return Relay.start(Configs.relay(client, TransportChoice.AUTO, ProviderChoice.AUTO));
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        Socket early = null;
        for (int attempt = 0; attempt < 500 && early == null; attempt++) {
            try {
                early = new Socket(InetAddress.getLoopbackAddress(), port);
            } catch (ConnectException notYet) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }
        assertNotNull(early, "the port never accepted a connection");
        try (Socket waiting = early) {
            waiting.setSoTimeout(10_000);
            byte[] data = Transfer.random(100_000, 7);
            waiting.getOutputStream().write(data);
            TimeUnit.MILLISECONDS.sleep(200);
            assertTrue(!starting.isDone(), "start() returned before the CA file was read");
            CompletableFuture<Void> writeCa = CompletableFuture.runAsync(() -> {
                try {
                    java.nio.file.Files.write(slowCa, java.nio.file.Files.readAllBytes(pki.caFile()));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            bed.track(starting.get(10, TimeUnit.SECONDS));
            writeCa.get(10, TimeUnit.SECONDS);
            assertArrayEquals(data, waiting.getInputStream().readNBytes(data.length));
        }
    }

    @Test
    void aCertificateErrorIsReportedBeforeABindErrorAndNothingStaysBound() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            EndpointConfig client = Configs.client(echo.port(), dir.resolve("missing-ca.pem"))
                    .withListen(Configs.loopback(taken.getLocalPort()));
            io.eitrelay.core.tls.TlsConfigException e = assertThrows(io.eitrelay.core.tls.TlsConfigException.class,
                    () -> Relay.start(Configs.relay(client, TransportChoice.AUTO, ProviderChoice.AUTO)));
            assertTrue(e.getMessage().contains("missing-ca.pem"), e.getMessage());
        }
        int port = io.eitrelay.testing.ExternalProcess.freePort();
        EndpointConfig badCa = Configs.client(echo.port(), dir.resolve("missing-ca.pem")).withListen(Configs.loopback(port));
        assertThrows(io.eitrelay.core.tls.TlsConfigException.class,
                () -> Relay.start(Configs.relay(badCa, TransportChoice.AUTO, ProviderChoice.AUTO)));
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                "a failed start left its listener bound");
    }

    @Test
    void noVerifyIsExplicitAndWarnedAbout() throws Exception {
        TestPki stranger = new TestPki(dir, "unknown CA");
        Relay server = start(Configs.server(echo.port(), stranger.server()));
        EndpointConfig insecure = Configs.client(bound(server).getPort(), pki.caFile());
        Relay client = start(insecure.withTls(insecure.tls().withoutVerification()));
        assertNotNull(logs.await("server certificate verification is OFF", 1_000), logs.lines().toString());
        byte[] data = Transfer.random(1000, 7);
        assertArrayEquals(data, Transfer.exchange(bound(client).getPort(), data, List.of(100), 30));
    }

    @Test
    void gracefulStopLetsAnOpenTransferFinishAndRefusesNewConnections() throws Exception {
        Relay server = start(Configs.server(echo.port(), pki.server()));
        Relay client = start(Configs.client(bound(server).getPort(), pki.caFile()));
        int port = bound(client).getPort();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(new byte[] {1});
            assertEquals(1, in.read());
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> client.stop(Duration.ofSeconds(5)));
            Thread.sleep(300);
            assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                    "a stopping relay accepts no new connection");
            // The open connection still works during the grace period.
            byte[] data = Transfer.random(100_000, 8);
            out.write(data);
            assertArrayEquals(data, in.readNBytes(data.length));
            socket.shutdownOutput();
            assertEquals(-1, in.read());
            stopping.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void graceIsBounded() throws Exception {
        Relay server = start(Configs.server(echo.port(), pki.server()));
        Relay client = start(Configs.client(bound(server).getPort(), pki.caFile()));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), bound(client).getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(1);
            assertEquals(1, socket.getInputStream().read());
            long start = System.nanoTime();
            client.stop(Duration.ofMillis(500));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 4_000, "stop took " + millis + " ms");
            try {
                assertEquals(-1, socket.getInputStream().read(), "the idle connection is closed after the grace");
            } catch (IOException reset) {
                // closed is closed
            }
        }
    }
}
