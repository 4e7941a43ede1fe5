package io.eitrelay.core.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-connection time limits.
 *
 * @param connect   TCP connect to the target (stunnel TIMEOUTconnect, default 10 s)
 * @param handshake TLS handshake on either side; a peer that never finishes is dropped
 * @param idle      no byte in either direction for this long closes the pair (stunnel TIMEOUTidle);
 *                  zero disables it
 * @param closing   once one direction has ended (a FIN or close_notify passed on), how long the other
 *                  may go without traffic before the pair closes: stunnel's TIMEOUTclose, whose 0
 *                  (efs-utils, alinas) closes the pair at once. Empty: only {@code idle} bounds it,
 *                  and a half-closed connection can carry replies as long as it likes.
 */
public record Timeouts(Duration connect, Duration handshake, Duration idle, Optional<Duration> closing) {
    public Timeouts {
        requirePositive(connect, "connect");
        requirePositive(handshake, "handshake");
        requireNotNegative(idle, "idle");
        Objects.requireNonNull(closing, "closing");
        if (closing.isPresent()) {
            requireNotNegative(closing.get(), "close");
        }
    }

    /** Half-closed connections bounded by the idle timeout only. */
    public Timeouts(Duration connect, Duration handshake, Duration idle) {
        this(connect, handshake, idle, Optional.empty());
    }

    public Timeouts withClosing(Duration afterHalfClose) {
        return new Timeouts(connect, handshake, idle, Optional.of(afterHalfClose));
    }

    /**
     * Connect 10 s as stunnel; handshake 10 s; idle 12 h, stunnel's default, because an NFS mount
     * may sit idle for a long time and the kernel reconnects anyway; half-closes bounded by idle.
     */
    public static Timeouts defaults() {
        return new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofHours(12));
    }

    private static void requireNotNegative(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " timeout must not be negative but was " + value);
        }
    }

    private static void requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " timeout must be positive but was " + value);
        }
    }
}
