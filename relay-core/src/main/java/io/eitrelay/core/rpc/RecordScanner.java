package io.eitrelay.core.rpc;

import io.netty.buffer.ByteBuf;

/**
 * Follows the record marks of one direction of a byte stream, chunk by chunk, without holding any
 * byte: it only reads the chunks it is shown (never moves their reader index) and keeps a few
 * counters. The relay forwards cut-through; this tells it where records end and refuses a stream
 * that breaks the framing. Memory is constant whatever the input.
 */
public final class RecordScanner {
    /**
     * Bytes of each record handed to the listener: an RPC call header is xid, msg_type, rpcvers, prog,
     * vers, proc, six 4-byte XDR words (RFC 5531 §9); a reply needs only the first two.
     */
    public static final int HEADER_BYTES = 24;

    /** Told the first bytes of every record (fewer if the record is shorter). */
    public interface HeaderListener {
        void recordHeader(byte[] header, int length);
    }

    private final int maxRecordBytes;
    private final HeaderListener listener;
    private final byte[] header;
    private int headerLength;
    private boolean headerDelivered;
    private int markBytes;          // bytes of the current mark seen so far (0..3 between chunks)
    private int mark;               // the mark being assembled
    private long fragmentRemaining; // payload bytes of the current fragment still to come
    private boolean lastFragment;   // the current fragment ends its record
    private long recordBytes;       // payload bytes of the current record so far
    private long records;

    public RecordScanner(int maxRecordBytes) {
        this(maxRecordBytes, null);
    }

    public RecordScanner(int maxRecordBytes, HeaderListener listener) {
        this(maxRecordBytes, listener, HEADER_BYTES);
    }

    /** @param captureBytes how many leading bytes of each record the listener gets (at least the RPC header) */
    public RecordScanner(int maxRecordBytes, HeaderListener listener, int captureBytes) {
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("maxRecordBytes must be positive: " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
        this.listener = listener;
        this.header = new byte[Math.max(HEADER_BYTES, captureBytes)];
    }

    /**
     * Scans the readable bytes of {@code chunk}; returns how many records ended in it.
     *
     * @throws RecordFramingException when a record would exceed the cap (which also catches a stream
     *         that is not record-marked at all: its first four bytes read as an absurd length)
     */
    public int scan(ByteBuf chunk) {
        int ended = 0;
        int index = chunk.readerIndex();
        int end = chunk.writerIndex();
        while (index < end) {
            if (fragmentRemaining > 0) {
                int skip = (int) Math.min(fragmentRemaining, end - index);
                if (listener != null && !headerDelivered) {
                    int copy = Math.min(skip, header.length - headerLength);
                    chunk.getBytes(index, header, headerLength, copy);
                    headerLength += copy;
                    if (headerLength == header.length) {
                        deliverHeader();
                    }
                }
                index += skip;
                fragmentRemaining -= skip;
                if (fragmentRemaining == 0 && lastFragment) {
                    ended += endRecord();
                }
                continue;
            }
            mark = (mark << 8) | (chunk.getByte(index++) & 0xff);
            if (++markBytes < RecordMark.SIZE) {
                continue;
            }
            markBytes = 0;
            int length = RecordMark.fragmentLength(mark);
            lastFragment = RecordMark.isLastFragment(mark);
            mark = 0;
            recordBytes += length;
            if (recordBytes > maxRecordBytes) {
                throw new RecordFramingException("ONC-RPC record of at least " + recordBytes
                        + " bytes exceeds the cap of " + maxRecordBytes + " bytes (not record-marked, or corrupt)");
            }
            fragmentRemaining = length;
            if (length == 0 && lastFragment) {
                ended += endRecord();
            }
        }
        return ended;
    }

    private void deliverHeader() {
        headerDelivered = true;
        listener.recordHeader(header, headerLength);
    }

    private int endRecord() {
        if (listener != null && !headerDelivered) {
            deliverHeader();
        }
        headerLength = 0;
        headerDelivered = false;
        recordBytes = 0;
        lastFragment = false;
        records++;
        return 1;
    }

    /** Records completed so far. */
    public long records() {
        return records;
    }

    /** True between records: every byte seen belongs to a complete record. */
    public boolean atRecordBoundary() {
        return markBytes == 0 && fragmentRemaining == 0 && recordBytes == 0 && !lastFragment;
    }
}
