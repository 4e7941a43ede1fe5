package io.eitrelay.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.pki.CertificateAuthority;
import io.eitrelay.testing.LogCapture;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExpiryWarningsTest {
    static X509Certificate expiringAt(Instant notAfter) {
        return CertificateAuthority.create("ca").leaf("fs-1.example")
                .validity(notAfter.minus(Duration.ofDays(90)), notAfter).issue().certificate();
    }

    static long lines(LogCapture logs, String text) {
        return logs.lines().stream().filter(l -> l.contains(text)).count();
    }

    @Test
    void warnsOncePerThresholdAsExpiryNears() {
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        X509Certificate certificate = expiringAt(now.plus(Duration.ofDays(40)));
        ExpiryWarnings warnings = new ExpiryWarnings("efs");
        try (LogCapture logs = new LogCapture()) {
            warnings.check(certificate, "our", now);
            assertEquals(0, logs.lines().size(), "40 days left: nothing to say yet");
            warnings.check(certificate, "our", now.plus(Duration.ofDays(15)));
            warnings.check(certificate, "our", now.plus(Duration.ofDays(16)));
            assertEquals(1, lines(logs, "[efs] our certificate CN=fs-1.example expires in 25 days"), logs.lines().toString());
            assertEquals(1, lines(logs, "expires in"), "once per threshold");
            warnings.check(certificate, "our", now.plus(Duration.ofDays(35)));
            assertEquals(1, lines(logs, "expires in 5 days"));
            warnings.check(certificate, "our", now.plus(Duration.ofDays(39).plusHours(12)));
            assertEquals(1, lines(logs, "expires in 12 hours"));
            warnings.check(certificate, "our", now.plus(Duration.ofDays(41)));
            warnings.check(certificate, "our", now.plus(Duration.ofDays(42)));
            assertEquals(1, lines(logs, "SEVERE [efs] our certificate CN=fs-1.example EXPIRED at"), logs.lines().toString());
        }
    }

    @Test
    void aRenewedCertificateIsWatchedAfresh() {
        Instant now = Instant.now();
        ExpiryWarnings warnings = new ExpiryWarnings("efs");
        try (LogCapture logs = new LogCapture()) {
            warnings.check(expiringAt(now.plus(Duration.ofDays(3))), "the peer's", now);
            warnings.check(expiringAt(now.plus(Duration.ofDays(3))), "the peer's", now);
            assertEquals(2, lines(logs, "the peer's certificate CN=fs-1.example expires in"),
                    "two certificates (different serials), one warning each");
            assertTrue(logs.lines().get(0).startsWith("WARNING"), logs.lines().toString());
        }
    }
}
