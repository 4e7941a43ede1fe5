package io.eitrelay.core.config;

import java.time.Duration;

/**
 * Socket options of one endpoint. TCP_NODELAY is always on for both sides (RPC calls are small and
 * latency-bound; efs-proxy 2.0.0 shipped without it and lost an order of magnitude), so it is not
 * configurable.
 *
 * @param keepAlive       SO_KEEPALIVE on the target connection, so a dead server is noticed
 * @param keepAliveIdle   TCP_KEEPIDLE (epoll only)
 * @param keepAliveInterval TCP_KEEPINTVL (epoll only)
 * @param keepAliveCount  TCP_KEEPCNT (epoll only)
 * @param tcpUserTimeout  TCP_USER_TIMEOUT on the target connection (epoll only): unacknowledged data
 *                        older than this kills the connection; zero leaves the kernel default
 * @param reuseAddress    SO_REUSEADDR on the listener, as stunnel sets it
 * @param localAccess     who may connect to a client-mode listener
 */
public record SocketOptions(boolean keepAlive, Duration keepAliveIdle, Duration keepAliveInterval,
                            int keepAliveCount, Duration tcpUserTimeout, boolean reuseAddress,
                            LocalAccess localAccess) {
    public SocketOptions {
        java.util.Objects.requireNonNull(localAccess, "localAccess");
        if (keepAliveCount < 1) {
            throw new IllegalArgumentException("keepAliveCount must be >= 1 but was " + keepAliveCount);
        }
        if (keepAliveIdle.toSeconds() < 1 || keepAliveInterval.toSeconds() < 1) {
            throw new IllegalArgumentException("keepalive idle and interval must be >= 1 s");
        }
        if (tcpUserTimeout.isNegative()) {
            throw new IllegalArgumentException("tcpUserTimeout must not be negative");
        }
    }

    /**
     * Keepalive after 10 s idle, every 5 s, 3 probes; unacked data for 30 s: a dead server within ~30 s.
     * Any local client may connect.
     */
    public static SocketOptions defaults() {
        return new SocketOptions(true, Duration.ofSeconds(10), Duration.ofSeconds(5), 3,
                Duration.ofSeconds(30), true, LocalAccess.ANY);
    }

    public SocketOptions withLocalAccess(LocalAccess access) {
        return new SocketOptions(keepAlive, keepAliveIdle, keepAliveInterval, keepAliveCount, tcpUserTimeout,
                reuseAddress, access);
    }
}
