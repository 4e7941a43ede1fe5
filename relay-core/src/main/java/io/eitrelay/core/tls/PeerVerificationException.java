package io.eitrelay.core.tls;

import java.security.cert.CertificateException;

/**
 * The peer's certificate was refused; the message is the reason a user reads in the log, shaped like
 * OpenSSL's so that helpers grepping for "certificate verify failed" (AZNFS) still find it.
 */
public final class PeerVerificationException extends CertificateException {
    private static final long serialVersionUID = 1L;

    PeerVerificationException(String reason) {
        super("certificate verify failed: " + reason);
    }

    PeerVerificationException(String reason, Throwable cause) {
        super("certificate verify failed: " + reason, cause);
    }
}
