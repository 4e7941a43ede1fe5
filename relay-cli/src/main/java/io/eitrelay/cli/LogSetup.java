package io.eitrelay.cli;

import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per event on stderr: {@code 2026-11-23 10:41:09.123 WARN  message}. SLF4J (the relay's and
 * Netty's logging API) is bound to java.util.logging, configured here once.
 */
final class LogSetup {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private LogSetup() {
    }

    static void toStderr(Level level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        Handler handler = new Handler() {
            private final PrintStream out = System.err;

            @Override
            public void publish(LogRecord record) {
                if (isLoggable(record)) {
                    out.print(getFormatter().format(record));
                }
            }

            @Override
            public void flush() {
                out.flush();
            }

            @Override
            public void close() {
                flush();
            }
        };
        handler.setLevel(level);
        handler.setFormatter(new LineFormatter());
        root.addHandler(handler);
        // Netty's own chatter stays at warnings.
        Logger.getLogger("io.netty").setLevel(Level.WARNING);
        if (LogManager.getLogManager() instanceof RelayLogManager manager) {
            manager.lock();
        }
    }

    static final class LineFormatter extends Formatter {
        @Override
        public String format(LogRecord record) {
            String level = record.getLevel() == Level.SEVERE ? "ERROR"
                    : record.getLevel() == Level.WARNING ? "WARN" : record.getLevel().intValue() >= Level.INFO.intValue()
                    ? "INFO" : "DEBUG";
            StringBuilder line = new StringBuilder(160)
                    .append(LocalDateTime.now().format(TIME)).append(' ')
                    .append(String.format("%-5s ", level))
                    .append(formatMessage(record)).append('\n');
            if (record.getThrown() != null && record.getLevel().intValue() < Level.INFO.intValue()) {
                line.append(record.getThrown()).append('\n');
            }
            return line.toString();
        }
    }
}
