package io.eitrelay.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A plain TCP target on loopback, written with blocking JDK sockets so it shares no code with the
 * relay: echoes every byte, and on EOF finishes echoing then half-closes (FIN) its own side. Records
 * how each connection ended, so tests can see a reset arrive.
 */
public final class EchoServer implements AutoCloseable {
    /** How a connection to the echo server ended. */
    public enum End { EOF, RESET }

    private static final int BACKLOG = 4096;

    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final BlockingQueue<End> ends = new LinkedBlockingQueue<>();

    public EchoServer() throws IOException {
        server = new ServerSocket();
        // The relay's own listen backlog: with ServerSocket's default of 50, a connection flood overflows the
        // accept queue, and the kernel leaves half-open children (ESTABLISHED here, the relay's side long
        // closed) that a worker then waits on forever, read as descriptors the relay leaked.
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
        acceptor = new Thread(this::acceptLoop, "echo-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The next connection end, waiting at most {@code millis}; null when none came. */
    public End awaitEnd(long millis) throws InterruptedException {
        return ends.poll(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread worker = new Thread(() -> echo(socket), "echo-" + socket.getPort());
                worker.setDaemon(true);
                worker.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void echo(Socket socket) {
        byte[] buffer = new byte[64 * 1024];
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
            }
            socket.shutdownOutput();
            ends.add(End.EOF);
            // Wait for the peer to close its side before closing ours (bounded by the peer's close).
            socket.setSoTimeout(10_000);
            while (in.read(buffer) >= 0) {
                // drain
            }
        } catch (SocketException e) {
            ends.add(String.valueOf(e.getMessage()).toLowerCase().contains("reset") ? End.RESET : End.EOF);
        } catch (IOException e) {
            ends.add(End.EOF);
        } finally {
            sockets.remove(socket);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
