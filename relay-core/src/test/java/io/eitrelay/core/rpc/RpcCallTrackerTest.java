package io.eitrelay.core.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RpcCallTrackerTest {
    record Completed(int program, int version, int procedure, String procedureName, long nanos) { }

    private final List<Completed> completed = new ArrayList<>();
    private final RpcCallTracker tracker = new RpcCallTracker(
            (program, version, procedure, name, nanos) -> completed.add(new Completed(program, version, procedure, name, nanos)));

    static byte[] call(int xid, int program, int version, int procedure) {
        return ByteBuffer.allocate(24).putInt(xid).putInt(0).putInt(2).putInt(program).putInt(version).putInt(procedure).array();
    }

    static byte[] reply(int xid) {
        return ByteBuffer.allocate(24).putInt(xid).putInt(1).putInt(0).putInt(0).putInt(0).putInt(0).array();
    }

    @Test
    void aReplyCompletesItsCallWithItsDuration() {
        tracker.callHeader(call(7, RpcNames.PROGRAM_NFS, 3, 1), 24, 1_000);
        tracker.callHeader(call(8, RpcNames.PROGRAM_NFS, 3, 6), 24, 2_000);
        assertTrue(tracker.replyHeader(reply(8), 8, 5_000));
        assertTrue(tracker.replyHeader(reply(7), 24, 10_000));
        assertEquals(List.of(new Completed(RpcNames.PROGRAM_NFS, 3, 6, "READ", 3_000),
                new Completed(RpcNames.PROGRAM_NFS, 3, 1, "GETATTR", 9_000)), completed, "replies may come out of order");
        assertFalse(tracker.replyHeader(reply(7), 24, 11_000), "each call completes once");
        assertEquals(2, completed.size());
        assertEquals(0, tracker.outstanding());
    }

    @Test
    void aRetransmittedCallIsTimedFromItsLastSendAndCompletesOnce() {
        tracker.callHeader(call(5, RpcNames.PROGRAM_NFS, 3, 7), 24, 1_000);
        tracker.callHeader(call(5, RpcNames.PROGRAM_NFS, 3, 7), 24, 4_000);
        assertEquals(1, tracker.outstanding());
        assertTrue(tracker.replyHeader(reply(5), 24, 6_000));
        assertFalse(tracker.replyHeader(reply(5), 24, 7_000));
        assertEquals(List.of(new Completed(RpcNames.PROGRAM_NFS, 3, 7, "WRITE", 2_000)), completed);
    }

    @Test
    void notACallOrNotAReplyIsIgnored() {
        tracker.callHeader(reply(1), 24, 0);
        tracker.callHeader(call(2, 100_003, 3, 1), 20, 0);
        byte[] wrongRpcVersion = call(3, 100_003, 3, 1);
        wrongRpcVersion[11] = 3;
        tracker.callHeader(wrongRpcVersion, 24, 0);
        assertEquals(0, tracker.outstanding());
        tracker.callHeader(call(4, 100_003, 3, 1), 24, 0);
        assertFalse(tracker.replyHeader(call(4, 100_003, 3, 1), 24, 1), "a call is not a reply");
        assertEquals(1, tracker.outstanding());
        assertTrue(completed.isEmpty());
    }

    @Test
    void aConnectionHoldsSlotsForTheCallsInFlightOnly() {
        // A relay holds a tracker per connection; a thousand idle connections must fit its 64 MB heap.
        assertEquals(RpcCallTracker.INITIAL_SLOTS, tracker.slots());
        for (int round = 0; round < 100; round++) {
            tracker.callHeader(call(round, 100_003, 3, 1), 24, round);
            assertTrue(tracker.replyHeader(reply(round), 24, round + 1));
        }
        assertEquals(RpcCallTracker.INITIAL_SLOTS, tracker.slots(), "calls one at a time need no more slots");
        for (int xid = 1_000; xid < 1_040; xid++) {
            tracker.callHeader(call(xid, 100_003, 3, 1), 24, xid);
        }
        assertEquals(64, tracker.slots(), "40 calls in flight: 16 -> 32 -> 64 slots");
        for (int xid = 1_000; xid < 1_040; xid++) {
            assertTrue(tracker.replyHeader(reply(xid), 24, 2_000), "every call survives the growth: " + xid);
        }
    }

    @Test
    void memoryIsBoundedByCountAndAge() {
        for (int xid = 0; xid < RpcCallTracker.MAX_OUTSTANDING + 100; xid++) {
            tracker.callHeader(call(xid, 100_003, 3, 1), 24, xid);
        }
        assertEquals(RpcCallTracker.MAX_OUTSTANDING, tracker.outstanding());
        assertEquals(RpcCallTracker.MAX_OUTSTANDING, tracker.slots(), "grown to the bound, not past it");
        assertFalse(tracker.replyHeader(reply(0), 24, 2_000), "the oldest call was forgotten");
        assertTrue(tracker.replyHeader(reply(100), 24, 2_000), "the newest 1024 are remembered");
        long later = RpcCallTracker.EXPIRY_NANOS + 10_000;
        tracker.callHeader(call(999_999, 100_003, 3, 1), 24, later);
        assertEquals(1, tracker.outstanding(), "calls older than the expiry are dropped");
    }

    /**
     * Any mix of calls, replies, retransmissions, evictions and expiries completes exactly the calls a
     * plain insertion-ordered map would (the tracker's contract, without its hash table and slot chains).
     * Xids come from a narrow range too, so probe chains collide and wrap around the table.
     */
    @Test
    void behavesLikeAnInsertionOrderedMapOfOutstandingCalls() {
        qt().withExamples(150)
                .forAll(lists().of(integers().between(0, Integer.MAX_VALUE)).ofSizeBetween(0, 3_000),
                        integers().between(0, 2))
                .checkAssert((ops, xidShape) -> {
                    List<Completed> got = new ArrayList<>();
                    RpcCallTracker subject = new RpcCallTracker((program, version, procedure, name, nanos) ->
                            got.add(new Completed(program, version, procedure, name, nanos)));
                    Map<Integer, long[]> model = new LinkedHashMap<>();
                    List<Completed> expected = new ArrayList<>();
                    long now = 0;
                    for (int op : ops) {
                        int xid = switch (xidShape) {
                            case 0 -> op % 1_500;                 // collisions, retransmissions, evictions
                            case 1 -> (op % 3_000) << 11;         // same home bucket under a weak hash
                            default -> op * 31;                    // spread
                        };
                        now += (op & 0xff) == 0 ? RpcCallTracker.EXPIRY_NANOS / 2 : op % 1_000;
                        int procedure = op % 22;
                        if ((op >>> 29 & 1) == 0) {
                            subject.callHeader(call(xid, RpcNames.PROGRAM_NFS, 3, procedure), 24, now);
                            long cutoff = now - RpcCallTracker.EXPIRY_NANOS;
                            for (Iterator<long[]> it = model.values().iterator(); it.hasNext(); ) {
                                if (it.next()[0] >= cutoff) {
                                    break;
                                }
                                it.remove();
                            }
                            if (model.remove(xid) == null && model.size() == RpcCallTracker.MAX_OUTSTANDING) {
                                Iterator<long[]> eldest = model.values().iterator();
                                eldest.next();
                                eldest.remove();
                            }
                            model.put(xid, new long[] {now, procedure});
                        } else {
                            boolean done = subject.replyHeader(reply(xid), 24, now);
                            long[] call = model.remove(xid);
                            assertEquals(call != null, done, "reply for xid " + xid);
                            if (call != null) {
                                expected.add(new Completed(RpcNames.PROGRAM_NFS, 3, (int) call[1],
                                        RpcNames.procedure(RpcNames.PROGRAM_NFS, 3, (int) call[1]), now - call[0]));
                            }
                        }
                        assertEquals(model.size(), subject.outstanding());
                    }
                    assertEquals(expected, got);
                });
    }

    @Test
    void namesAreBounded() {
        assertEquals("NFS", RpcNames.program(100_003));
        assertEquals("GETATTR", RpcNames.procedure(100_003, 3, 1));
        assertEquals("COMMIT", RpcNames.procedure(100_003, 3, 21));
        assertEquals("COMPOUND", RpcNames.procedure(100_003, 4, 1));
        assertEquals("MNT", RpcNames.procedure(100_005, 3, 1));
        assertEquals("other", RpcNames.procedure(100_021, 4, 1));
        assertEquals("unknown", RpcNames.program(100_021));
        assertEquals("unknown", RpcNames.version(100_003, 77));
        assertEquals("other", RpcNames.procedure(100_003, 3, 22));
    }
}
