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
 * @param preferFamily    which family of a target name's addresses is tried first
 */
public record SocketOptions(boolean keepAlive, Duration keepAliveIdle, Duration keepAliveInterval,
                            int keepAliveCount, Duration tcpUserTimeout, boolean reuseAddress,
                            LocalAccess localAccess, FamilyPreference preferFamily) {
    public SocketOptions {
        java.util.Objects.requireNonNull(localAccess, "localAccess");
        java.util.Objects.requireNonNull(preferFamily, "preferFamily");
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
     * A silent target detected within {@link #DEFAULT_DEAD_TARGET_BOUND}; any local client may connect;
     * IPv4 addresses of a target name tried first.
     */
    public static SocketOptions defaults() {
        return new SocketOptions(true, Duration.ofSeconds(1), Duration.ofSeconds(1), 1,
                Duration.ZERO, true, LocalAccess.ANY, FamilyPreference.IPV4).withDeadTargetBound(DEFAULT_DEAD_TARGET_BOUND);
    }

    /**
     * 30 s: a hard NFS mount retries its RPCs at timeo=600 (60 s), so a tunnel that notices a dead
     * server well before that lets the kernel reconnect before its first retransmission.
     */
    public static final Duration DEFAULT_DEAD_TARGET_BOUND = Duration.ofSeconds(30);

    /** The smallest dead-target bound: keepalive counts whole seconds and needs an idle time and a probe. */
    public static final Duration MIN_DEAD_TARGET_BOUND = Duration.ofSeconds(3);
    /** The largest: beyond an hour the bound protects nothing (and Linux caps TCP_KEEPIDLE at 32767 s). */
    public static final Duration MAX_DEAD_TARGET_BOUND = Duration.ofHours(1);

    /**
     * Derives the keepalive timers and TCP_USER_TIMEOUT from one bound, the time within which a target
     * that stopped answering is detected whether the connection is idle (keepalive: first probe after a
     * third of the bound, then probes a sixth apart until the bound) or has data in flight (unacknowledged
     * for the bound; tcp(7): TCP_USER_TIMEOUT also ends keepalive probing once it elapses).
     */
    public SocketOptions withDeadTargetBound(Duration bound) {
        if (bound.compareTo(MIN_DEAD_TARGET_BOUND) < 0 || bound.compareTo(MAX_DEAD_TARGET_BOUND) > 0) {
            throw new IllegalArgumentException("dead-target bound must be " + MIN_DEAD_TARGET_BOUND.toSeconds() + "s.."
                    + MAX_DEAD_TARGET_BOUND.toMinutes() + "m but was "
                    + (bound.toMillis() % 1000 == 0 ? bound.toSeconds() + "s" : bound.toMillis() + "ms"));
        }
        long total = bound.toSeconds();
        long idle = Math.max(1, total / 3);
        long interval = Math.max(1, total / 6);
        int count = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (total - idle) / interval));
        return new SocketOptions(true, Duration.ofSeconds(idle), Duration.ofSeconds(interval), count,
                Duration.ofSeconds(total), reuseAddress, localAccess, preferFamily);
    }

    /** Seconds within which a silent target is detected on an idle connection: idle + count x interval. */
    public Duration keepAliveBound() {
        return keepAliveIdle.plus(keepAliveInterval.multipliedBy(keepAliveCount));
    }

    public SocketOptions withLocalAccess(LocalAccess access) {
        return new SocketOptions(keepAlive, keepAliveIdle, keepAliveInterval, keepAliveCount, tcpUserTimeout,
                reuseAddress, access, preferFamily);
    }

    public SocketOptions withPreferFamily(FamilyPreference family) {
        return new SocketOptions(keepAlive, keepAliveIdle, keepAliveInterval, keepAliveCount, tcpUserTimeout,
                reuseAddress, localAccess, family);
    }
}
