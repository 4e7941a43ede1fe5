package io.eitrelay.core.pki;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority built in memory with Bouncy Castle, for {@code eit-relay demo},
 * tests and benchmarks. Never for production trust: its key lives only in this process.
 */
public final class CertificateAuthority {
    /** Key algorithms for issued certificates. */
    public enum KeyType { EC_P256, RSA_2048 }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair keyPair;
    private final X509Certificate certificate;

    private CertificateAuthority(KeyPair keyPair, X509Certificate certificate) {
        this.keyPair = keyPair;
        this.certificate = certificate;
    }

    /** A self-signed CA valid from an hour ago for a day. */
    public static CertificateAuthority create(String commonName) {
        try {
            KeyPair pair = generate(KeyType.EC_P256);
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=" + commonName);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new CertificateAuthority(pair, sign(builder, pair));
        } catch (GeneralSecurityException | org.bouncycastle.cert.CertIOException e) {
            throw new IllegalStateException("cannot create a CA", e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The CA's key, for signing what a CA signs besides certificates (OCSP responses in tests). */
    public PrivateKey privateKey() {
        return keyPair.getPrivate();
    }

    /** A request for a leaf certificate; all fields have defaults that make a valid server cert. */
    public Request leaf(String commonName) {
        return new Request(commonName);
    }

    /** Builder of one leaf certificate. */
    public final class Request {
        private final String commonName;
        private final List<GeneralName> sans = new ArrayList<>();
        private Instant notBefore = Instant.now().minus(Duration.ofHours(1));
        private Instant notAfter = Instant.now().plus(Duration.ofDays(1));
        private KeyType keyType = KeyType.EC_P256;
        private final List<String> ocspResponders = new ArrayList<>();
        private boolean ocspSigning;

        private Request(String commonName) {
            this.commonName = commonName;
        }

        public Request dns(String name) {
            sans.add(new GeneralName(GeneralName.dNSName, name));
            return this;
        }

        public Request ip(InetAddress address) {
            sans.add(new GeneralName(GeneralName.iPAddress, address.getHostAddress()));
            return this;
        }

        public Request validity(Instant from, Instant until) {
            this.notBefore = from;
            this.notAfter = until;
            return this;
        }

        /** Names an OCSP responder in the Authority Information Access extension (RFC 5280 §4.2.2.1). */
        public Request ocspResponder(String url) {
            ocspResponders.add(url);
            return this;
        }

        /** A delegated OCSP responder's certificate: extended key usage id-kp-OCSPSigning (RFC 6960 §4.2.2.2). */
        public Request ocspSigning() {
            this.ocspSigning = true;
            return this;
        }

        public Request keyType(KeyType type) {
            this.keyType = type;
            return this;
        }

        public IssuedCertificate issue() {
            try {
                KeyPair pair = generate(keyType);
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
                        Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + commonName), pair.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                        .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate))
                        .addExtension(Extension.keyUsage, true,
                                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                if (!ocspResponders.isEmpty()) {
                    builder.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
                            ocspResponders.stream().map(url -> new AccessDescription(AccessDescription.id_ad_ocsp,
                                    new GeneralName(GeneralName.uniformResourceIdentifier, url))).toArray(AccessDescription[]::new)));
                }
                if (ocspSigning) {
                    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
                }
                if (!sans.isEmpty()) {
                    builder.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(new GeneralName[0])));
                }
                return new IssuedCertificate(sign(builder, keyPair), pair.getPrivate(), certificate);
            } catch (GeneralSecurityException | org.bouncycastle.cert.CertIOException e) {
                throw new IllegalStateException("cannot issue a certificate for " + commonName, e);
            }
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
        try {
            ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair generate(KeyType type) throws GeneralSecurityException {
        if (type == KeyType.RSA_2048) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            return generator.generateKeyPair();
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }
}
