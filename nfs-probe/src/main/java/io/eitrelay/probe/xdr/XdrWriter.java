package io.eitrelay.probe.xdr;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Writes XDR (RFC 4506): big-endian 4-byte units, opaques and strings padded to 4 bytes. */
public final class XdrWriter {
    private ByteBuffer buffer = ByteBuffer.allocate(256);

    public XdrWriter writeInt(int value) {
        ensure(4);
        buffer.putInt(value);
        return this;
    }

    public XdrWriter writeLong(long value) {
        ensure(8);
        buffer.putLong(value);
        return this;
    }

    /** Variable-length opaque: length, bytes, zero padding to a multiple of 4 (RFC 4506 §4.10). */
    public XdrWriter writeOpaque(byte[] bytes) {
        writeInt(bytes.length);
        ensure(bytes.length + 3);
        buffer.put(bytes);
        buffer.put(new byte[(4 - (bytes.length & 3)) & 3]);
        return this;
    }

    public XdrWriter writeString(String value) {
        return writeOpaque(value.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    private void ensure(int more) {
        if (buffer.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + more));
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
    }
}
