package io.eitrelay.core.tls;

import io.eitrelay.core.config.KeyPairFiles;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Locale;

/**
 * Refuses a key that is not the certificate's, at load time rather than at every handshake: stunnel
 * does the same (SSL_CTX_check_private_key, "key values mismatch"), and a certificate rotated before
 * its key (or the reverse) must be caught as not loadable yet, not put in service.
 */
final class KeyPairCheck {
    private static final int CHALLENGE_BYTES = 32;

    private KeyPairCheck() {
    }

    static void requireMatch(PrivateKey key, X509Certificate certificate, KeyPairFiles files) throws TlsConfigException {
        String algorithm = signatureAlgorithm(key);
        if (algorithm == null) {
            return; // a key type we cannot test here; the TLS library still refuses it at handshake
        }
        try {
            byte[] challenge = new byte[CHALLENGE_BYTES];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // A key of another type than the certificate's lands here too: it does not match either.
        }
        throw new TlsConfigException(files.privateKey() + ": key does not match the certificate in "
                + files.certificateChain() + " (" + certificate.getSubjectX500Principal().getName() + ")");
    }

    private static String signatureAlgorithm(PrivateKey key) {
        switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
            case "RSA":
                return "SHA256withRSA";
            case "EC":
                return "SHA256withECDSA";
            case "ED25519":
            case "EDDSA":
                return "Ed25519";
            default:
                return null;
        }
    }
}
