package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.OcspPolicy;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.metrics.MeterNames;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.LogCapture;
import io.eitrelay.testing.OcspResponder;
import io.eitrelay.testing.OcspResponder.Answer;
import io.eitrelay.testing.RelayTestBed;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * OCSPaia as stunnel does it: the client relay asks the responder named in the server certificate at
 * every handshake and refuses a revoked certificate, or one with no conclusive answer while OCSPrequire
 * is on, saying why in the one log line of the failed connection. The responder is a real one on
 * loopback; the answers are signed with the test CA's key.
 */
class OcspRevocationTest {
    @TempDir
    Path dir;
    TestPki pki;
    RelayTestBed bed;
    EchoServer echo;
    LogCapture logs;
    OcspResponder responder;
    /** The client relays' meters. */
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void setUp() throws Exception {
        pki = new TestPki(dir);
        bed = new RelayTestBed();
        echo = bed.echo();
        logs = bed.logs();
        responder = new OcspResponder(pki.ca().certificate(), pki.ca().privateKey());
    }

    @AfterEach
    void tearDown() throws Exception {
        responder.close();
        bed.close();
    }

    /** A server certificate naming {@code url} (or no responder when null) as its OCSP responder. */
    KeyPairFiles serverCert(String url) {
        UnaryOperator<io.eitrelay.core.pki.CertificateAuthority.Request> names = r -> r.dns(TestPki.SERVER_NAME);
        return pki.issue(TestPki.SERVER_NAME, url == null ? names : r -> names.apply(r).ocspResponder(url));
    }

    int serverRelay(KeyPairFiles cert, ProviderChoice provider) throws Exception {
        Relay server = bed.track(Relay.start(Configs.relay(Configs.server(echo.port(), cert), TransportChoice.AUTO, provider)));
        return server.endpoints().get(0).boundAddress().getPort();
    }

    int clientRelay(int serverPort, OcspPolicy ocsp, ProviderChoice provider) throws Exception {
        EndpointConfig client = Configs.client(serverPort, pki.caFile());
        client = client.withTls(client.tls().withOcsp(ocsp));
        return bed.track(Relay.start(Configs.relay(client, TransportChoice.AUTO, provider), registry)).endpoints().get(0)
                .boundAddress().getPort();
    }

    /** Handshake failures of the client relays with {@code reason}: what an alert on revocation would count. */
    double handshakeFailures(String reason) {
        return registry.find(MeterNames.HANDSHAKES).tags(MeterNames.TAG_OUTCOME, "failure", MeterNames.TAG_REASON, reason)
                .counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }


    void assertFlows(int port) throws Exception {
        byte[] data = Transfer.random(20_000, 7);
        assertArrayEquals(data, Transfer.roundTrip(port, data, List.of(4096), 30));
    }

    void assertRefused(int port, String reason) throws Exception {
        RelayPairSuite.assertClosedByRelay(port);
        String line = logs.await(reason, 10_000);
        assertNotNull(line, "expected a log line containing '" + reason + "' in " + logs.lines());
        assertTrue(line.contains("certificate verify failed"), line);
    }

    @ParameterizedTest
    @EnumSource(value = ProviderChoice.class, names = {"OPENSSL", "JDK"})
    void goodAnswerLetsDataFlow(ProviderChoice provider) throws Exception {
        int serverPort = serverRelay(serverCert(responder.url()), provider);
        assertFlows(clientRelay(serverPort, OcspPolicy.aia(true), provider));
        assertEquals(1, responder.queries());
        // A second client (no session to resume: a full handshake) asks again: answers are not cached, as stunnel.
        assertFlows(clientRelay(serverPort, OcspPolicy.aia(true), provider));
        assertEquals(2, responder.queries());
    }

    @ParameterizedTest
    @EnumSource(value = ProviderChoice.class, names = {"OPENSSL", "JDK"})
    void revokedCertificateIsRefusedWithTheResponderNamed(ProviderChoice provider) throws Exception {
        KeyPairFiles cert = serverCert(responder.url());
        responder.answer(TestPki.read(cert.certificateChain()), Answer.REVOKED);
        int port = clientRelay(serverRelay(cert, provider), OcspPolicy.aia(true), provider);
        assertRefused(port, "certificate revoked: CN=" + TestPki.SERVER_NAME);
        String line = logs.await("certificate revoked", 1_000);
        assertTrue(line.contains("reason keyCompromise") && line.contains(responder.url()), line);
        assertTrue(Eventually.within(3_000, () -> handshakeFailures("revoked") == 1), registry.getMetersAsString());
        assertEquals(0, handshakeFailures("verify"), "a revocation is told apart from a bad chain or name");
        assertTrue(Eventually.within(3_000, () -> bed.relays().stream().allMatch(r -> r.endpoints().get(0).openChannels() == 0)));
    }

    @Test
    void revokedCertificateIsAcceptedWhenOcspIsOffAsStunnelsDefault() throws Exception {
        KeyPairFiles cert = serverCert(responder.url());
        responder.answer(TestPki.read(cert.certificateChain()), Answer.REVOKED);
        assertFlows(clientRelay(serverRelay(cert, ProviderChoice.AUTO), OcspPolicy.OFF, ProviderChoice.AUTO));
        assertEquals(0, responder.queries());
    }

    @ParameterizedTest
    @EnumSource(value = Answer.class, names = {"UNKNOWN", "TRY_LATER", "GARBAGE", "HTTP_ERROR", "STALE", "WRONG_SIGNER"})
    void inconclusiveAnswersRefuseWhileOcspRequireIsOn(Answer answer) throws Exception {
        KeyPairFiles cert = serverCert(responder.url());
        responder.answer(TestPki.read(cert.certificateChain()), answer);
        int port = clientRelay(serverRelay(cert, ProviderChoice.AUTO), OcspPolicy.aia(true), ProviderChoice.AUTO);
        assertRefused(port, "no conclusive OCSP answer for CN=" + TestPki.SERVER_NAME);
    }

    @Test
    void inconclusiveAnswerIsAcceptedWithAWarningWhenOcspRequireIsOff() throws Exception {
        KeyPairFiles cert = serverCert(responder.url());
        responder.answer(TestPki.read(cert.certificateChain()), Answer.UNKNOWN);
        assertFlows(clientRelay(serverRelay(cert, ProviderChoice.AUTO), OcspPolicy.aia(false), ProviderChoice.AUTO));
        assertNotNull(logs.await("OCSPrequire = no", 2_000), logs.lines().toString());
    }

    @Test
    void unreachableResponderRefusesWhileOcspRequireIsOn() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        int port = clientRelay(serverRelay(serverCert("http://127.0.0.1:" + closedPort + "/"), ProviderChoice.AUTO),
                OcspPolicy.aia(true), ProviderChoice.AUTO);
        assertRefused(port, "ConnectException");
        // Counted apart: in a network that blocks the responder, this is the failure to alert on (not "verify").
        assertTrue(Eventually.within(3_000, () -> handshakeFailures("ocsp_unavailable") == 1), registry.getMetersAsString());
    }

    @Test
    void certificateNamingNoResponderIsAcceptedWithoutAQuery() throws Exception {
        assertFlows(clientRelay(serverRelay(serverCert(null), ProviderChoice.AUTO), OcspPolicy.aia(true), ProviderChoice.AUTO));
        assertEquals(0, responder.queries());
    }

    @Test
    void delegatedResponderIsTrustedOnlyWithTheOcspSigningPurpose() throws Exception {
        int serverPort = serverRelay(serverCert(responder.url()), ProviderChoice.AUTO);
        responder.signWith(pki.issueRaw("ocsp.relay.test", r -> r.ocspSigning()));
        assertFlows(clientRelay(serverPort, OcspPolicy.aia(true), ProviderChoice.AUTO));
        // A new client relay: a full handshake, not a resumed session (which is not checked again, as in stunnel).
        responder.signWith(pki.issueRaw("not-an-ocsp-signer.relay.test", r -> r));
        assertRefused(clientRelay(serverPort, OcspPolicy.aia(true), ProviderChoice.AUTO), "nor by a responder it authorised");
    }

    @Test
    void serverModeChecksClientCertificatesToo() throws Exception {
        KeyPairFiles clientCert = pki.issue("client.relay.test", r -> r.ocspResponder(responder.url()));
        responder.answer(TestPki.read(clientCert.certificateChain()), Answer.REVOKED);
        EndpointConfig server = Configs.server(echo.port(), serverCert(null));
        server = server.withTls(server.tls().withCaFile(pki.caFile()).withOcsp(OcspPolicy.aia(true)));
        int serverPort = bed.track(Relay.start(Configs.relay(server, TransportChoice.AUTO, ProviderChoice.AUTO)))
                .endpoints().get(0).boundAddress().getPort();
        EndpointConfig client = Configs.client(serverPort, pki.caFile());
        client = client.withTls(client.tls().withKeyPair(clientCert));
        int port = bed.track(Relay.start(Configs.relay(client, TransportChoice.AUTO, ProviderChoice.AUTO)))
                .endpoints().get(0).boundAddress().getPort();
        RelayPairSuite.assertClosedByRelay(port);
        assertNotNull(logs.await("certificate revoked: CN=client.relay.test", 10_000), logs.lines().toString());
    }

    /**
     * The query blocks for up to the OCSP timeout; it runs off the event loop, so the other mounts of the
     * same storage server (same loop) keep working while a responder is slow.
     */
    @ParameterizedTest
    @EnumSource(value = ProviderChoice.class, names = {"OPENSSL", "JDK"})
    void slowResponderDoesNotHoldUpOtherConnectionsOfTheSameServer(ProviderChoice provider) throws Exception {
        int serverPort = serverRelay(serverCert(responder.url()), provider);
        EndpointConfig base = Configs.client(serverPort, pki.caFile());
        EndpointConfig checked = new EndpointConfig("checked", Configs.loopback(0), new HostPort("127.0.0.1", serverPort),
                base.mode(), base.tls().withOcsp(new OcspPolicy(true, true, Duration.ofSeconds(20))),
                new io.eitrelay.core.config.Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofMinutes(2)),
                base.socket());
        EndpointConfig unchecked = new EndpointConfig("unchecked", Configs.loopback(0), new HostPort("127.0.0.1", serverPort),
                base.mode(), base.tls(), base.timeouts(), base.socket());
        Relay relay = bed.track(Relay.start(new RelayConfig(List.of(checked, unchecked),
                new RuntimeOptions(TransportChoice.AUTO, provider, Duration.ofSeconds(2)))));
        int checkedPort = relay.endpoints().get(0).boundAddress().getPort();
        int uncheckedPort = relay.endpoints().get(1).boundAddress().getPort();
        CountDownLatch release = new CountDownLatch(1);
        responder.holdUntil(release);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            byte[] data = Transfer.random(5_000, 3);
            Future<byte[]> held = pool.submit(() -> Transfer.roundTrip(checkedPort, data, List.of(1000), 60));
            assertTrue(Eventually.within(10_000, () -> responder.queries() == 1), "the checked handshake reached the responder");
            assertFlows(uncheckedPort);
            assertTrue(!held.isDone(), "the checked connection still waits for its OCSP answer");
            release.countDown();
            assertArrayEquals(data, held.get(30, TimeUnit.SECONDS));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }
}
