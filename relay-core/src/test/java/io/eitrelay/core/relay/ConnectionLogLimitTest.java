package io.eitrelay.core.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The per-endpoint budget of connection lines, on a clock the test moves. */
class ConnectionLogLimitTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicInteger summariesStarted = new AtomicInteger();
    private final Runnable startSummary = summariesStarted::incrementAndGet;

    @Test
    void aBurstIsLoggedThenOneLinePerSecondAndTheRestIsSummedUpOnce() {
        long t = 5 * SECOND;
        ConnectionLogLimit limit = new ConnectionLogLimit(t);
        int logged = 0;
        for (int i = 0; i < 100; i++) {
            logged += limit.admit(false, t, startSummary) ? 1 : 0;
        }
        assertEquals(ConnectionLogLimit.BURST, logged);
        assertEquals(1, summariesStarted.get(), "one summary for the whole flood");
        assertFalse(limit.admit(false, t + SECOND / 2, startSummary), "not a whole second later");
        assertTrue(limit.admit(false, t + SECOND, startSummary), "a second later, one more");
        assertFalse(limit.admit(false, t + SECOND, startSummary));
        Optional<String> summary = limit.summary(t + 10 * SECOND);
        assertEquals(Optional.of("82 connection log lines left out in the last 10 s (0 of them failures): more than 20 at "
                + "once, then one per 1 s, are logged per endpoint; status and the metrics count every connection, and log "
                + "level debug logs every line"), summary);
        assertEquals(Optional.empty(), limit.summary(t + 11 * SECOND), "counted once");
        assertEquals(1, summariesStarted.get());
    }

    @Test
    void failuresHaveTheirOwnBudgetSoAFloodOfOrdinaryLinesHidesNone() {
        long t = 0;
        ConnectionLogLimit limit = new ConnectionLogLimit(t);
        for (int i = 0; i < 50; i++) {
            limit.admit(false, t, startSummary);
        }
        for (int i = 0; i < ConnectionLogLimit.BURST; i++) {
            assertTrue(limit.admit(true, t, startSummary), "failure line " + i);
        }
        assertFalse(limit.admit(true, t, startSummary));
        assertTrue(limit.summary(t + SECOND).orElseThrow().startsWith("31 connection log lines left out in the last 1 s "
                + "(1 of them failures)"));
    }

    @Test
    void aQuietSpellRefillsTheWholeBurstButNoMore() {
        long t = 0;
        ConnectionLogLimit limit = new ConnectionLogLimit(t);
        for (int i = 0; i < ConnectionLogLimit.BURST; i++) {
            assertTrue(limit.admit(false, t, startSummary));
        }
        t += 3600 * SECOND;
        int logged = 0;
        for (int i = 0; i < 100; i++) {
            logged += limit.admit(false, t, startSummary) ? 1 : 0;
        }
        assertEquals(ConnectionLogLimit.BURST, logged);
        assertEquals(Optional.empty(), new ConnectionLogLimit(t).summary(t), "nothing left out, nothing to say");
    }
}
