package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.config.Timeouts;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.LogCapture;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Client relay -> server relay -> echo target over loopback sockets. Written once; a subclass per
 * transport (epoll, NIO) and TLS provider (OpenSSL, JDK) runs it.
 */
abstract class RelayPairSuite {
    private static final long IO_TIMEOUT_SECONDS = 60;

    abstract TransportChoice transport();

    abstract ProviderChoice provider();

    @TempDir
    Path dir;
    TestPki pki;
    EchoServer echo;
    Relay serverRelay;
    Relay clientRelay;
    LogCapture logs;
    final List<AutoCloseable> extra = new ArrayList<>();

    @BeforeEach
    void startPair() throws Exception {
        logs = new LogCapture();
        pki = new TestPki(dir);
        echo = new EchoServer();
        serverRelay = start(Configs.server(echo.port(), pki.server()));
        clientRelay = start(Configs.client(port(serverRelay), pki.caFile()));
    }

    @AfterEach
    void stopPair() throws Exception {
        // Every test leaves no connection behind: both relays drain to zero open channels.
        assertTrue(Eventually.within(5_000, () -> openChannels(clientRelay) == 0 && openChannels(serverRelay) == 0),
                "channels leaked: client " + openChannels(clientRelay) + ", server " + openChannels(serverRelay));
        for (AutoCloseable closeable : extra) {
            closeable.close();
        }
        clientRelay.stop(Duration.ZERO);
        serverRelay.stop(Duration.ZERO);
        echo.close();
        logs.close();
    }

    Relay start(EndpointConfig endpoint) throws Exception {
        Relay relay = Relay.start(Configs.relay(endpoint, transport(), provider()));
        extra.add(() -> relay.stop(Duration.ZERO));
        return relay;
    }

    static int port(Relay relay) {
        return relay.endpoints().get(0).boundAddress().getPort();
    }

    static int openChannels(Relay relay) {
        return relay.endpoints().stream().mapToInt(EndpointListener::openChannels).sum();
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 16383, 16384, 16385, 1 << 20, 64 << 20})
    void payloadComesBackByteExactInBothDirectionsAtOnce(int size) throws Exception {
        byte[] data = Transfer.random(size, size);
        byte[] back = Transfer.roundTrip(port(clientRelay), data, List.of(64 * 1024), IO_TIMEOUT_SECONDS);
        assertEquals(Transfer.sha256(data), Transfer.sha256(back));
        assertTrue(clientRelay.endpoints().get(0).stats().lastTlsProtocol().startsWith("TLSv1."));
    }

    @Test
    void anyWriteSizesAndSplitPointsComeBackIdentical() {
        qt().withExamples(25).withShrinkCycles(5)
                .forAll(integers().between(0, 300_000), lists().of(integers().between(1, 70_000)).ofSizeBetween(1, 8))
                .checkAssert((size, pieces) -> {
                    byte[] data = Transfer.random(size, size * 31L + pieces.hashCode());
                    try {
                        assertArrayEquals(data, Transfer.roundTrip(port(clientRelay), data, pieces, IO_TIMEOUT_SECONDS));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
    }

    @Test
    void halfCloseFromClientStillDeliversTheReplyThenEof() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port(clientRelay))) {
            socket.setSoTimeout(10_000);
            byte[] data = Transfer.random(100_000, 7);
            socket.getOutputStream().write(data);
            socket.shutdownOutput();
            // The echo server sees our FIN only through both relays, echoes all, then FINs back.
            byte[] back = socket.getInputStream().readAllBytes();
            assertArrayEquals(data, back);
        }
        assertEquals(EchoServer.End.EOF, echo.awaitEnd(5_000));
    }

    /**
     * After the client's FIN, a large reply must still get through although the client reads it late
     * (the relay's socket buffer toward it fills up). Netty 4.2.18's epoll transport drops a half-closed
     * socket from epoll and then fails the next EPOLLOUT request; see Transport#prepare.
     */
    @Test
    void largeReplyAfterClientHalfCloseArrivesWhole() throws Exception {
        byte[] reply = Transfer.random(8 << 20, 99);
        try (ServerSocket big = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread thread = new Thread(() -> {
                try (Socket accepted = big.accept()) {
                    accepted.getInputStream().read();
                    accepted.getOutputStream().write(reply);
                    accepted.shutdownOutput();
                    accepted.getInputStream().read();
                } catch (IOException e) {
                    // the assertion below reports it
                }
            });
            thread.setDaemon(true);
            thread.start();
            Relay server = start(Configs.server(big.getLocalPort(), pki.server()));
            Relay client = start(Configs.client(port(server), pki.caFile()));
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port(client))) {
                socket.setSoTimeout(20_000);
                socket.getOutputStream().write(1);
                socket.shutdownOutput();
                Thread.sleep(700);
                assertArrayEquals(reply, socket.getInputStream().readAllBytes());
            }
        }
    }

    @Test
    void clientResetReachesTheTarget() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port(clientRelay))) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(new byte[] {1, 2, 3});
            assertEquals(1, socket.getInputStream().read());
            socket.setSoLinger(true, 0);
        }
        assertEquals(EchoServer.End.RESET, echo.awaitEnd(5_000));
    }

    @Test
    void targetResetReachesTheClient() throws Exception {
        try (ServerSocket resetter = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread thread = new Thread(() -> {
                try (Socket accepted = resetter.accept()) {
                    accepted.getInputStream().read();
                    accepted.setSoLinger(true, 0);
                } catch (IOException e) {
                    // test ends
                }
            });
            thread.setDaemon(true);
            thread.start();
            Relay server = start(Configs.server(resetter.getLocalPort(), pki.server()));
            Relay client = start(Configs.client(port(server), pki.caFile()));
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port(client))) {
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write(1);
                assertThrows(SocketException.class, () -> socket.getInputStream().read(),
                        "a reset by the target must arrive as a reset, not a clean EOF");
            }
            assertTrue(Eventually.within(5_000, () -> openChannels(client) == 0 && openChannels(server) == 0));
        }
    }

    /**
     * A drop-in process binds its listeners before anything else loads (ListenSockets) and starts the
     * relay on them later: a client that connects and writes in between, as a mount helper's probe and
     * the kernel's first RPC do, is answered once the relay runs, on this transport too.
     */
    @Test
    void connectionMadeBeforeTheRelayStartsIsServedOnceItRuns() throws Exception {
        int listenPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listenPort = probe.getLocalPort();
        }
        RelayConfig config = Configs.relay(Configs.client(port(serverRelay), pki.caFile()).withListen(Configs.loopback(listenPort)),
                transport(), provider());
        ListenSockets sockets = ListenSockets.bind(config);
        assertNull(sockets.failure());
        byte[] data = new byte[100_000];
        new java.util.Random(7).nextBytes(data);
        try (Socket early = new Socket(InetAddress.getLoopbackAddress(), listenPort)) {
            early.setSoTimeout((int) java.util.concurrent.TimeUnit.SECONDS.toMillis(IO_TIMEOUT_SECONDS));
            early.getOutputStream().write(data);
            Relay client = Relay.start(config, sockets);
            extra.add(() -> client.stop(Duration.ZERO));
            assertEquals(listenPort, port(client));
            assertArrayEquals(data, early.getInputStream().readNBytes(data.length));
            // The JDK object that bound the socket is garbage now; collecting it must not close the listener.
            System.gc();
            assertArrayEquals(data, Transfer.roundTrip(listenPort, data, List.of(64 * 1024), IO_TIMEOUT_SECONDS));
        }
    }

    @Test
    void refusedTargetClosesTheClientAndSaysWhy() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        Relay client = start(Configs.client(closedPort, pki.caFile()));
        assertClosedByRelay(port(client));
        assertNotNull(logs.await("Connection refused", 5_000), logs.lines().toString());
        assertTrue(Eventually.within(5_000, () -> openChannels(client) == 0));
    }

    @Test
    void targetThatNeverAnswersTheHandshakeTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread thread = new Thread(() -> {
                try {
                    held.add(silent.accept());
                } catch (IOException e) {
                    // test ends
                }
            });
            thread.setDaemon(true);
            thread.start();
            EndpointConfig config = Configs.client(silent.getLocalPort(), pki.caFile())
                    .withTimeouts(new Timeouts(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofMinutes(1)));
            Relay client = start(config);
            assertClosedByRelay(port(client));
            assertNotNull(logs.await("handshake timed out", 5_000), logs.lines().toString());
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void idleConnectionIsClosedOnBothSides() throws Exception {
        EndpointConfig config = Configs.client(port(serverRelay), pki.caFile())
                .withTimeouts(new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofMillis(400)));
        Relay client = start(config);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port(client))) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(9);
            assertEquals(9, socket.getInputStream().read());
            assertEquals(-1, socket.getInputStream().read(), "idle connection must be closed");
        }
        assertNotNull(logs.await("idle timeout", 5_000), logs.lines().toString());
        assertEquals(EchoServer.End.EOF, echo.awaitEnd(5_000), "the target side is closed too");
    }

    @Test
    void aFailedConnectionLeavesTheListenerServingOthers() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        Relay broken = start(Configs.client(closedPort, pki.caFile()));
        assertClosedByRelay(port(broken));
        // The healthy pair keeps working while the broken endpoint keeps failing.
        byte[] data = Transfer.random(50_000, 3);
        assertArrayEquals(data, Transfer.roundTrip(port(clientRelay), data, List.of(1000), IO_TIMEOUT_SECONDS));
        assertClosedByRelay(port(broken));
        assertTrue(Eventually.within(2_000, () -> broken.endpoints().get(0).stats().failed() == 2),
                "each failed connection is counted once");
    }

    static void assertClosedByRelay(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            try {
                assertEquals(-1, in.read(), "the relay must close a connection it cannot serve");
            } catch (SocketException reset) {
                // A reset is an acceptable way to be told, too.
            }
        }
    }
}
