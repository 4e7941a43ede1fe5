package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.Descriptors;
import io.eitrelay.core.relay.ConnectionLogLimit;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.LogCapture;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Floods: connections opened and closed at once, and TLS clients that connect and never finish the
 * handshake. Well-behaved clients keep being served meanwhile, and every descriptor comes back.
 */
class ConnectionFloodIT {
    private static final int CYCLES = 10_000;
    private static final int STALLED_HANDSHAKES = 300;

    @TempDir
    Path dir;
    EchoServer echo;
    Relay server;
    Relay client;

    @BeforeEach
    void setUp() throws Exception {
        TestPki pki = new TestPki(dir);
        echo = new EchoServer();
        // Test timeouts: a handshake must finish within 3 s.
        server = Relay.start(Configs.relay(Configs.server(echo.port(), pki.server()), TransportChoice.AUTO, ProviderChoice.AUTO));
        client = Relay.start(Configs.relay(Configs.client(server.endpoints().get(0).boundAddress().getPort(), pki.caFile()),
                TransportChoice.AUTO, ProviderChoice.AUTO));
        byte[] warm = Transfer.random(1000, 1);
        assertArrayEquals(warm, Transfer.exchange(clientPort(), warm, List.of(1000), 10));
        assertTrue(Eventually.within(5_000, () -> openChannels() == 0));
    }

    @AfterEach
    void tearDown() throws Exception {
        client.stop(Duration.ZERO);
        server.stop(Duration.ZERO);
        echo.close();
    }

    @Test
    void tenThousandConnectCloseCyclesLeaveNothingBehind() throws Exception {
        long baseline = Descriptors.open();
        for (int i = 0; i < CYCLES; i++) {
            new Socket(InetAddress.getLoopbackAddress(), clientPort()).close();
        }
        // Each cycle still costs the server relay a TLS handshake (the client relay cannot tell a closed
        // client from one that only shut down its sending side, so it dials and hands over the EOF). On a
        // 2-core guest that queue takes longer to work off than the test's 3 s handshake timeout, and a
        // client arriving meanwhile is reset like the flood's last ones: so it comes once the flood is gone.
        assertTrue(Eventually.within(30_000, () -> openChannels() == 0), "channels left: " + openChannels());
        byte[] data = Transfer.random(200_000, 2);
        assertArrayEquals(data, Transfer.exchange(clientPort(), data, List.of(8192), 10), "served after the flood");
        assertTrue(Eventually.within(10_000, () -> openChannels() == 0), "channels left: " + openChannels());
        assertTrue(Eventually.within(10_000, () -> Descriptors.open() <= baseline),
                "descriptors: " + baseline + " before, " + Descriptors.open() + " after");
        assertEquals(CYCLES + 2L, client.endpoints().get(0).stats().accepted(), "every cycle was accepted and counted");
    }

    @Test
    void aFloodLogsABoundedNumberOfLinesAndSaysHowManyItLeftOut() throws Exception {
        String name = "[" + client.endpoints().get(0).name() + "] ";
        int cycles = 2_000;
        try (LogCapture logs = new LogCapture()) {
            long start = System.nanoTime();
            for (int i = 0; i < cycles; i++) {
                new Socket(InetAddress.getLoopbackAddress(), clientPort()).close();
            }
            assertTrue(Eventually.within(20_000, () -> openChannels() == 0), "channels left: " + openChannels());
            long seconds = (System.nanoTime() - start) / 1_000_000_000L + 1;
            long lines = logs.lines().stream().filter(l -> l.contains(name + "#")).count();
            // Two budgets (ordinary lines, failures), each a burst and then one line a second.
            long bound = 2 * (ConnectionLogLimit.BURST + seconds);
            assertTrue(lines <= bound, lines + " connection lines for " + cycles + " connections in " + seconds + " s");
            // The last summary comes at most SUMMARY_AFTER after the last line left out.
            Thread.sleep(ConnectionLogLimit.SUMMARY_AFTER.toMillis() + 2_000);
            long leftOut = logs.lines().stream().filter(l -> l.contains(name) && l.contains(" connection log lines left out in the last "))
                    .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(name) + name.length(), l.indexOf(" connection log"))))
                    .sum();
            // Each connection ends with a line (closed, or closed with its failure): logged, or counted as left out.
            assertTrue(lines + leftOut >= cycles, lines + " logged + " + leftOut + " left out, for " + cycles + " connections: "
                    + logs.lines().stream().filter(l -> l.contains("left out")).toList());
        }
        assertEquals(cycles + 1L, client.endpoints().get(0).stats().accepted(), "every connection is counted all the same");
    }

    @Test
    void stalledHandshakesDoNotStopOthersAndAreDroppedAtTheHandshakeTimeout() throws Exception {
        long baseline = Descriptors.open();
        int serverPort = server.endpoints().get(0).boundAddress().getPort();
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < STALLED_HANDSHAKES; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                // Half of them start a TLS record and never finish it; the rest send nothing at all.
                if (i % 2 == 0) {
                    s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
                }
                stalled.add(s);
            }
            byte[] data = Transfer.random(200_000, 3);
            assertArrayEquals(data, Transfer.exchange(clientPort(), data, List.of(8192), 10),
                    "a well-behaved client is served during the flood");
            for (Socket s : stalled) {
                s.setSoTimeout(10_000);
                assertEquals(-1, readToEnd(s), "a stalled handshake was not dropped");
            }
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
        assertTrue(Eventually.within(10_000, () -> openChannels() == 0), "channels left: " + openChannels());
        assertTrue(Eventually.within(10_000, () -> Descriptors.open() <= baseline),
                "descriptors: " + baseline + " before, " + Descriptors.open() + " after");
    }

    private static int readToEnd(Socket s) {
        try {
            int b;
            do {
                b = s.getInputStream().read();
            } while (b >= 0);
            return b;
        } catch (IOException reset) {
            return -1; // dropped with a reset: ended all the same
        }
    }

    private int clientPort() {
        return client.endpoints().get(0).boundAddress().getPort();
    }

    private int openChannels() {
        return client.endpoints().get(0).openChannels() + server.endpoints().get(0).openChannels();
    }
}
