package io.eitrelay.core.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Map;

/**
 * Every meter the relay publishes, declared once. These names (and their tags) are API: dashboards and
 * alerts depend on them. The README's metrics table documents them; MeterNamesTest checks each appears.
 * Prometheus renders dots as underscores and adds unit suffixes ({@code eitrelay_bytes_total}).
 */
public final class MeterNames {
    /** Counter, bytes relayed. Tags: endpoint, direction = to_target | from_target. */
    public static final String BYTES = "eitrelay.bytes";
    /** Counter, connections accepted (not the daemon's health probes, which no meter counts). Tags: endpoint. */
    public static final String CONNECTIONS = "eitrelay.connections";
    /** Gauge, connections open now. Tags: endpoint. */
    public static final String CONNECTIONS_ACTIVE = "eitrelay.connections.active";
    /** Counter, connections refused before relaying anything. Tags: endpoint, reason = local_access. */
    public static final String CONNECTIONS_REFUSED = "eitrelay.connections.refused";
    /**
     * Counter, connections closed because the target stopped answering: no acknowledgement of sent data or
     * no keepalive reply within the dead-target bound (TCP_USER_TIMEOUT / keepalive, ETIMEDOUT). Also
     * counted in {@link #CONNECTION_FAILURES}. Tags: endpoint.
     */
    public static final String TARGET_SILENT = "eitrelay.target.silent";
    /** Counter, connections that ended with a failure (handshake, verification, reset, timeout, framing). Tags: endpoint. */
    public static final String CONNECTION_FAILURES = "eitrelay.connection.failures";
    /**
     * Counter, TLS handshakes. Tags: endpoint, outcome = success | failure, reason (the failure's category,
     * such as verify, revoked, ocsp_unavailable, timeout; "none" for a success).
     */
    public static final String HANDSHAKES = "eitrelay.tls.handshakes";
    /** Timer, TLS handshake duration (successful ones). Tags: endpoint. */
    public static final String HANDSHAKE_TIME = "eitrelay.tls.handshake.time";
    /**
     * Counter, established TLS sessions by what was negotiated. Tags: endpoint, protocol, cipher, resumed = true
     * (an abbreviated handshake resumed an earlier session: RFC 5246 §7.3, RFC 8446 §2.2) | false (a full one)
     * | unknown (the JDK provider does not tell).
     */
    public static final String TLS_SESSIONS = "eitrelay.tls.sessions";
    /** Timer with percentile histogram, ONC-RPC call to reply. Tags: endpoint, program, version, procedure. */
    public static final String RPC_CALLS = "eitrelay.rpc.calls";
    /** Counter, connections closed because the stream broke ONC-RPC record framing or the size cap. Tags: endpoint. */
    public static final String FRAMING_ERRORS = "eitrelay.rpc.framing.errors";

    /**
     * Gauge, days until a certificate expires (negative once expired; absent until known). Tags: endpoint,
     * certificate = own (the one this endpoint presents) | peer (the one presented to it most recently).
     */
    public static final String CERTIFICATE_EXPIRY_DAYS = "eitrelay.certificate.expiry.days";

    /**
     * Gauge, published by {@code eit-relay daemon} and by the standalone relay with {@code --probe-interval}:
     * 1 when its latest health probe through a client endpoint (an ONC-RPC NULL call: listener, TLS, server)
     * got a reply, 0 when it did not; no sample before the first probe. Tags: endpoint.
     */
    public static final String HEALTH = "eitrelay.health";

    /** Tag keys. */
    public static final String TAG_ENDPOINT = "endpoint";
    public static final String TAG_DIRECTION = "direction";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_REASON = "reason";
    public static final String TAG_PROTOCOL = "protocol";
    public static final String TAG_CIPHER = "cipher";
    public static final String TAG_RESUMED = "resumed";
    public static final String TAG_PROGRAM = "program";
    public static final String TAG_VERSION = "version";
    public static final String TAG_PROCEDURE = "procedure";
    public static final String TAG_CERTIFICATE = "certificate";

    /** One line per meter, the HELP text of a Prometheus scrape (the tags are in the names' comments above). */
    private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry(BYTES, "Bytes relayed, by direction"),
            Map.entry(CONNECTIONS, "Connections accepted (not the daemon's health probes)"),
            Map.entry(CONNECTIONS_ACTIVE, "Connections open now"),
            Map.entry(CONNECTIONS_REFUSED, "Connections refused before anything was relayed, by reason"),
            Map.entry(TARGET_SILENT, "Connections closed because the target stopped answering (also counted as failures)"),
            Map.entry(CONNECTION_FAILURES, "Connections that ended with a failure (handshake, verification, reset, timeout, framing)"),
            Map.entry(HANDSHAKES, "TLS handshakes, by outcome and failure reason"),
            Map.entry(HANDSHAKE_TIME, "Duration of successful TLS handshakes"),
            Map.entry(TLS_SESSIONS, "Established TLS sessions, by protocol, cipher and whether an earlier session was resumed"),
            Map.entry(RPC_CALLS, "ONC-RPC call to reply, by program, version and procedure"),
            Map.entry(FRAMING_ERRORS, "Connections closed for breaking ONC-RPC record framing or the record-size cap"),
            Map.entry(CERTIFICATE_EXPIRY_DAYS, "Days until a certificate (own, or the peer's latest) expires; negative once expired"),
            Map.entry(HEALTH, "1 when the latest health probe (an RPC NULL call) through the endpoint got a reply, 0 when not"));

    /** The description of a meter named here, or null. */
    public static String description(String name) {
        return DESCRIPTIONS.get(name);
    }

    /**
     * Gives each of these meters its description, wherever it is registered (so no registration site repeats
     * it). Configure it on a registry before any meter is registered there.
     */
    public static MeterFilter descriptions() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String description = DESCRIPTIONS.get(id.getName());
                return description == null || id.getDescription() != null ? id
                        : new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
            }
        };
    }

    private MeterNames() {
    }
}
