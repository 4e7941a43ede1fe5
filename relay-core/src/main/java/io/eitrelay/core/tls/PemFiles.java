package io.eitrelay.core.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads certificates and private keys from PEM files with Bouncy Castle: certificate chains, and keys
 * as PKCS#1 ({@code RSA PRIVATE KEY}), SEC1 ({@code EC PRIVATE KEY}) or PKCS#8 ({@code PRIVATE KEY}).
 * A file may hold both the key and the chain, as stunnel allows for {@code cert}.
 */
public final class PemFiles {
    private PemFiles() {
    }

    /** Every certificate in the file, in file order (leaf first for a chain). */
    public static List<X509Certificate> readCertificates(Path file) throws TlsConfigException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : readObjects(file)) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new TlsConfigException(file + ": unreadable certificate: " + e.getMessage(), e);
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new TlsConfigException(file + ": no PEM certificate (BEGIN CERTIFICATE) found");
        }
        return List.copyOf(certificates);
    }

    /** The first private key in the file. */
    public static PrivateKey readPrivateKey(Path file) throws TlsConfigException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object object : readObjects(file)) {
            try {
                if (object instanceof PEMKeyPair pair) {
                    // Only the private part: SEC1 keys may omit the public key (RFC 5915 §3 makes it optional).
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            } catch (IOException e) {
                throw new TlsConfigException(file + ": unusable private key: " + e.getMessage(), e);
            }
            if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new TlsConfigException(file + ": the private key is encrypted; "
                        + "only unencrypted PKCS#1, PKCS#8 or SEC1 keys are supported");
            }
        }
        throw new TlsConfigException(file + ": no PEM private key (BEGIN PRIVATE KEY, "
                + "BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY) found");
    }

    private static List<Object> readObjects(Path file) throws TlsConfigException {
        List<Object> objects = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            // Bounded by the file: readObject returns null at its end.
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (NoSuchFileException e) {
            throw new TlsConfigException(file + ": no such file", e);
        } catch (IOException e) {
            throw new TlsConfigException(file + ": not a readable PEM file: " + e.getMessage(), e);
        }
        return objects;
    }
}
