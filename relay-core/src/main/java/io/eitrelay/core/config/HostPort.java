package io.eitrelay.core.config;

import java.util.Objects;

/**
 * A target as the user wrote it: a DNS name or an IP literal, and a port. The name is resolved at
 * each new connection (stunnel's {@code delay = yes}), so a server that fails over to a new address
 * is found without a restart.
 */
public record HostPort(String host, int port) {
    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1..65535 but was " + port);
        }
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
