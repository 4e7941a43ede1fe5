package io.eitrelay.cli.stunnel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * stunnel's pid file: {@code <pid>\n}, mode 0644, written after every listener is bound (helpers read
 * it to find the process), a stale one replaced, removed on a clean exit.
 */
final class PidFile {
    private final Path path;

    private PidFile(Path path) {
        this.path = path;
    }

    static PidFile write(Path path) throws IOException {
        Path temp = path.resolveSibling(path.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.writeString(temp, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        // Atomic: a reader sees the old file or the new one, never a half-written pid.
        Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new PidFile(path);
    }

    void remove() {
        try {
            String content = Files.readString(path, StandardCharsets.US_ASCII).trim();
            // Only our own: a newer instance may have replaced it.
            if (content.equals(Long.toString(ProcessHandle.current().pid()))) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // Already gone.
        }
    }
}
