package io.eitrelay.cli.stunnel;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Logs in stunnel's shape, {@code 2026.11.23 07:44:06 LOG5[efs]: message}, at the {@code debug} level,
 * to stderr ({@code foreground = yes}) and/or the {@code output} file.
 */
final class StunnelLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy.MM.dd HH:mm:ss");
    private static final Pattern SERVICE = Pattern.compile("^\\[([^\\]]+)\\] (.*)$", Pattern.DOTALL);

    /** The {@code output} file and its stream, swapped by {@link #reopen} (SIGUSR1, after logrotate). */
    private static volatile Path outputPath;
    private static volatile PrintStream outputStream;
    /** The {@code debug} level in force (0-7). */
    private static volatile int debugLevelNow = StunnelSettings.DEFAULT_DEBUG;

    private StunnelLog() {
    }

    /** SIGUSR1: close and reopen the output file, so a rotated log is not written to any more. */
    static synchronized void reopen() {
        Path path = outputPath;
        if (path == null) {
            return;
        }
        try {
            PrintStream fresh = new PrintStream(new FileOutputStream(path.toFile(), true), true, StandardCharsets.UTF_8);
            PrintStream old = outputStream;
            outputStream = fresh;
            if (old != null) {
                old.close();
            }
        } catch (IOException e) {
            Logger.getLogger(StunnelLog.class.getName()).severe("cannot reopen " + path + ": " + e.getMessage());
        }
    }

    /**
     * SIGHUP with a changed {@code debug}: the new level from now on, as stunnel applies a reloaded file's
     * level, so logging more needs no restart (for a mount helper's tunnel, no remount). The change is
     * logged at notice, before a quieter level takes effect or after a louder one.
     */
    static synchronized void changeLevel(int debugLevel) {
        int was = debugLevelNow;
        if (debugLevel == was) {
            return;
        }
        Logger log = Logger.getLogger(StunnelLog.class.getName());
        String line = "debug = " + debugLevel + " from now on (was " + was + "), from the reloaded file";
        io.eitrelay.cli.LogLevel.announced(debugLevel > was, () -> applyLevel(debugLevel), () -> log.info(line));
    }

    private static void applyLevel(int debugLevel) {
        debugLevelNow = debugLevel;
        io.eitrelay.cli.LogLevel.apply(julLevel(debugLevel));
        Logger.getLogger("io.netty").setLevel(debugLevel >= 7 ? Level.FINE : Level.WARNING);
    }

    static void configure(int debugLevel, boolean toStderr, Path output) throws IOException {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        List<PrintStream> sinks = new ArrayList<>();
        if (toStderr) {
            sinks.add(System.err);
        }
        if (output != null) {
            OutputStream file = new FileOutputStream(output.toFile(), true);
            outputPath = output;
            outputStream = new PrintStream(file, true, StandardCharsets.UTF_8);
        }
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (isLoggable(record)) {
                    String line = getFormatter().format(record);
                    for (PrintStream sink : sinks) {
                        sink.print(line);
                        sink.flush();
                    }
                    PrintStream file = outputStream;
                    if (file != null) {
                        file.print(line);
                        file.flush();
                    }
                }
            }

            @Override
            public void flush() {
                sinks.forEach(PrintStream::flush);
                PrintStream file = outputStream;
                if (file != null) {
                    file.flush();
                }
            }

            @Override
            public void close() {
                flush();
            }
        };
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord record) {
                String message = formatMessage(record);
                String service = "main";
                Matcher m = SERVICE.matcher(message);
                if (m.matches()) {
                    service = m.group(1);
                    message = m.group(2);
                }
                return LocalDateTime.now().format(TIME) + " LOG" + stunnelLevel(record.getLevel()) + "[" + service + "]: "
                        + message + "\n";
            }
        });
        root.addHandler(handler);
        applyLevel(debugLevel);
    }

    /** syslog 0-7 to java.util.logging: 0-3 errors, 4 warnings, 5-6 notices and info, 7 debug. */
    static Level julLevel(int debugLevel) {
        return debugLevel <= 3 ? Level.SEVERE : debugLevel == 4 ? Level.WARNING : debugLevel <= 6 ? Level.INFO : Level.FINE;
    }

    private static int stunnelLevel(Level level) {
        return level.intValue() >= Level.SEVERE.intValue() ? 3 : level.intValue() >= Level.WARNING.intValue() ? 4
                : level.intValue() >= Level.INFO.intValue() ? 5 : 7;
    }
}
