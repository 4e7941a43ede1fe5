package io.eitrelay.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.EndpointListener;
import io.eitrelay.core.Relay;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.RecordFraming;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.metrics.MeterNames;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.ExternalProcess;
import io.eitrelay.testing.LogCapture;
import io.eitrelay.testing.RpcReplyServer;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's health probe through a client endpoint to a TLS server (a relay in server mode in front
 * of an ONC-RPC responder): what status says, what the log says, and what the endpoint counts.
 */
class HealthChecksTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    TestPki pki;
    RpcReplyServer nfs;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<AutoCloseable> closeables = new ArrayList<>();
    /** As the daemon has it: the relay's meters and the health gauge in one registry. */
    final HealthChecks health = new HealthChecks(TIMEOUT, registry);
    LogCapture logs;

    @BeforeEach
    void setUp() throws Exception {
        pki = new TestPki(dir);
        nfs = track(new RpcReplyServer());
        logs = track(new LogCapture());
        track(health);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void probesAreNeitherCountedNorLoggedAsTheEndpointsConnections() throws Exception {
        int server = startServer(0).endpoints().get(0).boundAddress().getPort();
        EndpointListener endpoint = startClient(server);
        for (int i = 0; i < 3; i++) {
            health.probeAll(List.of(endpoint));
            assertTrue(health.last("fs").ok(), health.last("fs").toString());
        }
        assertEquals(0, endpoint.stats().accepted(), "three probes, no connection of a user");
        assertEquals(0, endpoint.stats().bytesToTarget());
        assertEquals(0.0, registry.find(MeterNames.CONNECTIONS).tag(MeterNames.TAG_ENDPOINT, "fs").counter().count());
        assertFalse(logs.lines().stream().anyMatch(l -> !l.startsWith("FINE") && l.contains("[fs] #")), logs.lines().toString());

        // A user's connection through the same endpoint is counted and logged as ever.
        byte[] call = Transfer.rpcRecords(100, 1);
        byte[] reply = Transfer.roundTrip(endpoint.boundAddress().getPort(), call, List.of(call.length), 10);
        assertEquals(28, reply.length, "one accepted reply: record mark + 24 bytes");
        assertEquals(1, endpoint.stats().accepted());
        assertEquals(1.0, registry.find(MeterNames.CONNECTIONS).tag(MeterNames.TAG_ENDPOINT, "fs").counter().count());
        assertTrue(logs.await("INFO [fs] #", 5_000) != null, logs.lines().toString());
        assertEquals(1.0, healthGauge());
    }

    @Test
    void aFailingPathIsLoggedOnceAndItsRecoveryOnce() throws Exception {
        int serverPort = ExternalProcess.freePort();
        EndpointListener endpoint = startClient(serverPort);
        for (int i = 0; i < 3; i++) {
            health.probeAll(List.of(endpoint));
            assertFalse(health.last("fs").ok());
        }
        assertEquals(0.0, healthGauge());
        // One line, with the reason the relay knows, not the reset the probe saw.
        List<String> failed = healthLines();
        assertEquals(1, failed.size(), failed.toString());
        assertTrue(failed.get(0).startsWith("WARNING [fs] health check failed: no RPC reply through this endpoint (")
                && failed.get(0).contains("127.0.0.1:" + serverPort) && failed.get(0).contains("refused"), failed.get(0));

        startServer(serverPort);
        health.probeAll(List.of(endpoint));
        health.probeAll(List.of(endpoint));
        assertTrue(health.last("fs").ok(), health.last("fs").toString());
        List<String> lines = healthLines();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(1).startsWith("INFO [fs] health check passes again: "), lines.toString());
        assertEquals(1.0, healthGauge());
    }

    @Test
    void theHealthGaugeGoesWithItsEndpointAndComesBackWithOneOfTheSameName() throws Exception {
        int server = startServer(0).endpoints().get(0).boundAddress().getPort();
        Relay relay = startClient(server, "fs");
        health.probeAll(relay.endpoints());
        assertEquals(1.0, healthGauge());
        relay.remove("fs", Duration.ZERO);
        health.probeAll(relay.endpoints());
        assertTrue(registry.find(MeterNames.HEALTH).gauges().isEmpty(), registry.getMetersAsString());
        relay.add(Configs.client(server, pki.caFile()).withName("fs").withFraming(RecordFraming.on(RecordFraming.DEFAULT_MAX_RECORD)));
        health.probeAll(relay.endpoints());
        assertEquals(1.0, healthGauge());
    }

    private double healthGauge() {
        return registry.get(MeterNames.HEALTH).tag(MeterNames.TAG_ENDPOINT, "fs").gauge().value();
    }

    private List<String> healthLines() {
        return logs.lines().stream().filter(l -> l.contains("health check")).toList();
    }

    private Relay startServer(int port) throws Exception {
        EndpointConfig server = Configs.server(nfs.port(), pki.server()).withListen(Configs.loopback(port));
        Relay relay = Relay.start(Configs.relay(server, TransportChoice.AUTO, ProviderChoice.AUTO));
        track(() -> relay.stop(Duration.ZERO));
        return relay;
    }

    private EndpointListener startClient(int serverPort) throws Exception {
        return startClient(serverPort, "fs").endpoints().get(0);
    }

    private Relay startClient(int serverPort, String name) throws Exception {
        EndpointConfig client = Configs.client(serverPort, pki.caFile()).withName(name)
                .withFraming(RecordFraming.on(RecordFraming.DEFAULT_MAX_RECORD));
        Relay relay = Relay.start(Configs.relay(client, TransportChoice.AUTO, ProviderChoice.AUTO), registry);
        track(() -> relay.stop(Duration.ZERO));
        return relay;
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }
}
