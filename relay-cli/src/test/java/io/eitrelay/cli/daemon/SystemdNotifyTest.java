package io.eitrelay.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify(3) as systemd receives it: one datagram on the socket $NOTIFY_SOCKET names. */
class SystemdNotifyTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void aPathSocketReceivesTheStateAsOneDatagram() throws Exception {
        String path = dir.resolve("notify").toString();
        try (NotifyReceiver systemd = NotifyReceiver.bind(path)) {
            assertEquals(Optional.empty(), SystemdNotify.send(path, "READY=1\nSTATUS=2 endpoints"));
            assertEquals("READY=1\nSTATUS=2 endpoints", systemd.await(WAIT));
        }
    }

    @Test
    void anAtSignNamesTheAbstractNamespace() throws Exception {
        String name = "eit-relay-test-" + UUID.randomUUID();
        try (NotifyReceiver systemd = NotifyReceiver.bind("\0" + name)) {
            assertEquals(Optional.empty(), SystemdNotify.send("@" + name, "READY=1"));
            assertEquals("READY=1", systemd.await(WAIT));
        }
    }

    @Test
    void withoutNotifySocketNothingIsSentAndNothingIsWrong() {
        assertEquals(Optional.empty(), SystemdNotify.send(null, "READY=1"));
        assertEquals(Optional.empty(), SystemdNotify.send("", "READY=1"));
    }

    @Test
    void aRelativeNameIsRefusedWithTheVariableAndItsValue() {
        Optional<String> why = SystemdNotify.send("run/notify", "READY=1");
        assertEquals(Optional.of("NOTIFY_SOCKET=run/notify is neither a path nor an abstract socket (@name)"), why);
    }

    @Test
    void aSocketNobodyListensOnIsReportedNotThrown() {
        String path = dir.resolve("nobody").toString();
        Optional<String> why = SystemdNotify.send(path, "READY=1");
        assertTrue(why.isPresent() && why.get().startsWith("cannot send to NOTIFY_SOCKET=" + path + ": "), why.toString());
    }

    @Test
    void aNameLongerThanASocketAddressIsRefused() {
        String path = "/" + "x".repeat(120);
        Optional<String> why = SystemdNotify.send(path, "READY=1");
        assertTrue(why.isPresent() && why.get().contains("longer than a socket address (108 bytes)"), why.toString());
    }
}
