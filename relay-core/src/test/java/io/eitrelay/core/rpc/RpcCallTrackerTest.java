package io.eitrelay.core.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class RpcCallTrackerTest {
    static byte[] call(int xid, int program, int version, int procedure) {
        return ByteBuffer.allocate(24).putInt(xid).putInt(0).putInt(2).putInt(program).putInt(version).putInt(procedure).array();
    }

    static byte[] reply(int xid) {
        return ByteBuffer.allocate(24).putInt(xid).putInt(1).putInt(0).putInt(0).putInt(0).putInt(0).array();
    }

    @Test
    void aReplyCompletesItsCallWithItsDuration() {
        RpcCallTracker tracker = new RpcCallTracker();
        tracker.callHeader(call(7, RpcNames.PROGRAM_NFS, 3, 1), 24, 1_000);
        tracker.callHeader(call(8, RpcNames.PROGRAM_NFS, 3, 6), 24, 2_000);
        RpcCallTracker.Completed read = tracker.replyHeader(reply(8), 8, 5_000);
        assertEquals(new RpcCallTracker.Completed(RpcNames.PROGRAM_NFS, 3, 6, "READ", 3_000), read, "replies may come out of order");
        assertEquals(new RpcCallTracker.Completed(RpcNames.PROGRAM_NFS, 3, 1, "GETATTR", 9_000), tracker.replyHeader(reply(7), 24, 10_000));
        assertNull(tracker.replyHeader(reply(7), 24, 11_000), "each call completes once");
        assertEquals(0, tracker.outstanding());
    }

    @Test
    void notACallOrNotAReplyIsIgnored() {
        RpcCallTracker tracker = new RpcCallTracker();
        tracker.callHeader(reply(1), 24, 0);
        tracker.callHeader(call(2, 100_003, 3, 1), 20, 0);
        byte[] wrongRpcVersion = call(3, 100_003, 3, 1);
        wrongRpcVersion[11] = 3;
        tracker.callHeader(wrongRpcVersion, 24, 0);
        assertEquals(0, tracker.outstanding());
        tracker.callHeader(call(4, 100_003, 3, 1), 24, 0);
        assertNull(tracker.replyHeader(call(4, 100_003, 3, 1), 24, 1), "a call is not a reply");
        assertEquals(1, tracker.outstanding());
    }

    @Test
    void memoryIsBoundedByCountAndAge() {
        RpcCallTracker tracker = new RpcCallTracker();
        for (int xid = 0; xid < RpcCallTracker.MAX_OUTSTANDING + 100; xid++) {
            tracker.callHeader(call(xid, 100_003, 3, 1), 24, xid);
        }
        assertEquals(RpcCallTracker.MAX_OUTSTANDING, tracker.outstanding());
        assertNull(tracker.replyHeader(reply(0), 24, 2_000), "the oldest call was forgotten");
        long later = RpcCallTracker.EXPIRY_NANOS + 10_000;
        tracker.callHeader(call(999_999, 100_003, 3, 1), 24, later);
        assertEquals(1, tracker.outstanding(), "calls older than the expiry are dropped");
    }

    @Test
    void namesAreBounded() {
        assertEquals("NFS", RpcNames.program(100_003));
        assertEquals("GETATTR", RpcNames.procedure(100_003, 3, 1));
        assertEquals("COMMIT", RpcNames.procedure(100_003, 3, 21));
        assertEquals("COMPOUND", RpcNames.procedure(100_003, 4, 1));
        assertEquals("MNT", RpcNames.procedure(100_005, 3, 1));
        assertEquals("other", RpcNames.procedure(100_003, 3, 22));
        assertEquals("unknown", RpcNames.program(100_021));
        assertEquals("unknown", RpcNames.version(100_003, 77));
        assertEquals("other", RpcNames.procedure(100_021, 4, 1));
    }
}
