package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.TestPki;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client pushes 1 GiB through a relay pair to a server that stops reading for a while (a stalled
 * NFS server, a full disk), then reads at full speed. The relays must hold no more than their small
 * per-connection budget meanwhile (backpressure to the client's socket, not buffering), run out of
 * nothing, and deliver every byte in order once the server reads again.
 */
class SlowUpstreamIT {
    private static final long TOTAL = 1L << 30;
    private static final int CHUNK = 64 * 1024;
    private static final long STALL_MILLIS = 4_000;
    /**
     * Direct memory the two relays may add over their baseline while a connection is stalled: its
     * budget is one read loop per direction and side (16 reads of at most 64 KiB) plus TLS records in
     * flight, a few MiB; allocator chunks come in 4 MiB units. Buffering the stall would take hundreds of MiB.
     */
    private static final long DIRECT_BUDGET = 32L << 20;
    /** What may pass the stalled server's door: socket buffers along the path, not the relays' memory. */
    private static final long IN_FLIGHT_WHILE_STALLED = 64L << 20;

    @TempDir
    Path dir;

    @Test
    void aStalledServerHoldsTheClientBackWithBoundedMemoryAndEveryByteArrivesAfterwards() throws Exception {
        TestPki pki = new TestPki(dir);
        try (ServerSocket nfs = new ServerSocket()) {
            nfs.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Relay server = Relay.start(Configs.relay(Configs.server(nfs.getLocalPort(), pki.server()),
                    TransportChoice.AUTO, ProviderChoice.AUTO));
            Relay client = Relay.start(Configs.relay(Configs.client(server.endpoints().get(0).boundAddress().getPort(),
                    pki.caFile()), TransportChoice.AUTO, ProviderChoice.AUTO));
            long baseline = usedDirect();
            AtomicLong peak = new AtomicLong(baseline);
            AtomicLong sent = new AtomicLong();
            try {
                CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> push(client, sent));
                try (Socket accepted = nfs.accept()) {
                    long stallEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS);
                    while (System.nanoTime() < stallEnd) {
                        peak.accumulateAndGet(usedDirect(), Math::max);
                        Thread.sleep(20);
                    }
                    long sentWhileStalled = sent.get();
                    long growth = peak.get() - baseline;
                    assertTrue(sentWhileStalled < IN_FLIGHT_WHILE_STALLED,
                            "the client could push " + sentWhileStalled + " bytes into a stalled path");
                    assertTrue(sentWhileStalled > 0, "the client got started");
                    assertTrue(growth < DIRECT_BUDGET, "direct memory grew by " + growth + " bytes while stalled");

                    // The server reads again, at full speed: everything arrives, in order.
                    CRC32 received = new CRC32();
                    long count = 0;
                    byte[] buffer = new byte[CHUNK];
                    InputStream in = accepted.getInputStream();
                    accepted.setSoTimeout(30_000);
                    for (int n; count < TOTAL && (n = in.read(buffer)) > 0; count += n) {
                        received.update(buffer, 0, n);
                    }
                    assertEquals(TOTAL, count);
                    assertEquals(writer.get(60, TimeUnit.SECONDS), received.getValue(), "the bytes arrived intact and in order");
                }
            } finally {
                client.stop(Duration.ZERO);
                server.stop(Duration.ZERO);
            }
        }
    }

    /** Writes TOTAL bytes of a pattern through the relay; returns their CRC-32. */
    private static long push(Relay client, AtomicLong sent) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), client.endpoints().get(0).boundAddress().getPort())) {
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[CHUNK];
            CRC32 crc = new CRC32();
            for (long offset = 0; offset < TOTAL; offset += CHUNK) {
                for (int i = 0; i < CHUNK; i += 8) {
                    long word = (offset + i) * 0x9E3779B97F4A7C15L;
                    for (int b = 0; b < 8; b++) {
                        chunk[i + b] = (byte) (word >>> (8 * b));
                    }
                }
                out.write(chunk);
                crc.update(chunk);
                sent.addAndGet(CHUNK);
            }
            socket.shutdownOutput();
            return crc.getValue();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long usedDirect() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }
}
