package io.eitrelay.core.tls;

import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * One certificate's status from one responder: the request (RFC 6960 §4.1, CertID with SHA-1 as
 * OpenSSL's OCSP_cert_to_id makes it) and the checks of the answer that stunnel makes through
 * OCSP_basic_verify and OCSP_check_validity: signed by the issuer or by a responder the issuer
 * delegated to (id-kp-OCSPSigning, §4.2.2.2), an answer for this very certificate, and current within
 * a minute's leeway.
 */
final class OcspQuery {
    /** stunnel's leeway for thisUpdate/nextUpdate (ocsp.c: one minute). */
    static final Duration LEEWAY = Duration.ofMinutes(1);

    /** CRLReason names by code (RFC 5280 §5.3.1; 7 is unused). */
    private static final List<String> REASONS = List.of("unspecified", "keyCompromise", "cACompromise",
            "affiliationChanged", "superseded", "cessationOfOperation", "certificateHold", "7", "removeFromCRL",
            "privilegeWithdrawn", "aACompromise");

    /** What a responder said about one certificate. */
    enum Status { GOOD, REVOKED, UNKNOWN }

    /** @param detail for REVOKED the time and reason, for UNKNOWN why, else empty */
    record Answer(Status status, String detail) {
    }

    private final X509Certificate certificate;
    private final X509Certificate issuer;
    private final CertificateID id;

    OcspQuery(X509Certificate certificate, X509Certificate issuer) throws OcspException {
        this.certificate = certificate;
        this.issuer = issuer;
        try {
            this.id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                    new JcaX509CertificateHolder(issuer), certificate.getSerialNumber());
        } catch (OperatorCreationException | OCSPException | CertificateException e) {
            throw new OcspException("cannot make the OCSP certificate ID: " + e.getMessage(), e);
        }
    }

    byte[] request() throws OcspException {
        try {
            return new OCSPReqBuilder().addRequest(id).build().getEncoded();
        } catch (OCSPException | IOException e) {
            throw new OcspException("cannot encode the OCSP request: " + e.getMessage(), e);
        }
    }

    /** Checks a DER response; anything that does not prove a status for our certificate throws. */
    Answer read(byte[] der, Instant now) throws OcspException {
        BasicOCSPResp basic;
        try {
            OCSPResp response = new OCSPResp(der);
            if (response.getStatus() != OCSPResp.SUCCESSFUL) {
                throw new OcspException("responder error status " + response.getStatus() + " (RFC 6960 §4.2.1)");
            }
            if (!(response.getResponseObject() instanceof BasicOCSPResp b)) {
                throw new OcspException("not a basic OCSP response");
            }
            basic = b;
        } catch (IOException | OCSPException | RuntimeException e) {
            throw new OcspException("malformed OCSP response: " + e.getMessage(), e);
        }
        verifySignature(basic, now);
        for (SingleResp single : basic.getResponses()) {
            if (!single.getCertID().equals(id)) {
                continue;
            }
            checkCurrent(single, now);
            CertificateStatus status = single.getCertStatus();
            if (status == CertificateStatus.GOOD) {
                return new Answer(Status.GOOD, "");
            }
            if (status instanceof RevokedStatus revoked) {
                int code = revoked.hasRevocationReason() ? revoked.getRevocationReason() : -1;
                String reason = code < 0 ? "" : ", reason " + (code < REASONS.size() ? REASONS.get(code) : String.valueOf(code));
                return new Answer(Status.REVOKED, "revoked at " + revoked.getRevocationTime().toInstant() + reason);
            }
            return new Answer(Status.UNKNOWN, "the responder does not know the certificate");
        }
        throw new OcspException("the response has no status for serial 0x" + certificate.getSerialNumber().toString(16));
    }

    private void verifySignature(BasicOCSPResp basic, Instant now) throws OcspException {
        try {
            if (basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(issuer.getPublicKey()))) {
                return;
            }
            for (X509CertificateHolder holder : basic.getCerts()) {
                X509Certificate responder = new JcaX509CertificateConverter().getCertificate(holder);
                if (delegatedByIssuer(responder, now)
                        && basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(responder.getPublicKey()))) {
                    return;
                }
            }
        } catch (OperatorCreationException | OCSPException | CertificateException e) {
            throw new OcspException("cannot check the response signature: " + e.getMessage(), e);
        }
        throw new OcspException("the response is not signed by the issuer " + issuer.getSubjectX500Principal().getName()
                + " nor by a responder it authorised");
    }

    /** RFC 6960 §4.2.2.2: issued directly by the CA that issued the certificate, for OCSP signing, valid now. */
    private boolean delegatedByIssuer(X509Certificate responder, Instant now) {
        try {
            responder.verify(issuer.getPublicKey());
            responder.checkValidity(Date.from(now));
            return responder.getExtendedKeyUsage() != null
                    && responder.getExtendedKeyUsage().contains(KeyPurposeId.id_kp_OCSPSigning.getId());
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    private static void checkCurrent(SingleResp single, Instant now) throws OcspException {
        Instant thisUpdate = single.getThisUpdate().toInstant();
        if (thisUpdate.isAfter(now.plus(LEEWAY))) {
            throw new OcspException("the response is not yet valid (thisUpdate " + thisUpdate + ")");
        }
        if (single.getNextUpdate() != null && single.getNextUpdate().toInstant().isBefore(now.minus(LEEWAY))) {
            throw new OcspException("the response is stale (nextUpdate " + single.getNextUpdate().toInstant() + ")");
        }
    }
}
