package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.PeerCheck;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.LogCapture;
import io.eitrelay.testing.RelayTestBed;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client relay refuses a server that cannot prove who it is, and says why in one log line; the
 * same readable reason whichever TLS provider is in use.
 */
class PeerVerificationTest {
    @TempDir
    Path dir;
    TestPki pki;
    RelayTestBed bed;
    EchoServer echo;
    LogCapture logs;

    @BeforeEach
    void setUp() throws Exception {
        pki = new TestPki(dir);
        bed = new RelayTestBed();
        echo = bed.echo();
        logs = bed.logs();
    }

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    /** Starts server relay with {@code serverCert} and a client relay checking {@code check}; returns the client port. */
    int pair(ProviderChoice provider, KeyPairFiles serverCert, Path caFile, PeerCheck check) throws Exception {
        Relay server = Relay.start(Configs.relay(Configs.server(echo.port(), serverCert), TransportChoice.AUTO, provider));
        bed.track(server);
        EndpointConfig client = Configs.client(server.endpoints().get(0).boundAddress().getPort(), caFile);
        client = client.withTls(client.tls().withPeerCheck(check));
        Relay relay = Relay.start(Configs.relay(client, TransportChoice.AUTO, provider));
        bed.track(relay);
        return relay.endpoints().get(0).boundAddress().getPort();
    }

    void assertRefused(int port, String reason) throws Exception {
        RelayPairSuite.assertClosedByRelay(port);
        String line = logs.await(reason, 5_000);
        assertNotNull(line, "expected a log line containing '" + reason + "' in " + logs.lines());
        assertTrue(line.contains("certificate verify failed"), line);
        assertTrue(Eventually.within(3_000, () -> bed.relays().stream().allMatch(r -> r.endpoints().get(0).openChannels() == 0)));
    }

    @ParameterizedTest
    @EnumSource(value = ProviderChoice.class, names = {"OPENSSL", "JDK"})
    void matchingNameAndTrustedCaAreAccepted(ProviderChoice provider) throws Exception {
        int port = pair(provider, pki.server(), pki.caFile(), new PeerCheck.Host(TestPki.SERVER_NAME));
        byte[] data = Transfer.random(10_000, 1);
        assertArrayEquals(data, Transfer.roundTrip(port, data, List.of(1000), 30));
    }

    @ParameterizedTest
    @EnumSource(value = ProviderChoice.class, names = {"OPENSSL", "JDK"})
    void untrustedCaIsRefused(ProviderChoice provider) throws Exception {
        TestPki other = new TestPki(dir, "some other CA");
        int port = pair(provider, other.server(), pki.caFile(), new PeerCheck.Host(TestPki.SERVER_NAME));
        assertRefused(port, "does not chain to a trusted CA");
    }

    @ParameterizedTest
    @EnumSource(value = ProviderChoice.class, names = {"OPENSSL", "JDK"})
    void wrongHostnameIsRefusedNamingBoth(ProviderChoice provider) throws Exception {
        KeyPairFiles other = pki.issue("other", r -> r.dns("*.other.example"));
        int port = pair(provider, other, pki.caFile(), new PeerCheck.Host("fs-1.example"));
        assertRefused(port, "hostname mismatch, expected fs-1.example, presented [*.other.example]");
    }

    @ParameterizedTest
    @EnumSource(value = ProviderChoice.class, names = {"OPENSSL", "JDK"})
    void wildcardCertificateMatchesOneLabel(ProviderChoice provider) throws Exception {
        KeyPairFiles wildcard = pki.issue("wild", r -> r.dns("*.file.core.example"));
        int port = pair(provider, wildcard, pki.caFile(), new PeerCheck.Host("acct1.file.core.example"));
        byte[] data = Transfer.random(1000, 2);
        assertArrayEquals(data, Transfer.roundTrip(port, data, List.of(100), 30));
    }

    @ParameterizedTest
    @EnumSource(value = ProviderChoice.class, names = {"OPENSSL", "JDK"})
    void wrongIpAddressIsRefused(ProviderChoice provider) throws Exception {
        int port = pair(provider, pki.server(), pki.caFile(), new PeerCheck.Ip(InetAddress.getByName("127.0.0.9")));
        assertRefused(port, "IP address mismatch, expected 127.0.0.9, presented [127.0.0.1]");
    }

    @ParameterizedTest
    @EnumSource(value = ProviderChoice.class, names = {"OPENSSL", "JDK"})
    void targetIpLiteralIsCheckedAgainstIpSans(ProviderChoice provider) throws Exception {
        // The default check for an IP target: the certificate must carry that IP.
        int port = pair(provider, pki.server(), pki.caFile(), new PeerCheck.TargetHost());
        byte[] data = Transfer.random(1000, 3);
        assertArrayEquals(data, Transfer.roundTrip(port, data, List.of(100), 30));
        KeyPairFiles dnsOnly = pki.issue("dns-only", r -> r.dns(TestPki.SERVER_NAME));
        int refused = pair(provider, dnsOnly, pki.caFile(), new PeerCheck.TargetHost());
        assertRefused(refused, "IP address mismatch, expected 127.0.0.1, presented []");
    }

    @ParameterizedTest
    @EnumSource(value = ProviderChoice.class, names = {"OPENSSL", "JDK"})
    void expiredCertificateIsRefused(ProviderChoice provider) throws Exception {
        Instant now = Instant.now();
        KeyPairFiles expired = pki.issue(TestPki.SERVER_NAME, r -> r.dns(TestPki.SERVER_NAME)
                .validity(now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1))));
        int port = pair(provider, expired, pki.caFile(), new PeerCheck.Host(TestPki.SERVER_NAME));
        assertRefused(port, "certificate has expired");
    }

    @ParameterizedTest
    @EnumSource(value = ProviderChoice.class, names = {"OPENSSL", "JDK"})
    void aCertificateAboutToExpireIsWarnedAboutByBothEnds(ProviderChoice provider) throws Exception {
        Instant now = Instant.now();
        KeyPairFiles soon = pki.issue(TestPki.SERVER_NAME, r -> r.dns(TestPki.SERVER_NAME)
                .validity(now.minus(Duration.ofDays(80)), now.plus(Duration.ofDays(3))));
        int port = pair(provider, soon, pki.caFile(), new PeerCheck.Host(TestPki.SERVER_NAME));
        assertNotNull(logs.await("[server] our certificate CN=relay.test expires in 2 days", 1_000), logs.lines().toString());
        byte[] data = Transfer.random(1000, 5);
        assertArrayEquals(data, Transfer.roundTrip(port, data, List.of(100), 30), "still valid: it works");
        assertNotNull(logs.await("[client] the peer's certificate CN=relay.test expires in 2 days", 5_000), logs.lines().toString());
    }

    @ParameterizedTest
    @EnumSource(value = ProviderChoice.class, names = {"OPENSSL", "JDK"})
    void notYetValidCertificateIsRefused(ProviderChoice provider) throws Exception {
        Instant now = Instant.now();
        KeyPairFiles future = pki.issue(TestPki.SERVER_NAME, r -> r.dns(TestPki.SERVER_NAME)
                .validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(10))));
        int port = pair(provider, future, pki.caFile(), new PeerCheck.Host(TestPki.SERVER_NAME));
        assertRefused(port, "certificate is not yet valid");
    }

    @ParameterizedTest
    @EnumSource(value = ProviderChoice.class, names = {"OPENSSL", "JDK"})
    void serverWithCaFileRequiresAClientCertificate(ProviderChoice provider) throws Exception {
        EndpointConfig serverConfig = Configs.server(echo.port(), pki.server());
        serverConfig = serverConfig.withTls(serverConfig.tls().withCaFile(pki.caFile()));
        Relay server = Relay.start(Configs.relay(serverConfig, TransportChoice.AUTO, provider));
        bed.track(server);
        int serverPort = server.endpoints().get(0).boundAddress().getPort();
        // Without a client certificate: refused by the server.
        Relay anonymous = Relay.start(Configs.relay(Configs.client(serverPort, pki.caFile()), TransportChoice.AUTO, provider));
        bed.track(anonymous);
        RelayPairSuite.assertClosedByRelay(anonymous.endpoints().get(0).boundAddress().getPort());
        assertNotNull(logs.await("[server]", 5_000));
        // With one from the trusted CA: accepted.
        EndpointConfig withCert = Configs.client(serverPort, pki.caFile());
        withCert = withCert.withTls(withCert.tls().withKeyPair(pki.issue("nfs-client", r -> r)));
        Relay authenticated = Relay.start(Configs.relay(withCert, TransportChoice.AUTO, provider));
        bed.track(authenticated);
        byte[] data = Transfer.random(5000, 4);
        assertArrayEquals(data, Transfer.roundTrip(authenticated.endpoints().get(0).boundAddress().getPort(), data, List.of(500), 30));
        assertEquals(1, anonymous.endpoints().get(0).stats().failed());
    }
}
