package io.eitrelay.core.tls;

import javax.net.ssl.SSLHandshakeException;

/** The TLS 1.2 server asked our client for a new handshake on an established connection; we never take part. */
public final class RenegotiationRefusedException extends SSLHandshakeException {
    private static final long serialVersionUID = 1L;

    public RenegotiationRefusedException() {
        super("the server asked to renegotiate the TLS session; refused (this relay never renegotiates)");
    }
}
