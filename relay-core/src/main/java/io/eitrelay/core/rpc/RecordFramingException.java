package io.eitrelay.core.rpc;

import io.netty.handler.codec.DecoderException;

/** The byte stream is not ONC-RPC record-marked, or a record exceeds the cap: the connection is closed. */
public final class RecordFramingException extends DecoderException {
    private static final long serialVersionUID = 1L;

    public RecordFramingException(String message) {
        super(message);
    }
}
