package io.eitrelay.cli;

import java.util.logging.LogManager;

/**
 * java.util.logging resets (drops) every handler in its own shutdown hook, racing ours: the lines the
 * relay logs while stopping would be lost. This manager ignores that reset; the process is ending anyway.
 * Installed by {@link Main} through {@code java.util.logging.manager} before any logger exists.
 */
public final class RelayLogManager extends LogManager {
    private volatile boolean configured;

    @Override
    public void reset() {
        // The first reset is LogManager's own initialisation / LogSetup's; later ones come from the
        // JDK's shutdown hook and are ignored.
        if (!configured) {
            super.reset();
        }
    }

    /** Called once the handlers are installed; from now on resets are ignored. */
    void lock() {
        configured = true;
    }
}
