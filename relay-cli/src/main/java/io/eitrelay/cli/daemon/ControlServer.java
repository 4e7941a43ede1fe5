package io.eitrelay.cli.daemon;

import io.eitrelay.cli.daemon.ControlProtocol.Reply;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's control socket: a Unix domain socket, mode 0600 in a 0700 directory, so only its owner
 * (root, for mounts) may add or remove endpoints. Requests run one at a time, in order; a peer that
 * does not finish its request within {@link #REQUEST_TIMEOUT_SECONDS} is cut off.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private static final long REQUEST_TIMEOUT_SECONDS = 10;
    /** Connections waiting for their turn; more are refused by the kernel's backlog, not queued here. */
    private static final int BACKLOG = 64;

    private final Path path;
    private final ServerSocketChannel server;
    private final Function<List<String>, Reply> handler;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> daemonThread(r, "eit-relay-control"));
    private final ScheduledExecutorService deadlines =
            Executors.newSingleThreadScheduledExecutor(r -> daemonThread(r, "eit-relay-control-timeout"));
    private final Thread acceptor;

    private ControlServer(Path path, ServerSocketChannel server, Function<List<String>, Reply> handler) {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.acceptor = daemonThread(this::acceptLoop, "eit-relay-control-accept");
    }

    /** Binds {@code path}; fails if another daemon answers there (a stale socket file is replaced). */
    public static ControlServer start(Path path, Function<List<String>, Reply> handler) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (Files.exists(path)) {
            if (answers(path)) {
                throw new IOException("another eit-relay daemon is running on " + path);
            }
            Files.delete(path); // nobody answers: left behind by a daemon that died
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), BACKLOG);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            server.close();
            throw e;
        }
        ControlServer control = new ControlServer(path, server, handler);
        control.acceptor.start();
        return control;
    }

    private static boolean answers(Path path) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return probe.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            return false;
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel peer = server.accept();
                worker.execute(() -> serve(peer));
            } catch (IOException e) {
                if (server.isOpen()) {
                    log.warn("control socket {}: {}", path, e.getMessage());
                }
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return; // closing
            }
        }
    }

    private void serve(SocketChannel peer) {
        ScheduledFuture<?> deadline = deadlines.schedule(() -> closeQuietly(peer), REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        try (peer) {
            List<String> request = ControlProtocol.readRequest(peer);
            deadline.cancel(false);
            Reply reply;
            try {
                reply = handler.apply(request);
            } catch (RuntimeException e) {
                log.error("control request {} failed", ControlProtocol.abbreviate(request.toString()), e);
                reply = Reply.error("internal error: " + e);
            }
            ByteBuffer out = ByteBuffer.wrap(reply.encode());
            while (out.hasRemaining()) {
                peer.write(out);
            }
        } catch (IOException e) {
            log.debug("control connection ended: {}", e.getMessage());
        } finally {
            deadline.cancel(false);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static Thread daemonThread(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        worker.shutdownNow();
        deadlines.shutdownNow();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("control socket {} not removed: {}", path, e.getMessage());
        }
    }
}
