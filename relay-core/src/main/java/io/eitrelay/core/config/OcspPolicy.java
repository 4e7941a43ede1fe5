package io.eitrelay.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Revocation checking of the peer's certificate chain by OCSP (RFC 6960), as stunnel's {@code OCSPaia}
 * and {@code OCSPrequire} do it: every certificate of the verified chain but the root that names an
 * OCSP responder in its Authority Information Access extension (RFC 5280 §4.2.2.1) is looked up there
 * at each handshake. A "revoked" answer refuses the peer; no usable answer refuses it too unless
 * {@code requireConclusive} is off; a certificate naming no responder is accepted, as stunnel does.
 *
 * @param queryAia          ask the responders named in the certificates (stunnel {@code OCSPaia = yes})
 * @param requireConclusive refuse when no responder gives a good/revoked answer (stunnel
 *                          {@code OCSPrequire}, default yes)
 * @param timeout           per responder, to connect and again to read its answer (stunnel's TIMEOUTocsp
 *                          is 5 s)
 */
public record OcspPolicy(boolean queryAia, boolean requireConclusive, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** No OCSP queries (stunnel's default). */
    public static final OcspPolicy OFF = new OcspPolicy(false, true, DEFAULT_TIMEOUT);

    public OcspPolicy {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("OCSP timeout must be positive but was " + timeout);
        }
    }

    /** Query the AIA responders; inconclusive answers refuse the peer unless {@code requireConclusive} is false. */
    public static OcspPolicy aia(boolean requireConclusive) {
        return new OcspPolicy(true, requireConclusive, DEFAULT_TIMEOUT);
    }
}
