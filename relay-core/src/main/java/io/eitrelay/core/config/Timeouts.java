package io.eitrelay.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-connection time limits.
 *
 * @param connect   TCP connect to the target (stunnel TIMEOUTconnect, default 10 s)
 * @param handshake TLS handshake on either side; a peer that never finishes is dropped
 * @param idle      no byte in either direction for this long closes the pair (stunnel TIMEOUTidle);
 *                  zero disables it
 */
public record Timeouts(Duration connect, Duration handshake, Duration idle) {
    public Timeouts {
        requirePositive(connect, "connect");
        requirePositive(handshake, "handshake");
        Objects.requireNonNull(idle, "idle");
        if (idle.isNegative()) {
            throw new IllegalArgumentException("idle timeout must not be negative but was " + idle);
        }
    }

    /**
     * Connect 10 s as stunnel; handshake 10 s; idle 12 h, stunnel's default, because an NFS mount
     * may sit idle for a long time and the kernel reconnects anyway.
     */
    public static Timeouts defaults() {
        return new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofHours(12));
    }

    private static void requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " timeout must be positive but was " + value);
        }
    }
}
