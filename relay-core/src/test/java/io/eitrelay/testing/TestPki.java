package io.eitrelay.testing;

import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.pki.CertificateAuthority;
import io.eitrelay.core.pki.IssuedCertificate;
import io.eitrelay.core.pki.IssuedCertificate.KeyFormat;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/** A CA generated at test time and the PEM files of certificates it issues, in a test's temp dir. */
public final class TestPki {
    /** The name the default server certificate carries. */
    public static final String SERVER_NAME = "relay.test";

    private final Path dir;
    private final CertificateAuthority ca;
    private final Path caFile;
    private final AtomicInteger counter = new AtomicInteger();

    public TestPki(Path dir) {
        this(dir, "eit-relay test CA");
    }

    public TestPki(Path dir, String caName) {
        this.dir = dir;
        this.ca = CertificateAuthority.create(caName);
        this.caFile = IssuedCertificate.writeCertificate(ca.certificate(), dir.resolve(caName.replace(' ', '-') + ".crt"));
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public Path caFile() {
        return caFile;
    }

    /** relay.test, DNS and IP 127.0.0.1 SANs, valid now. */
    public KeyPairFiles server() {
        return issue(SERVER_NAME, r -> r.dns(SERVER_NAME).ip(InetAddress.getLoopbackAddress()));
    }

    public KeyPairFiles issue(String commonName, UnaryOperator<CertificateAuthority.Request> customize) {
        IssuedCertificate issued = customize.apply(ca.leaf(commonName)).issue();
        String base = "leaf-" + counter.incrementAndGet();
        return new KeyPairFiles(issued.writeCertificate(dir.resolve(base + ".crt")),
                issued.writeKey(dir.resolve(base + ".key"), KeyFormat.PKCS8));
    }

    public IssuedCertificate issueRaw(String commonName, UnaryOperator<CertificateAuthority.Request> customize) {
        return customize.apply(ca.leaf(commonName)).issue();
    }

    /** The first certificate of a PEM file (a leaf written by {@link #issue}). */
    public static java.security.cert.X509Certificate read(Path pem) throws Exception {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(pem)) {
            return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
        }
    }

    public Path dir() {
        return dir;
    }
}
