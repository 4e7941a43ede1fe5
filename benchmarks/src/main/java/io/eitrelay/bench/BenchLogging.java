package io.eitrelay.bench;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The relay logs every connection at INFO; in a benchmark that is noise in the output and in the figures. */
public final class BenchLogging {
    /** Held so the configured loggers are not collected (java.util.logging keeps them weakly). */
    private static final List<Logger> QUIETED = List.of(Logger.getLogger("io.eitrelay"), Logger.getLogger("io.netty"));

    private BenchLogging() {
    }

    public static void warningsOnly() {
        QUIETED.forEach(logger -> logger.setLevel(Level.WARNING));
    }
}
