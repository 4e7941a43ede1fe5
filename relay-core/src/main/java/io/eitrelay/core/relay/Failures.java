package io.eitrelay.core.relay;

import io.eitrelay.core.tls.TlsFailures;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.util.List;
import javax.net.ssl.SSLException;

/** Classifies what went wrong on one channel of a pair, for the single log line. */
final class Failures {
    private static final int MAX_CAUSE_DEPTH = 16;

    private Failures() {
    }

    /** True when the cause is TLS-level (handshake, verification, bad record), not the socket. */
    static boolean isTls(Throwable cause) {
        Throwable t = cause;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    /**
     * How the kernel ends an established connection whose peer stopped answering: sent data stayed
     * unacknowledged for TCP_USER_TIMEOUT, or keepalive probes went unanswered (tcp(7)). The error is
     * ETIMEDOUT, or the last soft error seen meanwhile when there was one (tcp_write_err() reports
     * sk_err_soft first): EHOSTUNREACH / ENETUNREACH after an ICMP unreachable or a lost carrier.
     * Matched on strerror's text, which both transports carry (epoll's NativeIoException, NIO's IOException).
     */
    private static final List<String> SILENT_PEER_ERRORS =
            List.of("Connection timed out", "No route to host", "Network is unreachable");

    /** True when an established connection ended because its peer went silent (see above). */
    static boolean isPeerSilent(Throwable cause) {
        Throwable t = cause;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof ConnectTimeoutException) {
                return false;
            }
            String message = t.getMessage();
            if (t instanceof IOException && message != null && SILENT_PEER_ERRORS.stream().anyMatch(message::contains)) {
                return true;
            }
        }
        return false;
    }

    static String describe(Throwable cause) {
        if (isTls(cause)) {
            return TlsFailures.describe(cause);
        }
        StringBuilder text = new StringBuilder();
        Throwable t = cause;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName()
                    : (t instanceof IOException || t instanceof ConnectTimeoutException) ? t.getMessage() : t.toString();
            if (text.indexOf(message) < 0) {
                text.append(text.length() == 0 ? "" : ": ").append(message);
            }
        }
        return text.toString();
    }
}
