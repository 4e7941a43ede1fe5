package io.eitrelay.core.tls;

import java.security.cert.CertificateException;

/**
 * The peer's certificate was refused; the message is the reason a user reads in the log, shaped like
 * OpenSSL's so that helpers grepping for "certificate verify failed" (AZNFS) still find it.
 */
public final class PeerVerificationException extends CertificateException {
    private static final long serialVersionUID = 1L;
    /** The handshake failure's metric tag: any refusal of the certificate itself. */
    static final String VERIFY = "verify";
    /** OCSP said the certificate is revoked. */
    static final String REVOKED = "revoked";
    /** No conclusive OCSP answer while one is required: unreachable, unknown, stale, ... (a network matter). */
    static final String OCSP_UNAVAILABLE = "ocsp_unavailable";

    private final String category;

    PeerVerificationException(String reason) {
        this(reason, VERIFY);
    }

    PeerVerificationException(String reason, Throwable cause) {
        super("certificate verify failed: " + reason, cause);
        this.category = VERIFY;
    }

    PeerVerificationException(String reason, String category) {
        super("certificate verify failed: " + reason);
        this.category = category;
    }

    /** {@link #VERIFY}, {@link #REVOKED} or {@link #OCSP_UNAVAILABLE}: the reason tag of the handshake failure. */
    String category() {
        return category;
    }
}
