package io.eitrelay.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The relay's log levels, as {@code --log-level} and {@code eit-relay ctl log-level} name them, and the
 * switch between them at run time. stunnel needs a config edit and a restart (for a mount helper's
 * tunnel: a remount) to log more (user-pain-points.md §18); here a running process changes level in place.
 */
public enum LogLevel {
    ERROR(Level.SEVERE), WARN(Level.WARNING), INFO(Level.INFO), DEBUG(Level.FINE);

    /** Names for messages and help: "error, warn, info, debug". */
    public static final String NAMES = Arrays.stream(values()).map(LogLevel::label).collect(Collectors.joining(", "));

    private final Level jul;

    LogLevel(Level jul) {
        this.jul = jul;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the bad value and the accepted ones */
    public static LogLevel parse(String text) {
        for (LogLevel level : values()) {
            if (level.label().equalsIgnoreCase(text.strip())) {
                return level;
            }
        }
        throw new IllegalArgumentException("unknown log level '" + text + "' (expected one of: " + NAMES + ")");
    }

    /** The level the process logs at now (the root logger's). */
    public static LogLevel current() {
        int now = Logger.getLogger("").getLevel().intValue();
        LogLevel result = ERROR;
        for (LogLevel level : values()) {
            if (level.jul.intValue() >= now) {
                result = level;
            }
        }
        return result;
    }

    /** From now on the process logs at this level: the root logger and its handlers; Netty stays at warnings. */
    public void apply() {
        apply(jul);
    }

    /**
     * Switches level with {@code apply} and logs the change with {@code announce} so that the line shows
     * whichever way it goes: after a louder level takes effect, before a quieter one does.
     */
    public static void announced(boolean louder, Runnable apply, Runnable announce) {
        if (louder) {
            apply.run();
            announce.run();
        } else {
            announce.run();
            apply.run();
        }
    }

    /** Sets {@code level} on the root logger and on every handler it has, which filter too. */
    public static void apply(Level level) {
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        for (Handler handler : root.getHandlers()) {
            handler.setLevel(level);
        }
    }
}
