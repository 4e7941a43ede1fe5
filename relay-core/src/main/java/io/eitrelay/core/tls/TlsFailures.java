package io.eitrelay.core.tls;

import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import java.util.Locale;

/**
 * Turns a TLS failure into the one line a user reads. Engines bury the reason: BoringSSL reports
 * "General OpenSslEngine problem" with the trust manager's exception somewhere in the cause chain,
 * and alerts arrive as library error strings.
 */
public final class TlsFailures {
    private static final int MAX_CAUSE_DEPTH = 16;

    private TlsFailures() {
    }

    /** What went wrong, as a metric tag (a small fixed set) and as the line a user reads. */
    public record Failure(String category, String message) { }

    public static String describe(Throwable failure) {
        return classify(failure).message();
    }

    public static String category(Throwable failure) {
        return classify(failure).category();
    }

    public static Failure classify(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof PeerVerificationException refused) {
                return new Failure(refused.category(), t.getMessage());
            }
            if (t instanceof SslHandshakeTimeoutException) {
                return new Failure("timeout", "TLS handshake timed out (" + t.getMessage() + ")");
            }
            if (t instanceof RenegotiationRefusedException) {
                return new Failure("renegotiation", t.getMessage());
            }
            if (t instanceof CertificateException) {
                return new Failure("verify", "certificate verify failed: " + t.getMessage());
            }
        }
        String all = messages(failure);
        String lower = all.toLowerCase(Locale.ROOT);
        if (lower.contains("no_renegotiation") || lower.contains("renegotiation is not allowed")) {
            // BoringSSL's answer to a HelloRequest under SSL_RENEGOTIATE_NEVER (ClientEngines), a peer's,
            // or the JDK server's under jdk.tls.rejectClientInitiatedRenegotiation (TlsContexts).
            return new Failure("renegotiation", "renegotiation refused (this relay never renegotiates): " + all);
        }
        if (lower.contains("protocol_version") || lower.contains("unsupported_protocol")
                || lower.contains("no appropriate protocol") || lower.contains("protocol version")) {
            return new Failure("protocol_version", "no common TLS version (this relay speaks TLS 1.2 and 1.3 only): " + all);
        }
        if (lower.contains("no_shared_cipher") || lower.contains("no cipher suites in common")
                || lower.contains("handshake_failure") || lower.contains("no_cipher_match")) {
            return new Failure("cipher", "no common cipher suite (this relay offers AEAD suites only): " + all);
        }
        if (lower.contains("certificate_unknown") || lower.contains("bad_certificate")
                || lower.contains("unknown_ca") || lower.contains("certificate_required")
                || lower.contains("certificate_expired")) {
            return new Failure("peer_refused_certificate", "the peer refused our certificate: " + all);
        }
        if (lower.contains("peer_did_not_return_a_certificate") || lower.contains("empty client certificate chain")) {
            return new Failure("no_client_certificate",
                    "the client presented no certificate; this endpoint requires one issued by its CA file");
        }
        if (lower.contains("alert_internal_error") || lower.contains("internal_error")) {
            return new Failure("peer_aborted", "the peer aborted the handshake (alert internal_error; a BoringSSL/OpenSSL "
                    + "peer sends it when it refuses our certificate): " + all);
        }
        if (failure instanceof ClosedChannelException || lower.contains("closed")) {
            return new Failure("closed", "the peer closed the connection during the TLS handshake");
        }
        return new Failure("other", "TLS failure: " + all);
    }

    private static String messages(Throwable failure) {
        StringBuilder out = new StringBuilder();
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && out.indexOf(message) < 0) {
                if (out.length() > 0) {
                    out.append(": ");
                }
                out.append(message);
            }
        }
        return out.length() == 0 ? failure.getClass().getSimpleName() : out.toString();
    }
}
