package io.eitrelay.probe.xdr;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Reads XDR (RFC 4506); every length read is checked against what is left and a cap. */
public final class XdrReader {
    private final ByteBuffer buffer;

    public XdrReader(byte[] bytes) {
        this.buffer = ByteBuffer.wrap(bytes);
    }

    public int readInt() {
        need(4, "int");
        return buffer.getInt();
    }

    public long readLong() {
        need(8, "hyper");
        return buffer.getLong();
    }

    /** A variable-length opaque of at most {@code max} bytes. */
    public byte[] readOpaque(int max) {
        int length = readInt();
        if (length < 0 || length > max) {
            throw new XdrException("opaque of " + (length & 0xffffffffL) + " bytes exceeds its limit of " + max);
        }
        need(length, "opaque");
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        skip((4 - (length & 3)) & 3);
        return bytes;
    }

    public String readString(int max) {
        return new String(readOpaque(max), StandardCharsets.UTF_8);
    }

    public void skip(int bytes) {
        need(bytes, "padding");
        buffer.position(buffer.position() + bytes);
    }

    public int remaining() {
        return buffer.remaining();
    }

    private void need(int bytes, String what) {
        if (buffer.remaining() < bytes) {
            throw new XdrException("reply ends inside an XDR " + what + " (" + buffer.remaining() + " of " + bytes + " bytes left)");
        }
    }
}
