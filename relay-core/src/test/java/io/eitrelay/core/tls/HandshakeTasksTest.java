package io.eitrelay.core.tls;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The verification executor of OCSP-checking endpoints: bounded, so a handshake flood cannot grow it. */
class HandshakeTasksTest {
    @Test
    void verificationsBeyondTheThreadsAndTheWaitingRoomAreRefusedAndTheRestStillRun() throws Exception {
        ThreadPoolExecutor executor = HandshakeTasks.newExecutor();
        CountDownLatch release = new CountDownLatch(1);
        int accepted = HandshakeTasks.THREADS + HandshakeTasks.MAX_WAITING;
        CountDownLatch ran = new CountDownLatch(accepted);
        try {
            for (int i = 0; i < accepted; i++) {
                executor.execute(() -> {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ran.countDown();
                });
            }
            assertThrows(RejectedExecutionException.class, () -> executor.execute(ran::countDown));
            release.countDown();
            assertTrue(ran.await(30, TimeUnit.SECONDS), "the accepted verifications all ran");
        } finally {
            release.countDown();
            executor.shutdownNow();
        }
    }
}
