package io.eitrelay.core.pki;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** A certificate with its private key and issuer, writable as the PEM files the relay reads. */
public record IssuedCertificate(X509Certificate certificate, PrivateKey privateKey, X509Certificate issuer) {
    /** How the private key is written: PKCS#8 ({@code PRIVATE KEY}) or the traditional PKCS#1 / SEC1 form. */
    public enum KeyFormat { PKCS8, TRADITIONAL }

    /** Writes the certificate as PEM (leaf only). */
    public Path writeCertificate(Path file) {
        return write(file, pem(certificate), false);
    }

    /** Writes the private key as PEM, readable by the owner only. */
    public Path writeKey(Path file, KeyFormat format) {
        Object object = format == KeyFormat.PKCS8 ? pkcs8() : traditional();
        return write(file, pem(object), true);
    }

    private Object pkcs8() {
        try {
            return new JcaPKCS8Generator(privateKey, null);
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * PKCS#1 for RSA, SEC1 for EC with the named curve inside, as {@code openssl genrsa} /
     * {@code openssl ecparam -genkey} write them.
     */
    private Object traditional() {
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(privateKey.getEncoded());
            if ("EC".equals(privateKey.getAlgorithm())) {
                ECPrivateKey sec1 = ECPrivateKey.getInstance(info.parsePrivateKey());
                ECPrivateKey withCurve = new ECPrivateKey(256, sec1.getKey(),
                        info.getPrivateKeyAlgorithm().getParameters());
                return new PemObject("EC PRIVATE KEY", withCurve.getEncoded());
            }
            return new PemObject("RSA PRIVATE KEY", info.parsePrivateKey().toASN1Primitive().getEncoded());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String pem(Object object) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Writes PEM text of {@code certificate} (e.g. a CA) to {@code file}. */
    public static Path writeCertificate(X509Certificate certificate, Path file) {
        return write(file, pem(certificate), false);
    }

    private static Path write(Path file, String text, boolean secret) {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
