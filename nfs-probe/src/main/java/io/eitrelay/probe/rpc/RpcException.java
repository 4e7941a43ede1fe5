package io.eitrelay.probe.rpc;

/** The server answered, but not with success: the message says what it answered (RFC 5531 §9). */
public final class RpcException extends Exception {
    private static final long serialVersionUID = 1L;

    public RpcException(String message) {
        super(message);
    }
}
