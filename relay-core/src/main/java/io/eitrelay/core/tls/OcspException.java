package io.eitrelay.core.tls;

/**
 * One OCSP responder gave no usable answer: unreachable, an HTTP or OCSP error status, a malformed,
 * unsigned, wrongly signed or stale response. The message says which, for the refusal's log line.
 */
final class OcspException extends Exception {
    private static final long serialVersionUID = 1L;

    OcspException(String message) {
        super(message);
    }

    OcspException(String message, Throwable cause) {
        super(message, cause);
    }
}
