package io.eitrelay.core.relay;

import io.eitrelay.core.tls.TlsFailures;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
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
