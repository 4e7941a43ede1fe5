package io.eitrelay.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what the relay logs (SLF4J routed to java.util.logging in tests), so a test can assert
 * the one line a user would read.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private static final Logger ROOT = Logger.getLogger("io.eitrelay");
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Level previousLevel = ROOT.getLevel();

    /** Captures INFO and above whatever level an earlier test in this JVM left (CLI runs set the root's). */
    public LogCapture() {
        setLevel(Level.ALL);
        if (!ROOT.isLoggable(Level.INFO)) {
            ROOT.setLevel(Level.INFO);
        }
        ROOT.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        String message = record.getMessage();
        Object[] params = record.getParameters();
        lines.add(record.getLevel() + " " + (params == null ? message : java.text.MessageFormat.format(message, params)));
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Waits up to {@code millis} for a line containing {@code text}; returns it or null. */
    public String await(String text, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        do {
            for (String line : lines) {
                if (line.contains(text)) {
                    return line;
                }
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        return null;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        ROOT.removeHandler(this);
        ROOT.setLevel(previousLevel);
    }
}
