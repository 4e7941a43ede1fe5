package io.eitrelay.cli.daemon;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.DomainDatagramSocketAddress;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** What systemd does for Type=notify: an AF_UNIX datagram socket that receives sd_notify messages. */
public final class NotifyReceiver implements AutoCloseable {
    private static final int MAX_MESSAGE = 4096;
    private static final long POLL_MILLIS = 20;
    private final Socket socket;

    private NotifyReceiver(Socket socket) {
        this.socket = socket;
    }

    /** Binds {@code name}: a path, or "\0name" for the abstract namespace. */
    public static NotifyReceiver bind(String name) throws IOException {
        Epoll.ensureAvailability();
        Socket socket = Socket.newSocketDomainDgram();
        socket.bind(new DomainSocketAddress(name));
        return new NotifyReceiver(socket);
    }

    /** The next message, or null if none came within {@code timeout}. */
    public String await(Duration timeout) throws IOException, InterruptedException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_MESSAGE);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            DomainDatagramSocketAddress from = socket.recvFromDomainSocket(buffer, 0, MAX_MESSAGE);
            if (from != null) {
                byte[] message = new byte[from.receivedAmount()];
                buffer.get(0, message);
                return new String(message, StandardCharsets.UTF_8);
            }
            Thread.sleep(POLL_MILLIS);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
