package io.eitrelay.core.rpc;

import java.util.Arrays;

/**
 * Matches replies to calls by xid on one connection, to time each call (RFC 5531 §9: a reply carries
 * its call's xid). Memory is bounded: at most {@link #MAX_OUTSTANDING} calls are remembered (the oldest
 * is forgotten first), and calls older than {@link #EXPIRY_NANOS} are dropped.
 *
 * <p>It runs for every record on the relay's event loop, so it allocates nothing per call: calls live in
 * slots (arrays that grow only with the calls in flight) chained in arrival order, found by xid through an
 * open-addressing table.
 * (A map of boxed xids cost ~180 bytes per call, most of what the relay allocated per small call, and
 * with it the young collections that delayed calls in flight: benchmarks/TUNING.md entry 12.)
 */
public final class RpcCallTracker {
    /** NFS clients keep at most a few hundred RPC slots in flight per connection. */
    public static final int MAX_OUTSTANDING = 1024;
    /** A reply later than this is not a latency worth measuring; the call is dropped. */
    public static final long EXPIRY_NANOS = 5L * 60 * 1_000_000_000;
    private static final int MSG_CALL = 0;    // RFC 5531 §9 msg_type
    private static final int MSG_REPLY = 1;
    private static final int RPC_VERSION = 2; // RFC 5531 §9 rpcvers
    /** Slots a connection starts with; doubled as calls pile up, up to {@link #MAX_OUTSTANDING}. */
    static final int INITIAL_SLOTS = 16;
    private static final int NONE = -1;

    /** Receives each completed call; {@code procedureName} is the metric label (NFSv4: the main operation). */
    @FunctionalInterface
    public interface Completion {
        void completed(int program, int version, int procedure, String procedureName, long nanos);
    }

    private final Completion completion;
    // Slot fields. A slot is either outstanding (chained oldest -> newest through older/newer) or free
    // (chained through newer from freeHead). Sized for the calls actually in flight: an idle connection
    // holds 16 slots (~0.7 KB), not 1,024 (a relay serves a thousand connections in a 64 MB heap).
    private int[] xids = new int[INITIAL_SLOTS];
    private int[] programs = new int[INITIAL_SLOTS];
    private int[] versions = new int[INITIAL_SLOTS];
    private int[] procedures = new int[INITIAL_SLOTS];
    private String[] names = new String[INITIAL_SLOTS];
    private long[] starts = new long[INITIAL_SLOTS];
    private int[] older = new int[INITIAL_SLOTS];
    private int[] newer = new int[INITIAL_SLOTS];
    /**
     * xid -> slot + 1; 0 is an empty bucket. Twice the slots, a power of two, so at most half full and probe
     * chains stay short. Linear probing, deletion by backward shift (no tombstones).
     */
    private int[] index = new int[2 * INITIAL_SLOTS];
    private int indexBits = Integer.numberOfTrailingZeros(2 * INITIAL_SLOTS);
    private int oldest = NONE;
    private int newest = NONE;
    private int freeHead;
    private int size;

    public RpcCallTracker(Completion completion) {
        this.completion = completion;
        chainFree(0);
    }

    /** A record went toward the server; remembered if its header is an RPC call. */
    public void callHeader(byte[] header, int length, long nowNanos) {
        if (length < RecordScanner.HEADER_BYTES || word(header, 1) != MSG_CALL || word(header, 2) != RPC_VERSION) {
            return;
        }
        expire(nowNanos);
        int xid = word(header, 0);
        int program = word(header, 3);
        int version = word(header, 4);
        int procedure = word(header, 5);
        String name = program == RpcNames.PROGRAM_NFS && version == 4 && procedure == 1
                ? Nfs4Compound.mainOperation(header, length) : RpcNames.procedure(program, version, procedure);
        int previous = bucketOf(xid);
        if (previous != NONE) {
            removeAt(previous); // a retransmission with the same xid: time it from the latest send
        } else if (size == MAX_OUTSTANDING) {
            removeAt(bucketOf(xids[oldest]));
        } else if (size == xids.length) {
            grow();
        }
        int slot = freeHead;
        freeHead = newer[slot];
        xids[slot] = xid;
        programs[slot] = program;
        versions[slot] = version;
        procedures[slot] = procedure;
        names[slot] = name;
        starts[slot] = nowNanos;
        older[slot] = newest;
        newer[slot] = NONE;
        if (newest == NONE) {
            oldest = slot;
        } else {
            newer[newest] = slot;
        }
        newest = slot;
        insertIndex(xid, slot);
        size++;
    }

    /**
     * A record came back from the server; when it is the reply to a call we saw, passes that call to the
     * completion and returns true.
     */
    public boolean replyHeader(byte[] header, int length, long nowNanos) {
        if (length < 8 || word(header, 1) != MSG_REPLY) {
            return false;
        }
        int bucket = bucketOf(word(header, 0));
        if (bucket == NONE) {
            return false;
        }
        int slot = index[bucket] - 1;
        int program = programs[slot];
        int version = versions[slot];
        int procedure = procedures[slot];
        String name = names[slot];
        long nanos = nowNanos - starts[slot];
        removeAt(bucket);
        completion.completed(program, version, procedure, name, nanos);
        return true;
    }

    public int outstanding() {
        return size;
    }

    /** Slots allocated now (for tests of the memory bound). */
    int slots() {
        return xids.length;
    }

    /** Arrival order is time order: drops from the oldest end until a call is young enough. */
    private void expire(long nowNanos) {
        while (oldest != NONE && nowNanos - starts[oldest] > EXPIRY_NANOS) {
            removeAt(bucketOf(xids[oldest]));
        }
    }

    /** Forgets the call whose index entry is {@code bucket}: out of the index, the arrival chain, onto the free chain. */
    private void removeAt(int bucket) {
        int slot = index[bucket] - 1;
        removeIndexAt(bucket);
        int before = older[slot];
        int after = newer[slot];
        if (before == NONE) {
            oldest = after;
        } else {
            newer[before] = after;
        }
        if (after == NONE) {
            newest = before;
        } else {
            older[after] = before;
        }
        names[slot] = null;
        older[slot] = NONE;
        newer[slot] = freeHead;
        freeHead = slot;
        size--;
    }

    /** Doubles the slots (same slot numbers, so the chains stay valid) and rebuilds the index. */
    private void grow() {
        int slots = xids.length * 2;
        xids = Arrays.copyOf(xids, slots);
        programs = Arrays.copyOf(programs, slots);
        versions = Arrays.copyOf(versions, slots);
        procedures = Arrays.copyOf(procedures, slots);
        names = Arrays.copyOf(names, slots);
        starts = Arrays.copyOf(starts, slots);
        older = Arrays.copyOf(older, slots);
        newer = Arrays.copyOf(newer, slots);
        chainFree(slots / 2);
        index = new int[2 * slots];
        indexBits = Integer.numberOfTrailingZeros(index.length);
        for (int slot = oldest; slot != NONE; slot = newer[slot]) {
            insertIndex(xids[slot], slot);
        }
    }

    /** Puts slots from {@code first} to the end on the free chain (only called when none is free). */
    private void chainFree(int first) {
        for (int slot = first; slot < xids.length; slot++) {
            older[slot] = NONE;
            newer[slot] = slot + 1 < xids.length ? slot + 1 : NONE;
        }
        freeHead = first;
    }

    /** The index bucket holding {@code xid}, or NONE: callers get the slot from it and remove by it, one probe. */
    private int bucketOf(int xid) {
        for (int bucket = home(xid); index[bucket] != 0; bucket = next(bucket)) {
            if (xids[index[bucket] - 1] == xid) {
                return bucket;
            }
        }
        return NONE;
    }

    private void insertIndex(int xid, int slot) {
        int bucket = home(xid);
        while (index[bucket] != 0) {
            bucket = next(bucket);
        }
        index[bucket] = slot + 1;
    }

    /** Empties a bucket and shifts later entries of its probe chain back (Knuth 6.4, Algorithm R). */
    private void removeIndexAt(int hole) {
        index[hole] = 0;
        for (int bucket = next(hole); index[bucket] != 0; bucket = next(bucket)) {
            int wanted = home(xids[index[bucket] - 1]);
            // The entry may move into the hole unless its home lies cyclically in (hole, bucket].
            boolean homeBetween = hole <= bucket ? hole < wanted && wanted <= bucket : hole < wanted || wanted <= bucket;
            if (!homeBetween) {
                index[hole] = index[bucket];
                index[bucket] = 0;
                hole = bucket;
            }
        }
    }

    /** Clients count xids up from a random start; Fibonacci hashing (the top bits) spreads neighbours apart. */
    private int home(int xid) {
        return (xid * 0x9E3779B9) >>> (Integer.SIZE - indexBits);
    }

    private int next(int bucket) {
        return (bucket + 1) & (index.length - 1);
    }

    private static int word(byte[] bytes, int index) {
        int i = index * 4;
        return ((bytes[i] & 0xff) << 24) | ((bytes[i + 1] & 0xff) << 16) | ((bytes[i + 2] & 0xff) << 8) | (bytes[i + 3] & 0xff);
    }
}
