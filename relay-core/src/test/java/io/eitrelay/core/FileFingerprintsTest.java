package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the TLS file watch reads each second: only files a stat says may have changed. */
class FileFingerprintsTest {
    @TempDir
    Path dir;
    final List<Path> reads = new ArrayList<>();

    private FileFingerprints fingerprints(Instant now) {
        return new FileFingerprints(Clock.fixed(now, ZoneOffset.UTC), file -> {
            reads.add(file);
            return FileFingerprints.read(file);
        });
    }

    /** A clock this far after the file's last change: it has settled. */
    private static Instant later() {
        return Instant.now().plus(FileFingerprints.SETTLED).plusSeconds(60);
    }

    @Test
    void aSettledUnchangedFileIsNotReadAgain() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n");
        FileFingerprints watch = fingerprints(later());
        String first = watch.of(cert);
        for (int i = 0; i < 5; i++) {
            assertEquals(first, watch.of(cert));
        }
        assertEquals(List.of(cert), reads);
    }

    @Test
    void anInPlaceRewriteOfTheSameSizeIsSeenEvenWithItsModificationTimeSetBack() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "AAAA");
        FileTime mtime = Files.getLastModifiedTime(cert);
        FileFingerprints watch = fingerprints(later());
        String before = watch.of(cert);
        Thread.sleep(20); // ctime has at least this resolution here; a coarser one is what SETTLED is for
        Files.writeString(cert, "BBBB");
        Files.setLastModifiedTime(cert, mtime); // cp -p, tar: mtime says nothing; ctime moved anyway
        assertNotEquals(before, watch.of(cert));
        assertEquals(2, reads.size());
    }

    @Test
    void aTouchMakesOneReadAndTheSameFingerprint() throws Exception {
        Path key = Files.writeString(dir.resolve("key.pem"), "KEY");
        FileFingerprints watch = fingerprints(later());
        String before = watch.of(key);
        Thread.sleep(20);
        Files.setLastModifiedTime(key, FileTime.from(Instant.now()));
        assertEquals(before, watch.of(key));
        assertEquals(before, watch.of(key));
        assertEquals(2, reads.size(), "read once more after the touch, then not again");
    }

    @Test
    void aRenamedReplacementIsSeen() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "OLD1");
        FileFingerprints watch = fingerprints(later());
        String before = watch.of(cert);
        Path next = Files.writeString(dir.resolve("cert.pem.new"), "NEW1");
        Files.move(next, cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertNotEquals(before, watch.of(cert));
    }

    @Test
    void aFileChangedWithinTheLastSecondsIsReadEveryTime() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "AAAA");
        FileFingerprints watch = fingerprints(Instant.now());
        watch.of(cert);
        watch.of(cert);
        watch.of(cert);
        assertEquals(3, reads.size(), "a coarse ctime could hide a rewrite in the same second");
    }

    @Test
    void missingFilesAreReadEachTimeAndForgottenFilesAreReadAgain() throws Exception {
        Path missing = dir.resolve("gone.pem");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "CA");
        FileFingerprints watch = fingerprints(later());
        assertEquals("missing", watch.of(missing));
        assertEquals("missing", watch.of(missing));
        watch.of(ca);
        watch.retain(Set.of(missing));
        watch.of(ca);
        assertEquals(List.of(missing, missing, ca, ca), reads);
    }
}
