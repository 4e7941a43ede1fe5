package io.eitrelay.core.relay;

import java.time.Duration;
import java.util.Optional;

/**
 * Bounds one endpoint's connection lines (established, closed, refused), so a client reconnecting in a
 * loop or a burst of failing connections cannot flood the log (stunnel logs every one; user-pain-points.md
 * §18, efs-utils #88). Up to {@link #BURST} lines at once, then {@link #REFILL} apart; failures have a
 * budget of their own, so ordinary lines never crowd them out. What is not logged is counted and summed
 * up in one line {@link #SUMMARY_AFTER} after the first line left out. Counters, metrics and
 * {@code status} still see every connection; at DEBUG the caller logs every line.
 */
public final class ConnectionLogLimit {
    /** Lines logged at once: a mount's nconnect connections (up to 16) opening together all show. */
    public static final int BURST = 20;
    /** Then one line per this much time, per kind. */
    public static final Duration REFILL = Duration.ofSeconds(1);
    /** The summary of lines left out comes this long after the first of them. */
    public static final Duration SUMMARY_AFTER = Duration.ofSeconds(10);

    private final Bucket ordinary;
    private final Bucket failures;
    private long leftOut;
    private long failuresLeftOut;
    private long firstLeftOutNanos;

    ConnectionLogLimit(long nowNanos) {
        ordinary = new Bucket(nowNanos);
        failures = new Bucket(nowNanos);
    }

    /**
     * @param startSummary run when this is the first line left out since the last summary: it should
     *                     call {@link #summary} after {@link #SUMMARY_AFTER}
     * @return whether to log the line
     */
    synchronized boolean admit(boolean failure, long nowNanos, Runnable startSummary) {
        if ((failure ? failures : ordinary).take(nowNanos)) {
            return true;
        }
        boolean first = leftOut == 0;
        if (first) {
            firstLeftOutNanos = nowNanos;
        }
        leftOut++;
        if (failure) {
            failuresLeftOut++;
        }
        if (first) {
            startSummary.run();
        }
        return false;
    }

    /** What was left out since the last summary, as one line, and the count starts again; empty if nothing. */
    synchronized Optional<String> summary(long nowNanos) {
        if (leftOut == 0) {
            return Optional.empty();
        }
        long seconds = Math.max(1, Math.round((nowNanos - firstLeftOutNanos) / 1e9));
        String text = leftOut + " connection log line" + (leftOut == 1 ? "" : "s") + " left out in the last " + seconds
                + " s (" + failuresLeftOut + " of them failures): more than " + BURST + " at once, then one per "
                + REFILL.toSeconds() + " s, are logged per endpoint; status and the metrics count every connection, "
                + "and log level debug logs every line";
        leftOut = 0;
        failuresLeftOut = 0;
        return Optional.of(text);
    }

    /** A token bucket: {@link #BURST} tokens, one more every {@link #REFILL}. */
    private static final class Bucket {
        private long tokens = BURST;
        private long refilledNanos;

        Bucket(long nowNanos) {
            refilledNanos = nowNanos;
        }

        boolean take(long nowNanos) {
            long refill = REFILL.toNanos();
            long earned = (nowNanos - refilledNanos) / refill;
            if (earned > 0) {
                tokens = Math.min(BURST, tokens + earned);
                refilledNanos = tokens == BURST ? nowNanos : refilledNanos + earned * refill;
            }
            if (tokens == 0) {
                return false;
            }
            tokens--;
            return true;
        }
    }
}
