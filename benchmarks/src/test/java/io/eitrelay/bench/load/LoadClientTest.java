package io.eitrelay.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The load used by the benchmarks and compare.sh must really round-trip what it claims. */
class LoadClientTest {
    @Test
    void pipelinedCallsAreAllAnsweredInOrderWithTheirLatency() throws Exception {
        try (LoadServer server = new LoadServer(0); LoadClient client = new LoadClient(server.port())) {
            long[] nanos = client.calls(RpcMessages.call(RpcMessages.PROC_NULL, 200, 100), 500, 16);
            assertEquals(500, nanos.length);
            assertTrue(Arrays.stream(nanos).allMatch(n -> n > 0), "every call timed");
            // Large records both ways (the bulk benchmarks' 1 MiB WRITE-like and READ-like calls).
            assertEquals(4, client.calls(RpcMessages.call(RpcMessages.PROC_WRITE, 1 << 20, 1 << 20), 4, 2).length);
            assertTrue(client.call(RpcMessages.call(RpcMessages.PROC_READ, 200, 1 << 20)) > 0);
        }
    }

    @Test
    void sizesOutsideOneRecordAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RpcMessages.call(RpcMessages.PROC_NULL, 10, 100));
        assertThrows(IllegalArgumentException.class,
                () -> RpcMessages.call(RpcMessages.PROC_NULL, 200, RpcMessages.MAX_RECORD_BYTES + 5));
    }
}
