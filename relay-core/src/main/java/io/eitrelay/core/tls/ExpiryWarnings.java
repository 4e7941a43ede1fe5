package io.eitrelay.core.tls;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the log, before it bites, that a certificate is about to expire: at 30, 7 and 1 days left and
 * once expired, each once per certificate. An expired client certificate freezes an NFS mount without a
 * word from stunnel; here the warning comes weeks ahead (and the expiry gauge can drive an alert).
 */
public final class ExpiryWarnings {
    private static final Logger log = LoggerFactory.getLogger(ExpiryWarnings.class);
    private static final int[] THRESHOLD_DAYS = {1, 7, 30};
    /** Bounded memory: certificates are few, but a server endpoint sees many client certificates. */
    private static final int REMEMBERED = 256;

    private final String endpoint;
    private final Set<String> warned = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });

    public ExpiryWarnings(String endpoint) {
        this.endpoint = endpoint;
    }

    /** @param whose "our" or "the peer's" */
    public synchronized void check(X509Certificate certificate, String whose, Instant now) {
        Instant notAfter = certificate.getNotAfter().toInstant();
        Duration left = Duration.between(now, notAfter);
        String id = certificate.getIssuerX500Principal().getName() + "#" + certificate.getSerialNumber();
        String subject = certificate.getSubjectX500Principal().getName();
        if (left.isNegative() || left.isZero()) {
            if (warned.add(id + "@expired")) {
                log.error("[{}] {} certificate {} EXPIRED at {}: new TLS connections will be refused until it is renewed",
                        endpoint, whose, subject, notAfter);
            }
            return;
        }
        for (int days : THRESHOLD_DAYS) {
            if (left.compareTo(Duration.ofDays(days)) <= 0) {
                if (warned.add(id + "@" + days)) {
                    log.warn("[{}] {} certificate {} expires in {} (at {}): renew it before then", endpoint, whose,
                            subject, human(left), notAfter);
                }
                return;
            }
        }
    }

    private static String human(Duration left) {
        long days = left.toDays();
        return days >= 1 ? days + (days == 1 ? " day" : " days") : left.toHours() + " hours";
    }
}
