package io.eitrelay.core;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.transport.Transport;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Every listener of a relay, bound and listening on the JDK's own sockets before Netty, TLS and the
 * metrics are loaded (on two cores that loading takes ~100 ms). Mount helpers probe the port right
 * after launching the relay (efs-utils: 5 times, 50 ms apart, per issue 4): a listening
 * socket completes their handshakes from its backlog, and {@link Relay#start(RelayConfig,
 * io.micrometer.core.instrument.MeterRegistry, ListenSockets)} hands each socket to its endpoint's Netty
 * channel once the transport is up, so no connection made meanwhile is refused or lost.
 *
 * <p>No logger here: the first one initialises SLF4J and java.util.logging, which can wait.
 */
public final class ListenSockets implements AutoCloseable {
    /**
     * listen(2) backlog: Netty's default on Linux (net.core.somaxconn, 4096 since Linux 5.4); the
     * kernel caps it at that sysctl anyway.
     */
    static final int BACKLOG = 4096;

    private final List<ServerSocketChannel> sockets;
    private final RelayStartException failure;

    private ListenSockets(List<ServerSocketChannel> sockets, RelayStartException failure) {
        this.sockets = sockets;
        this.failure = failure;
    }

    /**
     * Binds every endpoint's listen address in order, when the transport {@code config} selects can take
     * the sockets over ({@link Transport#adoptsJdkListeners}); otherwise binds nothing and the relay binds
     * with Netty. Never throws: a bind failure is kept for {@link Relay#start} to report after the
     * certificate errors, as stunnel, which loads them first, orders them; the sockets bound before it
     * are closed.
     */
    public static ListenSockets bind(RelayConfig config) {
        List<ServerSocketChannel> bound = new ArrayList<>();
        if (!Transport.adoptsJdkListeners(config.runtime().transport())) {
            return new ListenSockets(bound, null);
        }
        for (EndpointConfig endpoint : config.endpoints()) {
            ServerSocketChannel socket = null;
            try {
                // The address's own family, so an IPv4 listener shows as 127.0.0.1:PORT in ss (AZNFS greps it).
                socket = ServerSocketChannel.open(endpoint.listen().getAddress() instanceof Inet4Address
                        ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
                socket.setOption(StandardSocketOptions.SO_REUSEADDR, endpoint.socket().reuseAddress());
                socket.bind(endpoint.listen(), BACKLOG);
                bound.add(socket);
            } catch (IOException | RuntimeException e) {
                closeQuietly(socket);
                bound.forEach(ListenSockets::closeQuietly);
                return new ListenSockets(List.of(), RelayStartException.bindFailed(endpoint, e));
            }
        }
        return new ListenSockets(bound, null);
    }

    /** The bind failure, if one endpoint could not be bound (then no socket is held). */
    RelayStartException failure() {
        return failure;
    }

    /**
     * The listening socket of endpoint {@code index}, now the caller's to close or hand on; null when
     * the relay binds with Netty (or it was taken already).
     */
    ServerSocketChannel take(int index) {
        return index < sockets.size() ? sockets.set(index, null) : null;
    }

    /** Closes the sockets nobody took (a start that failed part way). */
    @Override
    public void close() {
        for (int i = 0; i < sockets.size(); i++) {
            closeQuietly(take(i));
        }
    }

    static void closeQuietly(ServerSocketChannel socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // Closing a listener that never accepted: nothing to flush, nothing to report.
            }
        }
    }
}
