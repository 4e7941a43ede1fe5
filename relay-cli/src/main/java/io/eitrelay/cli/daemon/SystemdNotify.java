package io.eitrelay.cli.daemon;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Readiness for systemd's {@code Type=notify} (sd_notify(3)), without libsystemd: one datagram of
 * {@code KEY=VALUE} lines to the AF_UNIX socket named by {@code $NOTIFY_SOCKET}. A leading {@code @}
 * names a socket in the abstract namespace (its first byte is NUL on the wire). The JDK 17 has no
 * AF_UNIX datagram sockets, so the datagram goes through Netty's native socket, loaded with the epoll
 * transport; where that is not available, readiness cannot be sent and the caller is told why.
 */
public final class SystemdNotify {
    public static final String ENVIRONMENT = "NOTIFY_SOCKET";
    /** sun_path of struct sockaddr_un (unix(7)): 108 bytes on Linux. */
    private static final int MAX_PATH_BYTES = 108;

    private SystemdNotify() {
    }

    /**
     * Sends {@code state} (for example {@code "READY=1"}) to {@code socketName}, the value of
     * $NOTIFY_SOCKET; nothing when it is null or empty (not started by systemd as Type=notify).
     *
     * @return why the message could not be sent, or empty once it was sent (or there was no socket)
     */
    public static Optional<String> send(String socketName, String state) {
        if (socketName == null || socketName.isEmpty()) {
            return Optional.empty();
        }
        byte[] path = socketName.getBytes(StandardCharsets.UTF_8);
        if (path[0] == '@') {
            path[0] = 0;
        } else if (path[0] != '/') {
            return Optional.of(ENVIRONMENT + "=" + socketName + " is neither a path nor an abstract socket (@name)");
        }
        if (path.length > MAX_PATH_BYTES) {
            return Optional.of(ENVIRONMENT + "=" + socketName + " is longer than a socket address (" + MAX_PATH_BYTES
                    + " bytes)");
        }
        if (!Epoll.isAvailable()) {
            return Optional.of("no native transport to send to " + ENVIRONMENT + ": " + Epoll.unavailabilityCause());
        }
        byte[] message = state.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocateDirect(message.length).put(message).flip();
        Socket socket = Socket.newSocketDomainDgram();
        try {
            int sent = socket.sendToDomainSocket(buffer, 0, message.length, path);
            return sent == message.length ? Optional.empty()
                    : Optional.of("sent " + sent + " of " + message.length + " bytes to " + socketName);
        } catch (IOException e) {
            return Optional.of("cannot send to " + ENVIRONMENT + "=" + socketName + ": " + e.getMessage());
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // A datagram socket that sent its one message has nothing to flush.
            }
        }
    }
}
