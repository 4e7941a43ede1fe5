package io.eitrelay.bench;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.Mode;
import io.eitrelay.core.config.PeerCheck;
import io.eitrelay.core.config.RecordFraming;
import io.eitrelay.core.config.SocketOptions;
import io.eitrelay.core.config.Timeouts;
import io.eitrelay.core.config.TlsSettings;
import io.eitrelay.core.pki.CertificateAuthority;
import io.eitrelay.core.pki.IssuedCertificate;
import io.eitrelay.core.pki.IssuedCertificate.KeyFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/** A CA and a relay.test server certificate made at benchmark set-up (never stored), and endpoint configs using them. */
public final class BenchPki implements AutoCloseable {
    public static final String SERVER_NAME = "relay.test";

    private final Path dir;
    private final Path caFile;
    private final KeyPairFiles server;

    public BenchPki() {
        try {
            dir = Files.createTempDirectory("eit-bench-pki");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CertificateAuthority ca = CertificateAuthority.create("eit-relay bench CA");
        caFile = IssuedCertificate.writeCertificate(ca.certificate(), dir.resolve("ca.crt"));
        IssuedCertificate leaf = ca.leaf(SERVER_NAME).dns(SERVER_NAME).ip(InetAddress.getLoopbackAddress()).issue();
        server = new KeyPairFiles(leaf.writeCertificate(dir.resolve("server.crt")),
                leaf.writeKey(dir.resolve("server.key"), KeyFormat.PKCS8));
    }

    /** Client mode toward 127.0.0.1:{@code targetPort}, trusting our CA, checking relay.test. */
    public EndpointConfig client(int targetPort, TlsSettings base, RecordFraming framing) {
        return endpoint("client", targetPort, Mode.CLIENT,
                base.withCaFile(caFile).withPeerCheck(new PeerCheck.Host(SERVER_NAME)), framing);
    }

    /** Server mode in front of 127.0.0.1:{@code targetPort}, presenting relay.test. */
    public EndpointConfig server(int targetPort, TlsSettings base, RecordFraming framing) {
        return endpoint("server", targetPort, Mode.SERVER, base.withKeyPair(server), framing);
    }

    private static EndpointConfig endpoint(String name, int targetPort, Mode mode, TlsSettings tls, RecordFraming framing) {
        return new EndpointConfig(name, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new HostPort("127.0.0.1", targetPort), mode, tls,
                new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofHours(1)),
                SocketOptions.defaults(), framing);
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
