package io.eitrelay.testing;

import io.eitrelay.core.Relay;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What many endpoint tests start with: an echo target, the relay's log captured, and every relay the
 * test starts stopped at the end, the echo target and the log capture closed after them.
 */
public final class RelayTestBed implements AutoCloseable {
    private final EchoServer echo;
    private final LogCapture logs;
    private final List<Relay> relays = new ArrayList<>();

    public RelayTestBed() throws IOException {
        this.echo = new EchoServer();
        this.logs = new LogCapture();
    }

    public EchoServer echo() {
        return echo;
    }

    public LogCapture logs() {
        return logs;
    }

    /** Stops {@code relay} when the bed closes; returns it. */
    public Relay track(Relay relay) {
        relays.add(relay);
        return relay;
    }

    public List<Relay> relays() {
        return List.copyOf(relays);
    }

    @Override
    public void close() throws IOException {
        for (Relay relay : relays) {
            relay.stop(Duration.ZERO);
        }
        echo.close();
        logs.close();
    }
}
