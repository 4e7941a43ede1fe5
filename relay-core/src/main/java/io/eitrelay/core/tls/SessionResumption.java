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
public final class SessionResumption {
    private SessionResumption() {
    }

    /**
     * @param handshakeStartMillis wall-clock time the handshake began, for the JDK engine (below)
     */
    public static boolean resumed(SSLEngine engine, long handshakeStartMillis) {
        if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
            // BoringSSL's SSL_session_reused. Netty keeps the engine's own accessor package-private.
            long ssl = openSsl.sslPointer();
            return ssl != 0 && SSL.isSessionReused(ssl);
        }
        // The JDK's engine has no accessor. A resumed session is the cached one (TLS 1.2), or built from its
        // ticket (TLS 1.3), and keeps that session's creation time; a full handshake creates a new session.
        return engine.getSession().getCreationTime() < handshakeStartMillis;
    }
}
