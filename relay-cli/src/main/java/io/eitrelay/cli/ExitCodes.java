package io.eitrelay.cli;

/** The process exit codes, documented in the README. */
public final class ExitCodes {
    /** Success, or a clean stop on SIGTERM/SIGINT. */
    public static final int OK = 0;
    /** A failure at run time: a listener could not be bound, the demo's data did not come back. */
    public static final int RUNTIME_FAILURE = 1;
    /** Bad usage or configuration: unknown flag, bad value, unreadable certificate or key. */
    public static final int CONFIG_ERROR = 2;

    private ExitCodes() {
    }
}
