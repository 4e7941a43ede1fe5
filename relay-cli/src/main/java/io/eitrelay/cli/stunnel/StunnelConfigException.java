package io.eitrelay.cli.stunnel;

import java.nio.file.Path;

/**
 * A stunnel file that cannot be used; {@link #getMessage()} is the line stunnel itself would print,
 * e.g. {@code file:19: "bogusOpt = 1": Specified option name is not valid here}.
 */
public final class StunnelConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    StunnelConfigException(Path file, int line, String text, String reason) {
        super(file + ":" + line + ": \"" + text + "\": " + reason);
    }

    StunnelConfigException(Path file, String reason) {
        super(file + ": " + reason);
    }
}
