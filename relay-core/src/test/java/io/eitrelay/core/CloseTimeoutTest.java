package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.TestPki;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * stunnel's TIMEOUTclose: once one direction has ended, how long the other may stay silent. efs-utils
 * and alinas write 0: when the NFS client sends FIN the pair closes at once, whatever the server does.
 * Path: client -> relay (client mode, the setting under test) -> relay (server mode) -> target.
 */
class CloseTimeoutTest {
    private static final byte[] REPLY = {7, 7, 7};
    private static final int TARGET_HOLDS_MILLIS = 8_000;

    @TempDir
    Path dir;
    final List<Relay> relays = new ArrayList<>();
    final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (Relay relay : relays) {
            relay.stop(Duration.ZERO);
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    @Test
    void zeroClosesThePairAtTheClientsFinEvenIfTheServerStaysOpen() throws Exception {
        Result r = clientHalfCloses(Duration.ZERO, -1);
        assertTrue(r.millisToEof < 1_000, "TIMEOUTclose = 0 kept the half-closed pair " + r.millisToEof + " ms");
    }

    @Test
    void aCloseTimeoutLetsRepliesThroughThenEndsASilentHalfClosedPair() throws Exception {
        Result r = clientHalfCloses(Duration.ofSeconds(2), 300);
        assertArrayEquals(REPLY, r.received, "a reply within TIMEOUTclose still reaches the client");
        assertTrue(r.millisToEof >= 1_500 && r.millisToEof < 5_000,
                "TIMEOUTclose = 2 s ended the pair after " + r.millisToEof + " ms");
    }

    record Result(byte[] received, long millisToEof) {
    }

    /** The client writes a call and FINs; the target replies after {@code replyAfterMillis} (or never), never closes. */
    private Result clientHalfCloses(Duration closing, int replyAfterMillis) throws Exception {
        TestPki pki = new TestPki(dir);
        ServerSocket target = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        closeables.add(target);
        CompletableFuture<Void> targetDone = CompletableFuture.runAsync(() -> {
            try (Socket s = target.accept()) {
                s.setSoTimeout(10_000);
                s.getInputStream().readAllBytes();
                if (replyAfterMillis >= 0) {
                    TimeUnit.MILLISECONDS.sleep(replyAfterMillis);
                    s.getOutputStream().write(REPLY);
                }
                TimeUnit.MILLISECONDS.sleep(TARGET_HOLDS_MILLIS);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        closeables.add(() -> targetDone.cancel(true));
        Relay server = start(Configs.server(target.getLocalPort(), pki.server()));
        EndpointConfig clientConfig = Configs.client(server.endpoints().get(0).boundAddress().getPort(), pki.caFile());
        Relay client = start(clientConfig.withTimeouts(clientConfig.timeouts().withClosing(closing)));
        try (Socket nfs = new Socket(InetAddress.getLoopbackAddress(), client.endpoints().get(0).boundAddress().getPort())) {
            nfs.setSoTimeout(TARGET_HOLDS_MILLIS + 2_000);
            nfs.getOutputStream().write(new byte[] {1, 2, 3, 4});
            nfs.shutdownOutput();
            long finSent = System.nanoTime();
            InputStream in = nfs.getInputStream();
            byte[] received = in.readAllBytes();
            long eof = System.nanoTime();
            assertEquals(replyAfterMillis >= 0 ? REPLY.length : 0, received.length);
            return new Result(received, TimeUnit.NANOSECONDS.toMillis(eof - finSent));
        }
    }

    private Relay start(EndpointConfig endpoint) throws Exception {
        Relay relay = Relay.start(Configs.relay(endpoint, TransportChoice.AUTO, ProviderChoice.AUTO));
        relays.add(relay);
        return relay;
    }
}
