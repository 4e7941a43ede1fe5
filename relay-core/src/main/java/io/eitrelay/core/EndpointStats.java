package io.eitrelay.core;

import io.eitrelay.core.metrics.MeterNames;
import io.eitrelay.core.metrics.NoMetrics;
import io.eitrelay.core.tls.SessionResumption;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one endpoint, readable from any thread (by the CLI, the demo and the tests), and the
 * same events published as Micrometer meters (names in {@link MeterNames}) to the registry given; with
 * none, {@link NoMetrics} makes every meter a no-op.
 */
public final class EndpointStats {
    private final MeterRegistry registry;
    /**
     * Where meters made on first use go (procedure timers, handshake failures): the registry until
     * {@link #unregister}, then nowhere, so the connections a removed endpoint lets finish leave no meter
     * behind under its name (guarded by this object's lock).
     */
    private MeterRegistry lateMeters;
    private final String endpoint;
    private final Tags tags;
    private final Counter bytesToTargetMeter;
    private final Counter bytesFromTargetMeter;
    private final Counter connectionsMeter;
    private final Counter failuresMeter;
    private final Counter framingErrorsMeter;
    private final Timer handshakeTime;
    private final Map<String, Timer> rpcTimers = new ConcurrentHashMap<>();
    private final LongAdder accepted = new LongAdder();
    private final AtomicLong active = new AtomicLong();
    private final LongAdder failed = new LongAdder();
    private final LongAdder bytesToTarget = new LongAdder();
    private final LongAdder bytesFromTarget = new LongAdder();
    private final LongAdder recordsToTarget = new LongAdder();
    private final LongAdder recordsFromTarget = new LongAdder();
    private final LongAdder framingErrors = new LongAdder();
    private final LongAdder tlsSessions = new LongAdder();
    private final LongAdder tlsResumed = new LongAdder();
    private final LongAdder tlsResumptionUnknown = new LongAdder();
    private final AtomicLong ownNotAfter = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong peerNotAfter = new AtomicLong(Long.MIN_VALUE);
    private final Counter refusedMeter;
    private final Counter targetSilentMeter;
    private final java.util.concurrent.atomic.LongAdder targetSilent = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder refused = new java.util.concurrent.atomic.LongAdder();
    private volatile String lastTlsProtocol = "";
    private volatile LastFailure lastFailure;
    private volatile String lastTlsCipher = "";

    /** Counters only, meters to nowhere (tests, the demo). */
    public EndpointStats() {
        this(NoMetrics.registry(), "endpoint");
    }

    public EndpointStats(MeterRegistry registry, String endpoint) {
        this.registry = registry;
        this.lateMeters = registry;
        this.endpoint = endpoint;
        this.tags = Tags.of(MeterNames.TAG_ENDPOINT, endpoint);
        this.bytesToTargetMeter = Counter.builder(MeterNames.BYTES).baseUnit("bytes").tags(tags)
                .tag(MeterNames.TAG_DIRECTION, "to_target").register(registry);
        this.bytesFromTargetMeter = Counter.builder(MeterNames.BYTES).baseUnit("bytes").tags(tags)
                .tag(MeterNames.TAG_DIRECTION, "from_target").register(registry);
        this.connectionsMeter = Counter.builder(MeterNames.CONNECTIONS).tags(tags).register(registry);
        this.failuresMeter = Counter.builder(MeterNames.CONNECTION_FAILURES).tags(tags).register(registry);
        this.framingErrorsMeter = Counter.builder(MeterNames.FRAMING_ERRORS).tags(tags).register(registry);
        this.refusedMeter = Counter.builder(MeterNames.CONNECTIONS_REFUSED).tags(tags)
                .tag(MeterNames.TAG_REASON, "local_access").register(registry);
        this.targetSilentMeter = Counter.builder(MeterNames.TARGET_SILENT).tags(tags).register(registry);
        this.handshakeTime = Timer.builder(MeterNames.HANDSHAKE_TIME).tags(tags).register(registry);
        registry.gauge(MeterNames.CONNECTIONS_ACTIVE, tags, active);
        registry.gauge(MeterNames.CERTIFICATE_EXPIRY_DAYS, tags.and(MeterNames.TAG_CERTIFICATE, "own"), ownNotAfter,
                EndpointStats::daysLeft);
        registry.gauge(MeterNames.CERTIFICATE_EXPIRY_DAYS, tags.and(MeterNames.TAG_CERTIFICATE, "peer"), peerNotAfter,
                EndpointStats::daysLeft);
    }

    /** Takes this endpoint's meters out of the registry (the endpoint was removed from a running relay). */
    public synchronized void unregister() {
        lateMeters = NoMetrics.registry();
        for (io.micrometer.core.instrument.Meter meter : List.copyOf(registry.getMeters())) {
            if (endpoint.equals(meter.getId().getTag(MeterNames.TAG_ENDPOINT))) {
                registry.remove(meter);
            }
        }
        rpcTimers.clear();
    }

    /** Days from now until {@code notAfter} (epoch seconds); NaN (no sample) while unknown. */
    private static double daysLeft(AtomicLong notAfter) {
        long seconds = notAfter.get();
        return seconds == Long.MIN_VALUE ? Double.NaN
                : (seconds - java.time.Instant.now().getEpochSecond()) / 86_400.0;
    }

    /** The certificate this endpoint presents (loaded at start and on reload). */
    public void ownCertificate(java.time.Instant notAfter) {
        ownNotAfter.set(notAfter.getEpochSecond());
    }

    /** The certificate the peer presented in the latest handshake. */
    public void peerCertificate(java.time.Instant notAfter) {
        peerNotAfter.set(notAfter.getEpochSecond());
    }

    /** Days until the peer's certificate (latest handshake) expires; NaN before any. */
    public double peerCertificateDaysLeft() {
        return daysLeft(peerNotAfter);
    }

    /** Days until our own certificate expires; NaN when the endpoint presents none. */
    public double ownCertificateDaysLeft() {
        return daysLeft(ownNotAfter);
    }

    /** A connection the local access policy turned away (never relayed, not in {@link #accepted}). */
    public void connectionRefused() {
        refused.increment();
        refusedMeter.increment();
    }

    public long refused() {
        return refused.sum();
    }

    /** The target stopped answering within the dead-target bound; the connection is being closed. */
    public void targetSilent() {
        targetSilent.increment();
        targetSilentMeter.increment();
    }

    public long targetSilentCount() {
        return targetSilent.sum();
    }

    public void connectionOpened() {
        accepted.increment();
        active.incrementAndGet();
        connectionsMeter.increment();
    }

    public void connectionClosed(boolean failure) {
        active.decrementAndGet();
        if (failure) {
            failed.increment();
            failuresMeter.increment();
        }
    }

    public void toTarget(int bytes) {
        bytesToTarget.add(bytes);
        bytesToTargetMeter.increment(bytes);
    }

    public void fromTarget(int bytes) {
        bytesFromTarget.add(bytes);
        bytesFromTargetMeter.increment(bytes);
    }

    /** A TLS handshake failed; {@code reason} is a small fixed category (see TlsFailures#category). */
    public synchronized void handshakeFailed(String reason) {
        lateMeters.counter(MeterNames.HANDSHAKES, tags.and(MeterNames.TAG_OUTCOME, "failure", MeterNames.TAG_REASON, reason))
                .increment();
    }

    /**
     * The timer of one program/version/procedure: time from the start of an ONC-RPC call to its reply
     * (callers on the data path keep the last one they used).
     */
    public Timer rpcTimer(String program, String version, String procedure) {
        String key = program + '/' + version + '/' + procedure;
        Timer timer = rpcTimers.get(key);
        return timer != null ? timer : newRpcTimer(key, program, version, procedure);
    }

    private synchronized Timer newRpcTimer(String key, String program, String version, String procedure) {
        return rpcTimers.computeIfAbsent(key, k -> Timer.builder(MeterNames.RPC_CALLS).tags(tags)
                .tag(MeterNames.TAG_PROGRAM, program).tag(MeterNames.TAG_VERSION, version)
                .tag(MeterNames.TAG_PROCEDURE, procedure).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(lateMeters));
    }

    public void recordsToTarget(int records) {
        recordsToTarget.add(records);
    }

    public void recordsFromTarget(int records) {
        recordsFromTarget.add(records);
    }

    public void framingError() {
        framingErrors.increment();
        framingErrorsMeter.increment();
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

    /** @param resumption whether the handshake resumed an earlier session, if the TLS provider tells */
    public void tlsEstablished(String protocol, String cipher, long handshakeNanos, SessionResumption resumption) {
        lastTlsProtocol = protocol;
        lastTlsCipher = cipher;
        tlsSessions.increment();
        if (resumption == SessionResumption.RESUMED) {
            tlsResumed.increment();
        } else if (resumption == SessionResumption.UNKNOWN) {
            tlsResumptionUnknown.increment();
        }
        registry.counter(MeterNames.HANDSHAKES, tags.and(MeterNames.TAG_OUTCOME, "success", MeterNames.TAG_REASON, "none"))
                .increment();
        registry.counter(MeterNames.TLS_SESSIONS, tags.and(MeterNames.TAG_PROTOCOL, protocol, MeterNames.TAG_CIPHER, cipher,
                MeterNames.TAG_RESUMED, resumption.tag)).increment();
        if (handshakeNanos > 0) {
            handshakeTime.record(handshakeNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** TLS sessions established (not the daemon's health probes). */
    public long tlsSessions() {
        return tlsSessions.sum();
    }

    /** Of {@link #tlsSessions()}, those that resumed an earlier session instead of a full handshake. */
    public long tlsResumed() {
        return tlsResumed.sum();
    }

    /** Of {@link #tlsSessions()}, those whose TLS provider does not tell whether they resumed (the JDK's). */
    public long tlsResumptionUnknown() {
        return tlsResumptionUnknown.sum();
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

    /** Why a connection failed (the reason its log line gives), and when. */
    public record LastFailure(java.time.Instant at, String reason) {
    }

    /**
     * Recorded when a connection fails, before it closes: whoever saw it end (a mount's readiness check,
     * status) finds the reason here already.
     */
    public void failureSeen(String reason) {
        lastFailure = new LastFailure(java.time.Instant.now(), reason);
    }

    /** The most recent connection failure of this endpoint, if any. */
    public java.util.Optional<LastFailure> lastFailure() {
        return java.util.Optional.ofNullable(lastFailure);
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
