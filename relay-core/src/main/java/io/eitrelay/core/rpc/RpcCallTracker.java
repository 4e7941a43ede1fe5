package io.eitrelay.core.rpc;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Matches replies to calls by xid on one connection, to time each call (RFC 5531 §9: a reply carries
 * its call's xid). Memory is bounded: at most {@link #MAX_OUTSTANDING} calls are remembered (the oldest
 * is forgotten first), and calls older than {@link #EXPIRY_NANOS} are dropped.
 */
public final class RpcCallTracker {
    /** NFS clients keep at most a few hundred RPC slots in flight per connection. */
    public static final int MAX_OUTSTANDING = 1024;
    /** A reply later than this is not a latency worth measuring; the call is dropped. */
    public static final long EXPIRY_NANOS = 5L * 60 * 1_000_000_000;
    private static final int MSG_CALL = 0;    // RFC 5531 §9 msg_type
    private static final int MSG_REPLY = 1;
    private static final int RPC_VERSION = 2; // RFC 5531 §9 rpcvers

    /**
     * A completed call; {@code procedureName} is the metric label (for NFSv4 COMPOUNDs, the main operation).
     */
    public record Completed(int program, int version, int procedure, String procedureName, long nanos) { }

    private record Call(int program, int version, int procedure, String procedureName, long startNanos) { }

    private final Map<Integer, Call> outstanding = new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Call> eldest) {
            return size() > MAX_OUTSTANDING;
        }
    };

    /** A record went toward the server; remembered if its header is an RPC call. */
    public void callHeader(byte[] header, int length, long nowNanos) {
        if (length < RecordScanner.HEADER_BYTES || word(header, 1) != MSG_CALL || word(header, 2) != RPC_VERSION) {
            return;
        }
        expire(nowNanos);
        int program = word(header, 3);
        int version = word(header, 4);
        int procedure = word(header, 5);
        String name = program == RpcNames.PROGRAM_NFS && version == 4 && procedure == 1
                ? Nfs4Compound.mainOperation(header, length) : RpcNames.procedure(program, version, procedure);
        outstanding.put(word(header, 0), new Call(program, version, procedure, name, nowNanos));
    }

    /** A record came back from the server; the completed call when it is the reply to one we saw, else null. */
    public Completed replyHeader(byte[] header, int length, long nowNanos) {
        if (length < 8 || word(header, 1) != MSG_REPLY) {
            return null;
        }
        Call call = outstanding.remove(word(header, 0));
        if (call == null) {
            return null;
        }
        return new Completed(call.program(), call.version(), call.procedure(), call.procedureName(),
                nowNanos - call.startNanos());
    }

    public int outstanding() {
        return outstanding.size();
    }

    private void expire(long nowNanos) {
        Iterator<Call> calls = outstanding.values().iterator();
        // Insertion order is time order: stop at the first call young enough.
        while (calls.hasNext()) {
            if (nowNanos - calls.next().startNanos() <= EXPIRY_NANOS) {
                return;
            }
            calls.remove();
        }
    }

    private static int word(byte[] bytes, int index) {
        int i = index * 4;
        return ((bytes[i] & 0xff) << 24) | ((bytes[i + 1] & 0xff) << 16) | ((bytes[i + 2] & 0xff) << 8) | (bytes[i + 3] & 0xff);
    }
}
