package io.eitrelay.testing;

import java.util.function.BooleanSupplier;

/** Bounded waiting for a condition that becomes true asynchronously. */
public final class Eventually {
    private Eventually() {
    }

    public static boolean within(long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }
}
