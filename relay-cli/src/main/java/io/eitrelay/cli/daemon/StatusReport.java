package io.eitrelay.cli.daemon;

import io.eitrelay.core.EndpointListener;
import io.eitrelay.core.EndpointStats;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.cli.daemon.HealthChecks.Health;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@code eit-relay status}: one block per endpoint for people, or JSON for scripts ({@code --json}):
 * target, connections, bytes, TLS, certificate expiry, the last health probe, and for a mount's endpoint
 * what mounts it.
 */
final class StatusReport {
    private final List<EndpointListener> endpoints;
    private final List<String> notRunning;
    private final Function<String, Health> health;
    private final Function<String, String> mountUse;

    StatusReport(List<EndpointListener> endpoints, List<String> notRunning, Function<String, Health> health,
                 Function<String, String> mountUse) {
        this.endpoints = endpoints;
        this.notRunning = notRunning;
        this.health = health;
        this.mountUse = mountUse;
    }

    String text() {
        Instant now = Instant.now();
        StringBuilder out = new StringBuilder();
        for (EndpointListener endpoint : endpoints) {
            EndpointConfig config = endpoint.config();
            EndpointStats stats = endpoint.stats();
            out.append(String.format(Locale.ROOT, "[%s] %s -> %s (%s mode)%n", config.name(),
                    address(endpoint.boundAddress()), config.target(), mode(config)));
            out.append(String.format(Locale.ROOT, "  connections: %d open, %d accepted, %d failed%n",
                    stats.active(), stats.accepted(), stats.failed()));
            out.append(String.format(Locale.ROOT, "  bytes: %d to target, %d from target%n",
                    stats.bytesToTarget(), stats.bytesFromTarget()));
            out.append(String.format(Locale.ROOT, "  TLS: %s%n", stats.lastTlsProtocol().isEmpty() ? "no session yet"
                    : String.format(Locale.ROOT, "%s %s; sessions: %d (%d resumed%s)", stats.lastTlsProtocol(),
                    stats.lastTlsCipher(), stats.tlsSessions(), stats.tlsResumed(), stats.tlsResumptionUnknown() == 0 ? ""
                            : ", " + stats.tlsResumptionUnknown() + " not known: the JDK provider does not tell")));
            out.append(String.format(Locale.ROOT, "  certificate expiry: ours %s, peer's %s%n",
                    days(stats.ownCertificateDaysLeft()), days(stats.peerCertificateDaysLeft())));
            out.append("  health: ").append(healthText(endpoint, now)).append('\n');
            stats.lastFailure().ifPresent(last -> out.append(String.format(Locale.ROOT, "  last failure: %d s ago: %s%n",
                    Duration.between(last.at(), now).toSeconds(), last.reason())));
            String use = mountUse.apply(config.name());
            if (use != null) {
                out.append("  mount: ").append(use).append('\n');
            }
        }
        for (String name : notRunning) {
            out.append("[").append(name).append("] saved but not running (see the daemon's log)\n");
        }
        if (out.length() == 0) {
            out.append("no endpoints\n");
        }
        return out.toString();
    }

    String json() {
        Instant now = Instant.now();
        StringBuilder out = new StringBuilder("{\"endpoints\":[");
        for (int i = 0; i < endpoints.size(); i++) {
            EndpointListener endpoint = endpoints.get(i);
            EndpointConfig config = endpoint.config();
            EndpointStats stats = endpoint.stats();
            out.append(i == 0 ? "" : ",").append('{')
                    .append("\"name\":").append(string(config.name()))
                    .append(",\"listen\":").append(string(address(endpoint.boundAddress())))
                    .append(",\"target\":").append(string(config.target().toString()))
                    .append(",\"mode\":").append(string(mode(config)))
                    .append(",\"connections_open\":").append(stats.active())
                    .append(",\"connections_accepted\":").append(stats.accepted())
                    .append(",\"connections_failed\":").append(stats.failed())
                    .append(",\"bytes_to_target\":").append(stats.bytesToTarget())
                    .append(",\"bytes_from_target\":").append(stats.bytesFromTarget())
                    .append(",\"tls_protocol\":").append(optional(stats.lastTlsProtocol()))
                    .append(",\"tls_cipher\":").append(optional(stats.lastTlsCipher()))
                    .append(",\"tls_sessions\":").append(stats.tlsSessions())
                    .append(",\"tls_sessions_resumed\":").append(stats.tlsResumed())
                    .append(",\"tls_sessions_resumption_unknown\":").append(stats.tlsResumptionUnknown())
                    .append(",\"own_certificate_days_left\":").append(number(stats.ownCertificateDaysLeft()))
                    .append(",\"peer_certificate_days_left\":").append(number(stats.peerCertificateDaysLeft()))
                    .append(",\"health\":").append(healthJson(health.apply(config.name()), now))
                    .append(",\"last_failure\":").append(stats.lastFailure().map(last -> "{\"seconds_ago\":"
                            + Duration.between(last.at(), now).toSeconds() + ",\"reason\":" + string(last.reason()) + "}")
                            .orElse("null"))
                    .append(",\"mount\":").append(optional(Objects.requireNonNullElse(mountUse.apply(config.name()), "")))
                    .append('}');
        }
        out.append("],\"not_running\":[");
        for (int i = 0; i < notRunning.size(); i++) {
            out.append(i == 0 ? "" : ",").append(string(notRunning.get(i)));
        }
        return out.append("]}\n").toString();
    }

    private String healthText(EndpointListener endpoint, Instant now) {
        if (!HealthChecks.probed(endpoint)) {
            return "not probed (server mode or no RPC framing)";
        }
        Health last = health.apply(endpoint.name());
        if (last == null) {
            return "not probed yet";
        }
        return String.format(Locale.ROOT, "%s, %.1f ms, %d s ago (%s)", last.ok() ? "ok" : "FAILED", last.millis(),
                Duration.between(last.at(), now).toSeconds(), last.detail());
    }

    private static String healthJson(Health last, Instant now) {
        if (last == null) {
            return "null";
        }
        return "{\"ok\":" + last.ok() + ",\"seconds_ago\":" + Duration.between(last.at(), now).toSeconds()
                + ",\"latency_ms\":" + number(last.millis()) + ",\"detail\":" + string(last.detail()) + "}";
    }

    static String address(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static String mode(EndpointConfig config) {
        return config.mode().name().toLowerCase(Locale.ROOT);
    }

    private static String days(double days) {
        return Double.isNaN(days) ? "unknown" : String.format(Locale.ROOT, "%.1f days", days);
    }

    private static String number(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "null" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static String optional(String value) {
        return value.isEmpty() ? "null" : string(value);
    }

    /** A JSON string (RFC 8259 §7): quotes, backslashes and control characters escaped. */
    static String string(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
