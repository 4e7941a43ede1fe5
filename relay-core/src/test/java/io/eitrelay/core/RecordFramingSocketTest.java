package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.RecordFraming;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.rpc.RecordMark;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.LogCapture;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Record framing on the plaintext sides of a relay pair: records pass byte-exact and are counted; bad streams close. */
class RecordFramingSocketTest {
    static final int CAP = 256 * 1024;

    @TempDir
    Path dir;
    EchoServer echo;
    Relay server;
    Relay client;
    LogCapture logs;

    @BeforeEach
    void setUp() throws Exception {
        TestPki pki = new TestPki(dir);
        echo = new EchoServer();
        logs = new LogCapture();
        RecordFraming framing = RecordFraming.on(CAP);
        server = Relay.start(Configs.relay(Configs.server(echo.port(), pki.server()).withFraming(framing),
                TransportChoice.AUTO, ProviderChoice.AUTO));
        EndpointConfig clientConfig = Configs.client(server.endpoints().get(0).boundAddress().getPort(), pki.caFile());
        client = Relay.start(Configs.relay(clientConfig.withFraming(framing), TransportChoice.AUTO, ProviderChoice.AUTO));
    }

    @AfterEach
    void tearDown() throws Exception {
        client.stop(Duration.ZERO);
        server.stop(Duration.ZERO);
        echo.close();
        logs.close();
    }

    int port() {
        return client.endpoints().get(0).boundAddress().getPort();
    }

    static byte[] records(int count, long seed) {
        Random random = new Random(seed);
        ByteBuf out = Unpooled.buffer();
        for (int i = 0; i < count; i++) {
            int fragments = 1 + random.nextInt(3);
            for (int f = 0; f < fragments; f++) {
                int size = random.nextInt(40_000);
                out.writeInt(RecordMark.of(size, f == fragments - 1));
                byte[] payload = new byte[size];
                random.nextBytes(payload);
                out.writeBytes(payload);
            }
        }
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }

    @Test
    void recordsPassByteExactAndAreCountedBothWays() throws Exception {
        byte[] stream = records(200, 7);
        assertArrayEquals(stream, Transfer.exchange(port(), stream, List.of(1, 3, 4096, 65536, 7), 60));
        EndpointStats stats = client.endpoints().get(0).stats();
        assertTrue(Eventually.within(2_000, () -> stats.recordsToTarget() == 200 && stats.recordsFromTarget() == 200),
                stats.recordsToTarget() + " / " + stats.recordsFromTarget());
        EndpointStats serverStats = server.endpoints().get(0).stats();
        assertTrue(Eventually.within(2_000, () -> serverStats.recordsToTarget() == 200 && serverStats.recordsFromTarget() == 200));
    }

    @Test
    void aStreamThatIsNotRecordMarkedClosesOnlyThatConnection() throws Exception {
        try (Socket good = new Socket(InetAddress.getLoopbackAddress(), port())) {
            good.setSoTimeout(10_000);
            byte[] one = records(1, 1);
            good.getOutputStream().write(one);
            assertArrayEquals(one, good.getInputStream().readNBytes(one.length));
            try (Socket bad = new Socket(InetAddress.getLoopbackAddress(), port())) {
                bad.setSoTimeout(10_000);
                bad.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, bad.getInputStream().read(), "the relay closes a non-RPC stream");
            }
            assertNotNull(logs.await("exceeds the cap of " + CAP, 5_000), logs.lines().toString());
            assertEquals(1, client.endpoints().get(0).stats().framingErrors());
            // The well-behaved connection is untouched.
            good.getOutputStream().write(one);
            assertArrayEquals(one, good.getInputStream().readNBytes(one.length));
        }
    }

    @Test
    void anOversizedRecordIsRefusedBeforeItsPayloadIsForwarded() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port())) {
            socket.setSoTimeout(10_000);
            ByteBuf mark = Unpooled.buffer().writeInt(RecordMark.of(CAP + 1, true));
            socket.getOutputStream().write(mark.array(), mark.arrayOffset(), 4);
            assertEquals(-1, socket.getInputStream().read());
        }
        assertNotNull(logs.await("ONC-RPC record of at least " + (CAP + 1) + " bytes exceeds the cap", 5_000));
        assertEquals(0, client.endpoints().get(0).stats().bytesToTarget(), "not a byte of it was forwarded");
        assertEquals(1, client.endpoints().get(0).stats().framingErrors());
    }
}
