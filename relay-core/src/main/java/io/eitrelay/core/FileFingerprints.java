package io.eitrelay.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Content fingerprints (SHA-256) of the TLS files the relay watches, read again only when a file may
 * have changed. A daemon with a client certificate per mount (efs-utils writes one per mount) watches
 * two files per endpoint; reading and hashing 2,000 of them every second cost an idle daemon 2% of a
 * core, a stat of each is a fraction of that. "May have changed": its inode, device, size or ctime
 * differ from the last read, or its ctime is too recent to trust, since a file system that keeps
 * ctime in whole seconds would not show a rewrite within the same second (git's "racy" entries).
 * ctime, not mtime: every write and rename sets it and no user can set it back.
 */
final class FileFingerprints {
    /** A file whose ctime is closer than this to now is read every time. */
    static final Duration SETTLED = Duration.ofSeconds(2);
    /** A certificate chain, key or CA bundle larger than this is not one; read no more of it. */
    private static final long MAX_FILE_BYTES = 16L * 1024 * 1024;
    private static final String STAMP_ATTRIBUTES = "unix:mode,ino,dev,size,ctime";
    /** st_mode's file type bits and the type of a regular file (inode(7)). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;

    private record Known(Map<String, Object> stamp, String digest) {
    }

    private final Map<Path, Known> known = new HashMap<>();
    private final Clock clock;
    private final Function<Path, String> reader;

    FileFingerprints() {
        this(Clock.systemUTC(), FileFingerprints::read);
    }

    /** With {@code reader} computing a file's fingerprint from its content (tests count the reads). */
    FileFingerprints(Clock clock, Function<Path, String> reader) {
        this.clock = clock;
        this.reader = reader;
    }

    /** The fingerprint of {@code file} now: "missing", "not a regular file", ... when it has none. */
    String of(Path file) {
        Map<String, Object> stamp = stamp(file); // before reading: a change while reading shows next time
        Known last = known.get(file);
        if (stamp != null && last != null && last.stamp().equals(stamp) && settled((FileTime) stamp.get("ctime"))) {
            return last.digest();
        }
        String digest = reader.apply(file);
        if (stamp == null) {
            known.remove(file);
        } else {
            known.put(file, new Known(stamp, digest));
        }
        return digest;
    }

    /** Forgets files no longer watched. */
    void retain(Set<Path> files) {
        known.keySet().retainAll(files);
    }

    private boolean settled(FileTime ctime) {
        return ctime.toInstant().isBefore(clock.instant().minus(SETTLED));
    }

    /**
     * Identity and change time of a regular file (symlinks followed), in one stat, or null: then it is
     * read each time.
     */
    private static Map<String, Object> stamp(Path file) {
        try {
            Map<String, Object> stamp = Files.readAttributes(file, STAMP_ATTRIBUTES);
            return ((Integer) stamp.get("mode") & S_IFMT) == S_IFREG ? stamp : null;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null; // gone, unreadable, or no "unix" attribute view on this platform
        }
    }

    static String read(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                // A FIFO or device would block the reader; a symlink to a regular file is followed.
                return Files.exists(file) ? "not a regular file" : "missing";
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                return "too large: " + Files.size(file);
            }
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            return "missing";
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
