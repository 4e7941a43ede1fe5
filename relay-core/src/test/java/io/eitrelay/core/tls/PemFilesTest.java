package io.eitrelay.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.pki.CertificateAuthority;
import io.eitrelay.core.pki.CertificateAuthority.KeyType;
import io.eitrelay.core.pki.IssuedCertificate;
import io.eitrelay.core.pki.IssuedCertificate.KeyFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PemFilesTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} key as {1}")
    @CsvSource({"RSA_2048, PKCS8, PRIVATE KEY", "RSA_2048, TRADITIONAL, RSA PRIVATE KEY",
            "EC_P256, PKCS8, PRIVATE KEY", "EC_P256, TRADITIONAL, EC PRIVATE KEY"})
    void readsPkcs1Pkcs8AndSec1Keys(KeyType type, KeyFormat format, String pemLabel) throws Exception {
        IssuedCertificate issued = CertificateAuthority.create("ca").leaf("x").keyType(type).issue();
        Path key = issued.writeKey(dir.resolve("key.pem"), format);
        assertTrue(Files.readString(key).contains("BEGIN " + pemLabel + "-----"), Files.readString(key));
        assertSameKey(issued.privateKey(), PemFiles.readPrivateKey(key));
    }

    /** Same key material; encodings may differ (SEC1 with or without the public point). */
    static void assertSameKey(PrivateKey expected, PrivateKey actual) {
        if (expected instanceof ECPrivateKey ec) {
            assertEquals(ec.getS(), ((ECPrivateKey) actual).getS());
        } else {
            assertEquals(expected, actual);
        }
    }

    @Test
    void readsKeyAndChainFromOneFile() throws Exception {
        IssuedCertificate issued = CertificateAuthority.create("ca").leaf("x").issue();
        Path both = dir.resolve("both.pem");
        String key = Files.readString(issued.writeKey(dir.resolve("key.pem"), KeyFormat.TRADITIONAL));
        Files.writeString(both, IssuedCertificate.pem(issued.certificate()) + key + IssuedCertificate.pem(issued.issuer()));
        assertSameKey(issued.privateKey(), PemFiles.readPrivateKey(both));
        assertEquals(2, PemFiles.readCertificates(both).size());
        assertEquals(issued.certificate(), PemFiles.readCertificates(both).get(0));
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.pem");
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> PemFiles.readCertificates(missing));
        assertEquals(missing + ": no such file", e.getMessage());
    }

    @Test
    void fileWithoutKeySaysWhatWasExpected() throws Exception {
        IssuedCertificate issued = CertificateAuthority.create("ca").leaf("x").issue();
        Path cert = issued.writeCertificate(dir.resolve("cert.pem"));
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> PemFiles.readPrivateKey(cert));
        assertTrue(e.getMessage().startsWith(cert + ": no PEM private key"), e.getMessage());
    }

    @Test
    void garbageIsRefusedWithTheFileName() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
        TlsConfigException e = assertThrows(TlsConfigException.class, () -> PemFiles.readCertificates(garbage));
        assertTrue(e.getMessage().startsWith(garbage.toString()), e.getMessage());
    }
}
