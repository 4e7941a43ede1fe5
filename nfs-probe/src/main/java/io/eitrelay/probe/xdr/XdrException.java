package io.eitrelay.probe.xdr;

/** A reply that does not decode as the XDR it should be (RFC 4506). */
public final class XdrException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public XdrException(String message) {
        super(message);
    }
}
