package io.eitrelay.core;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one endpoint, readable from any thread. (Exported as Micrometer meters once the
 * metrics module lands; until then read by the CLI, the demo and the tests.)
 */
public final class EndpointStats {
    private final LongAdder accepted = new LongAdder();
    private final AtomicLong active = new AtomicLong();
    private final LongAdder failed = new LongAdder();
    private final LongAdder bytesToTarget = new LongAdder();
    private final LongAdder bytesFromTarget = new LongAdder();
    private final LongAdder recordsToTarget = new LongAdder();
    private final LongAdder recordsFromTarget = new LongAdder();
    private final LongAdder framingErrors = new LongAdder();
    private volatile String lastTlsProtocol = "";
    private volatile String lastTlsCipher = "";

    public void connectionOpened() {
        accepted.increment();
        active.incrementAndGet();
    }

    public void connectionClosed(boolean failure) {
        active.decrementAndGet();
        if (failure) {
            failed.increment();
        }
    }

    public void toTarget(int bytes) {
        bytesToTarget.add(bytes);
    }

    public void fromTarget(int bytes) {
        bytesFromTarget.add(bytes);
    }

    public void recordsToTarget(int records) {
        recordsToTarget.add(records);
    }

    public void recordsFromTarget(int records) {
        recordsFromTarget.add(records);
    }

    public void framingError() {
        framingErrors.increment();
    }

    /** Complete ONC-RPC records (calls) seen toward the target; 0 unless framing is enabled. */
    public long recordsToTarget() {
        return recordsToTarget.sum();
    }

    /** Complete ONC-RPC records (replies) seen from the target. */
    public long recordsFromTarget() {
        return recordsFromTarget.sum();
    }

    /** Connections closed because their stream broke the record framing or the record-size cap. */
    public long framingErrors() {
        return framingErrors.sum();
    }

    public void tlsEstablished(String protocol, String cipher) {
        lastTlsProtocol = protocol;
        lastTlsCipher = cipher;
    }

    public long accepted() {
        return accepted.sum();
    }

    public long active() {
        return active.get();
    }

    public long failed() {
        return failed.sum();
    }

    public long bytesToTarget() {
        return bytesToTarget.sum();
    }

    public long bytesFromTarget() {
        return bytesFromTarget.sum();
    }

    /** The protocol of the most recent handshake on this endpoint, e.g. {@code TLSv1.3}; empty before any. */
    public String lastTlsProtocol() {
        return lastTlsProtocol;
    }

    public String lastTlsCipher() {
        return lastTlsCipher;
    }
}
