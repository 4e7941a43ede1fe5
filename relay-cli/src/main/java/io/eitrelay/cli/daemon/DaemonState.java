package io.eitrelay.cli.daemon;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's endpoints on disk, so that a restarted daemon binds each one again on the same address
 * and port before the kernel's NFS client gives up reconnecting. One line per endpoint: fields ended by
 * NUL ({@code v2}, name, bound address and port, the caller's directory, the mount it was claimed for or
 * nothing, then the request's flags as given; {@code v1} lines, without the claim, are still read).
 * Replaced atomically (write, fsync, rename): a crash leaves the old file or the new one, never half.
 */
final class DaemonState {
    private static final Logger log = LoggerFactory.getLogger(DaemonState.class);
    private static final String VERSION = "v2";
    private static final String VERSION_1 = "v1";
    private static final char END_OF_FIELD = '\0';
    /** v1, name, address, port, directory. */
    private static final int FIXED_FIELDS_V1 = 5;
    /** v2, name, address, port, directory, claim. */
    private static final int FIXED_FIELDS = 6;
    /** A state file larger than this is not ours; read no more of it. */
    private static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    /**
     * One endpoint as added: its name, where it is bound, the request that made it, and for an endpoint
     * claimed by {@code eit-relay mount} the name of the claim's NFS endpoint ("" for {@code ctl add}).
     */
    record Entry(String name, InetSocketAddress listen, Path cwd, String claim, List<String> args) {
        Entry {
            args = List.copyOf(args);
        }
    }

    private final Path file;

    DaemonState(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** The saved endpoints; none when there is no file yet. A damaged line is logged and skipped. */
    List<Entry> load() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file + ": over " + MAX_FILE_BYTES + " bytes, not an eit-relay state file");
        }
        List<Entry> entries = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isEmpty()) {
                continue;
            }
            try {
                entries.add(decode(lines.get(i)));
            } catch (IllegalArgumentException e) {
                log.error("{}:{}: skipped, not an endpoint entry: {}", file, i + 1, e.getMessage());
            }
        }
        return entries;
    }

    void save(List<Entry> entries) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        StringBuilder text = new StringBuilder();
        for (Entry entry : entries) {
            text.append(encode(entry)).append('\n');
        }
        Path next = dir.resolve(file.getFileName() + ".next");
        Files.writeString(next, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rw-------"));
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String encode(Entry entry) {
        List<String> fields = new ArrayList<>(List.of(VERSION, entry.name(),
                entry.listen().getAddress().getHostAddress() + END_OF_FIELD + entry.listen().getPort(),
                entry.cwd().toString(), entry.claim()));
        fields.addAll(entry.args());
        StringBuilder line = new StringBuilder();
        for (String field : fields) {
            line.append(field).append(END_OF_FIELD);
        }
        return line.toString();
    }

    private static Entry decode(String line) {
        if (!line.endsWith(String.valueOf(END_OF_FIELD))) {
            throw new IllegalArgumentException("truncated");
        }
        List<String> fields = Arrays.asList(line.substring(0, line.length() - 1).split(String.valueOf(END_OF_FIELD), -1));
        boolean v1 = fields.get(0).equals(VERSION_1);
        int fixed = v1 ? FIXED_FIELDS_V1 : FIXED_FIELDS;
        if (fields.size() < fixed || !(v1 || fields.get(0).equals(VERSION))) {
            throw new IllegalArgumentException("unknown format");
        }
        InetAddress address;
        try {
            address = io.eitrelay.cli.Converters.ipAddress(fields.get(2)); // a literal: never a name lookup
        } catch (picocli.CommandLine.TypeConversionException e) {
            throw new IllegalArgumentException("not an IP address: " + ControlProtocol.abbreviate(fields.get(2)), e);
        }
        try {
            int port = Integer.parseInt(fields.get(3));
            return new Entry(fields.get(1), new InetSocketAddress(address, port), Path.of(fields.get(4)),
                    v1 ? "" : fields.get(5), fields.subList(fixed, fields.size()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
