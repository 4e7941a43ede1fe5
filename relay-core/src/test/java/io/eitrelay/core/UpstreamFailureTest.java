package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.Descriptors;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The NFS server dies mid-transfer (its process killed: the kernel closes its sockets with FIN, or
 * RST when data is left unread). The kernel NFS client only reconnects once its connection ends, so
 * the relay must end it within a second; the relay itself stays up, serves the server once it is
 * back on the same port, and leaks no file descriptor.
 */
class UpstreamFailureTest {
    private static final long CLIENT_SEES_END_WITHIN_MILLIS = 1_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "server ends with {0}")
    @ValueSource(strings = {"FIN", "RST"})
    void theClientConnectionEndsWithinASecondAndTheRelayServesTheServerWhenItIsBack(String how) throws Exception {
        TestPki pki = new TestPki(dir);
        ServerSocket nfs = new ServerSocket();
        nfs.setReuseAddress(true);
        nfs.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int nfsPort = nfs.getLocalPort();
        Relay server = Relay.start(Configs.relay(Configs.server(nfsPort, pki.server()), TransportChoice.AUTO, ProviderChoice.AUTO));
        Relay client = Relay.start(Configs.relay(Configs.client(server.endpoints().get(0).boundAddress().getPort(),
                pki.caFile()), TransportChoice.AUTO, ProviderChoice.AUTO));
        int port = client.endpoints().get(0).boundAddress().getPort();
        try {
            // Warm every class and pool up once, then take the baseline of open descriptors.
            CompletableFuture<Void> echoOnce = echo(nfs);
            assertArrayEquals(new byte[] {1, 2, 3}, Transfer.exchange(port, new byte[] {1, 2, 3}, List.of(3), 10));
            echoOnce.get(10, TimeUnit.SECONDS);
            assertTrue(Eventually.within(5_000, () -> openChannels(client, server) == 0));
            long baseline = Descriptors.open();

            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return nfs.accept();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (Socket mount = new Socket(InetAddress.getLoopbackAddress(), port)) {
                mount.setSoTimeout(10_000);
                OutputStream out = mount.getOutputStream();
                out.write(Transfer.rpcRecords(64 * 1024, 1)); // mid-transfer: the server has not read it all
                Socket serverSide = accepted.get(10, TimeUnit.SECONDS);
                serverSide.getInputStream().readNBytes(1000);
                if (how.equals("RST")) {
                    serverSide.setSoLinger(true, 0);
                }
                long died = System.nanoTime();
                serverSide.close();
                nfs.close(); // the server is gone, listener and all
                InputStream in = mount.getInputStream();
                try {
                    while (in.read() >= 0) {
                        continue;
                    }
                } catch (SocketException reset) {
                    // A reset is an end as good as EOF for the kernel client.
                }
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - died);
                assertTrue(millis < CLIENT_SEES_END_WITHIN_MILLIS, "the client saw the end after " + millis + " ms");
            }
            assertTrue(Eventually.within(5_000, () -> openChannels(client, server) == 0), "channels left open");
            assertTrue(Eventually.within(5_000, () -> Descriptors.open() <= baseline),
                    "descriptors: " + baseline + " before, " + Descriptors.open() + " after");

            // The server comes back on the same port: the same listener serves it.
            try (ServerSocket back = new ServerSocket()) {
                back.setReuseAddress(true);
                back.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), nfsPort));
                CompletableFuture<Void> served = echo(back);
                byte[] data = Transfer.random(100_000, 2);
                assertArrayEquals(data, Transfer.exchange(port, data, List.of(4096), 10));
                served.get(10, TimeUnit.SECONDS);
            }
        } finally {
            client.stop(Duration.ZERO);
            server.stop(Duration.ZERO);
            nfs.close();
        }
    }

    private static int openChannels(Relay client, Relay server) {
        return client.endpoints().get(0).openChannels() + server.endpoints().get(0).openChannels();
    }

    /** Accepts one connection and echoes it until EOF. */
    private static CompletableFuture<Void> echo(ServerSocket listener) {
        return CompletableFuture.runAsync(() -> {
            try (Socket s = listener.accept()) {
                s.getInputStream().transferTo(s.getOutputStream());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
