package io.eitrelay.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.cli.daemon.DaemonState.Entry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's saved endpoints and its control requests: what goes out comes back, bad input is refused. */
class DaemonStateTest {
    @TempDir
    Path dir;

    @Test
    void savedEndpointsComeBackAsSavedIpv4AndIpv6() throws Exception {
        DaemonState state = new DaemonState(dir.resolve("lib/eit-relay/endpoints"));
        assertEquals(List.of(), state.load(), "no file yet: no endpoints");
        List<Entry> entries = List.of(
                new Entry("fs-1", new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 20049), Path.of("/root"), "",
                        List.of("--listen", "127.0.0.1:20049", "--target", "fs-1.example:2049", "--cafile", "ca file.pem")),
                new Entry("[::1]:20050", new InetSocketAddress(InetAddress.getByName("::1"), 20050), Path.of("/"), "mount-[::1]:20050",
                        List.of("--listen", "[::1]:20050", "--target", "[2001:db8::5]:2049")));
        state.save(entries);
        assertEquals(entries, state.load());
        state.save(entries.subList(1, 2));
        assertEquals(entries.subList(1, 2), state.load(), "replaced, not appended");
        assertEquals(List.of("endpoints"), Files.list(state.file().getParent()).map(p -> p.getFileName().toString()).toList(),
                "no temporary file left");
    }

    @Test
    void aDamagedLineIsSkippedTheOthersKept() throws Exception {
        Path file = dir.resolve("endpoints");
        DaemonState state = new DaemonState(file);
        Entry good = new Entry("ok", new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1), Path.of("/"), "",
                List.of("--listen", "127.0.0.1:1"));
        state.save(List.of(good));
        String saved = Files.readString(file);
        Files.writeString(file, "v1\0half a line\n" + "v9\0a\0b\0c\0d\0e\0\n" + "v1\0n\0fs.example\0\1\0/\0x\0\n" + saved);
        assertEquals(List.of(good), state.load());
    }

    @Test
    void aFileWrittenBeforeMountClaimsIsStillRead() throws Exception {
        Path file = dir.resolve("endpoints");
        Files.writeString(file, String.join("\u0000", "v1", "fs-1", "127.0.0.1", "20049", "/root", "--listen", "127.0.0.1:20049", "\n"));
        assertEquals(List.of(new Entry("fs-1", new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 20049),
                Path.of("/root"), "", List.of("--listen", "127.0.0.1:20049"))), new DaemonState(file).load());
    }

    @Test
    void requestsRoundTripAndBadOnesAreRefused() throws Exception {
        List<String> args = List.of("add", "/home/x", "--listen", "127.0.0.1:20049", "--name", "é");
        assertEquals(args, ControlProtocol.readRequest(Channels.newChannel(new java.io.ByteArrayInputStream(
                ControlProtocol.encode(args)))));
        assertThrows(IllegalArgumentException.class, () -> ControlProtocol.encode(List.of("a\nb")));
        assertThrows(IOException.class, () -> read("no terminator".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> read("add\0trailing\n".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> read("\n".getBytes(StandardCharsets.UTF_8)));
        byte[] huge = new byte[ControlProtocol.MAX_REQUEST_BYTES + 10];
        java.util.Arrays.fill(huge, (byte) 'a');
        IOException over = assertThrows(IOException.class, () -> read(huge));
        assertTrue(over.getMessage().contains("over " + ControlProtocol.MAX_REQUEST_BYTES), over.getMessage());
    }

    private static List<String> read(byte[] bytes) throws IOException {
        return ControlProtocol.readRequest(Channels.newChannel(new java.io.ByteArrayInputStream(bytes)));
    }
}
