package io.eitrelay.bench.load;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The load's wire format: genuine ONC-RPC records (RFC 5531 §9 call and reply headers, §11 record
 * marks), so that the relay's framing and per-procedure metrics see what they see under NFS. A call
 * carries, as its first argument, how many bytes its reply should take on the wire; the rest is padding.
 */
public final class RpcMessages {
    /** Record mark: last-fragment bit plus a 31-bit length (RFC 5531 §11). */
    static final int LAST_FRAGMENT = 0x8000_0000;
    static final int MARK_BYTES = 4;
    /** xid, msg_type, rpcvers, prog, vers, proc, cred (flavor, length), verf (flavor, length). */
    static final int CALL_HEADER_BYTES = 40;
    /** xid, msg_type, reply_stat, verf (flavor, length), accept_stat. */
    static final int REPLY_HEADER_BYTES = 24;
    static final int CALL = 0;
    static final int REPLY = 1;
    static final int RPC_VERSION = 2;
    /** NFS version 3 (RFC 1813): the relay's metrics name its procedures. */
    public static final int NFS_PROGRAM = 100003;
    public static final int NFS_V3 = 3;
    public static final int PROC_NULL = 0;
    public static final int PROC_READ = 6;
    public static final int PROC_WRITE = 7;
    /** The smallest call on the wire: mark, header, the reply-size argument. */
    public static final int MIN_CALL_BYTES = MARK_BYTES + CALL_HEADER_BYTES + 4;
    /** The smallest reply on the wire: mark and header. */
    public static final int MIN_REPLY_BYTES = MARK_BYTES + REPLY_HEADER_BYTES;
    /** Larger records are refused by the load server (the relay's own default cap is 1 MiB + 64 KiB). */
    public static final int MAX_RECORD_BYTES = (1 << 20) + (64 << 10);

    private RpcMessages() {
    }

    /** A call record of {@code wireBytes} asking for a reply of {@code replyWireBytes}, xid to be set. */
    public static byte[] call(int procedure, int wireBytes, int replyWireBytes) {
        if (wireBytes < MIN_CALL_BYTES || wireBytes - MARK_BYTES > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("call size " + wireBytes + " outside " + MIN_CALL_BYTES + ".." + MAX_RECORD_BYTES);
        }
        if (replyWireBytes < MIN_REPLY_BYTES || replyWireBytes - MARK_BYTES > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("reply size " + replyWireBytes + " outside " + MIN_REPLY_BYTES + ".." + MAX_RECORD_BYTES);
        }
        ByteBuffer b = ByteBuffer.allocate(wireBytes);
        b.putInt(LAST_FRAGMENT | (wireBytes - MARK_BYTES));
        b.putInt(0).putInt(CALL).putInt(RPC_VERSION).putInt(NFS_PROGRAM).putInt(NFS_V3).putInt(procedure);
        b.putInt(0).putInt(0).putInt(0).putInt(0); // AUTH_NONE credential and verifier
        b.putInt(replyWireBytes);
        return b.array();
    }

    /** Sets the xid of a call or reply record built here. */
    public static void setXid(byte[] record, int xid) {
        record[4] = (byte) (xid >>> 24);
        record[5] = (byte) (xid >>> 16);
        record[6] = (byte) (xid >>> 8);
        record[7] = (byte) xid;
    }

    /** An accepted, successful reply record of {@code wireBytes}, xid to be set. */
    static byte[] reply(int wireBytes) {
        ByteBuffer b = ByteBuffer.allocate(wireBytes);
        b.putInt(LAST_FRAGMENT | (wireBytes - MARK_BYTES));
        b.putInt(0).putInt(REPLY).putInt(0).putInt(0).putInt(0).putInt(0);
        return b.array();
    }

    /**
     * Reads one whole record into {@code buffer} (growing it up to the cap) and returns it; the
     * record's payload length is in {@code length[0]}.
     */
    static byte[] readRecord(DataInputStream in, byte[] buffer, int[] length) throws IOException {
        int total = 0;
        while (true) {
            int mark = in.readInt();
            int fragment = mark & ~LAST_FRAGMENT;
            if (total + (long) fragment > MAX_RECORD_BYTES) {
                throw new IOException("record over " + MAX_RECORD_BYTES + " bytes");
            }
            if (buffer.length < total + fragment) {
                buffer = java.util.Arrays.copyOf(buffer, Math.max(total + fragment, buffer.length * 2));
            }
            in.readFully(buffer, total, fragment);
            total += fragment;
            if ((mark & LAST_FRAGMENT) != 0) {
                length[0] = total;
                return buffer;
            }
        }
    }

    static int intAt(byte[] b, int offset) {
        return (b[offset] & 0xff) << 24 | (b[offset + 1] & 0xff) << 16 | (b[offset + 2] & 0xff) << 8 | (b[offset + 3] & 0xff);
    }
}
