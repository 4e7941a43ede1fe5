package io.eitrelay.core.config;

/**
 * ONC-RPC record-mark awareness on the plaintext side (RFC 5531 §11): when enabled, a stream that is
 * not record-marked, or a record above {@code maxRecordBytes}, closes that connection.
 */
public record RecordFraming(boolean enabled, int maxRecordBytes) {
    /** 1 MiB + 64 KiB: NFS rsize/wsize top out at 1 MiB (see RecordMark.DEFAULT_MAX_RECORD). */
    public static final int DEFAULT_MAX_RECORD = (1 << 20) + (64 << 10);

    public RecordFraming {
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("maxRecordBytes must be positive but was " + maxRecordBytes);
        }
    }

    /** Bytes relayed as they are, unchecked. */
    public static RecordFraming off() {
        return new RecordFraming(false, DEFAULT_MAX_RECORD);
    }

    public static RecordFraming on(int maxRecordBytes) {
        return new RecordFraming(true, maxRecordBytes);
    }
}
