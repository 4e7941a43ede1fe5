package io.eitrelay.core.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One listener and where its connections go.
 *
 * @param name    used in logs (stunnel's service name, or "listen->target")
 * @param listen  a resolved local address: an IPv4 literal binds an IPv4-only socket
 * @param target  where each accepted connection is relayed to
 */
public record EndpointConfig(String name, InetSocketAddress listen, HostPort target, Mode mode,
                             TlsSettings tls, Timeouts timeouts, SocketOptions socket, RecordFraming framing) {
    /** Without RPC framing checks (bytes relayed as they are). */
    public EndpointConfig(String name, InetSocketAddress listen, HostPort target, Mode mode,
                          TlsSettings tls, Timeouts timeouts, SocketOptions socket) {
        this(name, listen, target, mode, tls, timeouts, socket, RecordFraming.off());
    }

    public EndpointConfig {
        Objects.requireNonNull(framing, "framing");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(socket, "socket");
        if (listen.isUnresolved()) {
            throw new IllegalArgumentException("listen address must be an IP address: " + listen);
        }
        if (mode == Mode.SERVER && tls.keyPair().isEmpty()) {
            throw new IllegalArgumentException("endpoint " + name + ": server mode needs a certificate and key");
        }
    }

    public EndpointConfig withName(String newName) {
        return new EndpointConfig(newName, listen, target, mode, tls, timeouts, socket, framing);
    }

    public EndpointConfig withListen(InetSocketAddress address) {
        return new EndpointConfig(name, address, target, mode, tls, timeouts, socket, framing);
    }

    public EndpointConfig withTarget(HostPort newTarget) {
        return new EndpointConfig(name, listen, newTarget, mode, tls, timeouts, socket, framing);
    }

    public EndpointConfig withTls(TlsSettings newTls) {
        return new EndpointConfig(name, listen, target, mode, newTls, timeouts, socket, framing);
    }

    public EndpointConfig withFraming(RecordFraming newFraming) {
        return new EndpointConfig(name, listen, target, mode, tls, timeouts, socket, newFraming);
    }

    public EndpointConfig withSocket(SocketOptions newSocket) {
        return new EndpointConfig(name, listen, target, mode, tls, timeouts, newSocket, framing);
    }

    public EndpointConfig withTimeouts(Timeouts newTimeouts) {
        return new EndpointConfig(name, listen, target, mode, tls, newTimeouts, socket, framing);
    }
}
