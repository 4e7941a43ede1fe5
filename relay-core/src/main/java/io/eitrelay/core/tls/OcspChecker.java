package io.eitrelay.core.tls;

import io.eitrelay.core.config.OcspPolicy;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * stunnel's OCSPaia over a chain that already verified (ocsp.c, ocsp_verify and check_aia): for every
 * certificate but the root, the responders its AIA extension names are asked in order until one gives
 * a conclusive answer. Revoked refuses; nothing conclusive refuses while OCSPrequire is on; a
 * certificate naming no responder passes. Runs once per handshake, off the event loop (the TLS
 * handler's delegated tasks), since each query is a blocking HTTP exchange.
 */
final class OcspChecker {
    private static final Logger log = LoggerFactory.getLogger(OcspChecker.class);
    /** A chain longer than this is not a real one; no certificate beyond it is queried. */
    static final int MAX_DEPTH = 10;
    /** Responders tried per certificate, however many its AIA lists. */
    static final int MAX_RESPONDERS = 4;

    private final OcspPolicy policy;
    private final Clock clock;

    OcspChecker(OcspPolicy policy, Clock clock) {
        this.policy = policy;
        this.clock = clock;
    }

    /** @param chain the peer's chain, leaf first, already verified; {@code anchors} the trusted CAs */
    void check(X509Certificate[] chain, X509Certificate[] anchors) throws PeerVerificationException {
        for (int depth = 0; depth < Math.min(chain.length, MAX_DEPTH); depth++) {
            X509Certificate certificate = chain[depth];
            if (selfIssued(certificate)) {
                log.debug("OCSP: ignoring the root certificate {}", subject(certificate));
                continue;
            }
            X509Certificate issuer = issuerOf(chain, depth, anchors);
            if (issuer == null) {
                throw new PeerVerificationException("OCSP: no issuer certificate for " + subject(certificate));
            }
            checkOne(certificate, issuer);
        }
    }

    private void checkOne(X509Certificate certificate, X509Certificate issuer) throws PeerVerificationException {
        List<String> urls = responders(certificate);
        if (urls.isEmpty()) {
            log.debug("OCSP: no AIA responder URL in {}", subject(certificate));
            return;
        }
        List<String> problems = new ArrayList<>();
        for (String url : urls.subList(0, Math.min(urls.size(), MAX_RESPONDERS))) {
            log.info("OCSP: Connecting the AIA responder \"{}\"", url);
            try {
                OcspQuery query = new OcspQuery(certificate, issuer);
                OcspQuery.Answer answer = query.read(OcspHttp.post(url, query.request(), policy.timeout()), clock.instant());
                switch (answer.status()) {
                    case GOOD -> {
                        log.info("OCSP: Certificate accepted (good): {}", subject(certificate));
                        return;
                    }
                    case REVOKED -> throw new PeerVerificationException("certificate revoked: " + subject(certificate)
                            + " (serial 0x" + certificate.getSerialNumber().toString(16) + ") " + answer.detail()
                            + ", per OCSP responder " + url, PeerVerificationException.REVOKED);
                    default -> problems.add(url + ": " + answer.detail());
                }
            } catch (OcspException e) {
                problems.add(url + ": " + e.getMessage());
            }
        }
        String inconclusive = "no conclusive OCSP answer for " + subject(certificate) + " (" + String.join("; ", problems) + ")";
        if (policy.requireConclusive()) {
            throw new PeerVerificationException(inconclusive + ", OCSPrequire = yes", PeerVerificationException.OCSP_UNAVAILABLE);
        }
        log.warn("OCSP: accepted without a conclusive answer (OCSPrequire = no): {}", inconclusive);
    }

    /** The OCSP URIs of the AIA extension (RFC 5280 §4.2.2.1), in the certificate's order. */
    static List<String> responders(X509Certificate certificate) {
        byte[] extension = certificate.getExtensionValue(Extension.authorityInfoAccess.getId());
        if (extension == null) {
            return List.of();
        }
        List<String> urls = new ArrayList<>();
        try {
            AuthorityInformationAccess aia = AuthorityInformationAccess.getInstance(
                    JcaX509ExtensionUtils.parseExtensionValue(extension));
            for (AccessDescription description : aia.getAccessDescriptions()) {
                GeneralName location = description.getAccessLocation();
                if (description.getAccessMethod().equals(AccessDescription.id_ad_ocsp)
                        && location.getTagNo() == GeneralName.uniformResourceIdentifier) {
                    urls.add(ASN1IA5String.getInstance(location.getName()).getString());
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            log.warn("OCSP: unreadable AIA extension in {}: {}", subject(certificate), e.getMessage());
        }
        return urls;
    }

    /** The next certificate of the chain when it signed this one, else the trust anchor that did. */
    private static X509Certificate issuerOf(X509Certificate[] chain, int depth, X509Certificate[] anchors) {
        X509Certificate certificate = chain[depth];
        if (depth + 1 < chain.length && signedBy(certificate, chain[depth + 1])) {
            return chain[depth + 1];
        }
        for (X509Certificate anchor : anchors) {
            if (signedBy(certificate, anchor)) {
                return anchor;
            }
        }
        return null;
    }

    private static boolean signedBy(X509Certificate certificate, X509Certificate candidate) {
        if (!certificate.getIssuerX500Principal().equals(candidate.getSubjectX500Principal())) {
            return false;
        }
        try {
            certificate.verify(candidate.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean selfIssued(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal());
    }

    private static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }
}
