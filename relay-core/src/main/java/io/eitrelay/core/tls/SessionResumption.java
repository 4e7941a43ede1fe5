package io.eitrelay.core.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import javax.net.ssl.SSLEngine;

/**
 * Whether a finished handshake resumed an earlier session -- an abbreviated handshake by session ID or
 * ticket (RFC 5246 §7.3, RFC 5077) or by pre-shared key (RFC 8446 §2.2) -- instead of a full one. An
 * nconnect mount's second and later connections, and every reconnect, should resume: users ask for that
 * (user-pain-points.md), and a count of full handshakes that keeps rising shows when it does not happen.
 */
public enum SessionResumption {
    RESUMED("true"), FULL("false"),
    /**
     * The JDK's engine does not tell. (Inferring it from the session's creation time was tried: a full
     * handshake's new session sometimes predated the handshake's start by the clocks, so it is not done.)
     */
    UNKNOWN("unknown");

    /** The value of the sessions meter's {@code resumed} tag. */
    public final String tag;

    SessionResumption(String tag) {
        this.tag = tag;
    }

    /** Call once the handshake has finished, on the connection's event loop. */
    public static SessionResumption of(SSLEngine engine) {
        if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
            // BoringSSL's SSL_session_reused. Netty keeps the engine's own accessor package-private.
            long ssl = openSsl.sslPointer();
            if (ssl != 0) {
                return SSL.isSessionReused(ssl) ? RESUMED : FULL;
            }
        }
        return UNKNOWN;
    }
}
