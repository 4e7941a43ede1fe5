package io.eitrelay.cli.mount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The NFS mounts the kernel has, read from /proc/mounts (proc(5): source, mount point, type, options,
 * two numbers; spaces in names escaped as octal). The kernel's options name the address and port its
 * NFS client connects to ({@code addr=}, {@code port=}; absent port: 2049), which is how an endpoint is
 * known to be in use.
 */
public final class MountTable {
    public static final Path PROC_MOUNTS = Path.of("/proc/mounts");
    /** A mount table longer than this is not one; read no further. */
    private static final long MAX_BYTES = 64L * 1024 * 1024;

    /** One NFS mount: where from, where to, and the address and port its client connects to. */
    public record NfsMount(String source, String mountPoint, String type, String addr, int port) {
        public boolean connectsTo(String address, int toPort) {
            return address.equals(addr) && port == toPort;
        }
    }

    private MountTable() {
    }

    public static List<NfsMount> read(Path file) throws IOException {
        if (Files.isRegularFile(file) && Files.size(file) > MAX_BYTES) {
            throw new IOException(file + ": over " + MAX_BYTES + " bytes");
        }
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    static List<NfsMount> parse(List<String> lines) {
        List<NfsMount> mounts = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 4 || !(fields[2].equals("nfs") || fields[2].equals("nfs4"))) {
                continue;
            }
            String addr = null;
            int port = MountOptions.NFS_PORT;
            for (String option : fields[3].split(",")) {
                String lower = option.toLowerCase(Locale.ROOT);
                if (lower.startsWith("addr=")) {
                    addr = option.substring("addr=".length());
                } else if (lower.startsWith("port=")) {
                    try {
                        port = Integer.parseInt(option.substring("port=".length()));
                    } catch (NumberFormatException e) {
                        port = -1; // not ours, whatever it is
                    }
                }
            }
            if (addr != null) {
                mounts.add(new NfsMount(unescape(fields[0]), unescape(fields[1]), fields[2], addr, port));
            }
        }
        return mounts;
    }

    /** proc(5) writes space, tab, newline and backslash in names as three octal digits after a backslash. */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
