package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.metrics.MeterNames;
import io.eitrelay.core.tls.TlsConfigException;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.RelayTestBed;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One relay process, endpoints added and removed while it runs (what `eit-relay daemon` is built on). */
class RuntimeEndpointsTest {
    @TempDir
    Path dir;
    TestPki pki;
    RelayTestBed bed;
    Relay server;
    Relay relay;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void setUp() throws Exception {
        pki = new TestPki(dir);
        bed = new RelayTestBed();
        KeyPairFiles serverCert = pki.server();
        server = bed.track(Relay.start(Configs.relay(Configs.server(bed.echo().port(), serverCert),
                TransportChoice.AUTO, ProviderChoice.AUTO)));
        relay = bed.track(Relay.start(new RelayConfig(List.of(),
                new RuntimeOptions(TransportChoice.AUTO, ProviderChoice.AUTO, Duration.ofSeconds(2))), registry));
    }

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    private EndpointConfig client(String name) {
        return Configs.client(server.endpoints().get(0).boundAddress().getPort(), pki.caFile()).withName(name);
    }

    @Test
    void endpointsAddedToARunningRelayCarryTrafficAndRemovedOnesStopListening() throws Exception {
        assertTrue(relay.endpoints().isEmpty());
        EndpointListener first = relay.add(client("first"));
        EndpointListener second = relay.add(client("second"));
        int firstPort = first.boundAddress().getPort();
        int secondPort = second.boundAddress().getPort();
        byte[] data = Transfer.random(256 * 1024, 5);
        assertArrayEquals(data, Transfer.roundTrip(firstPort, data, List.of(4096), 10));
        assertArrayEquals(data, Transfer.roundTrip(secondPort, data, List.of(4096), 10));
        assertEquals(List.of("first", "second"), relay.config().endpoints().stream().map(EndpointConfig::name).toList());
        assertTrue(registry.find(MeterNames.CONNECTIONS).tag(MeterNames.TAG_ENDPOINT, "first").counter().count() >= 1);

        assertTrue(relay.remove("first", Duration.ZERO));
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), firstPort).close());
        assertEquals(List.of("second"), relay.endpoints().stream().map(EndpointListener::name).toList());
        assertEquals(List.of("second"), relay.config().endpoints().stream().map(EndpointConfig::name).toList());
        assertTrue(registry.find(MeterNames.CONNECTIONS).tag(MeterNames.TAG_ENDPOINT, "first").meters().isEmpty(),
                "a removed endpoint's meters go with it");
        assertArrayEquals(data, Transfer.roundTrip(secondPort, data, List.of(4096), 10), "the other one is untouched");
        assertFalse(relay.remove("first", Duration.ZERO), "already gone");
        // Its port is free again at once: the same endpoint can come back on it.
        assertArrayEquals(data, Transfer.roundTrip(
                relay.add(client("first").withListen(Configs.loopback(firstPort))).boundAddress().getPort(), data,
                List.of(4096), 10));
    }

    @Test
    void removingAnEndpointClosesItsOpenConnectionsAfterTheGrace() throws Exception {
        EndpointListener endpoint = relay.add(client("busy"));
        try (Socket open = new Socket(InetAddress.getLoopbackAddress(), endpoint.boundAddress().getPort())) {
            open.setSoTimeout(10_000);
            open.getOutputStream().write(new byte[] {1});
            assertEquals(1, open.getInputStream().read());
            long start = System.nanoTime();
            assertTrue(relay.remove("busy", Duration.ofSeconds(2)));
            // It returns with the port closed, not after the grace: whoever removes does not wait for it.
            assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(),
                    endpoint.boundAddress().getPort()).close());
            open.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, () -> open.getInputStream().read(), "still open in the grace");
            open.setSoTimeout(10_000);
            open.getOutputStream().write(new byte[] {2});
            assertEquals(2, open.getInputStream().read(), "and still relaying");
            assertTrue(Transfer.readsEnd(open.getInputStream()), "then the connection was closed");
            assertTrue(System.nanoTime() - start >= 2_000_000_000L, "after the grace");
        }
        assertTrue(Eventually.within(5_000, () -> endpoint.openChannels() == 0));
    }

    @Test
    void anEndpointAddedAgainUnderItsNameDuringTheGraceKeepsItsOwnMeters() throws Exception {
        EndpointListener old = relay.add(client("fs"));
        byte[] data = {7, 8, 9};
        EndpointListener again;
        try (Socket open = new Socket(InetAddress.getLoopbackAddress(), old.boundAddress().getPort())) {
            open.setSoTimeout(10_000);
            open.getOutputStream().write(new byte[] {1});
            assertEquals(1, open.getInputStream().read());
            assertTrue(relay.remove("fs", Duration.ofSeconds(1)));
            // As the daemon does when a mount comes back at once: same name, while the old connection finishes.
            again = relay.add(client("fs"));
            assertArrayEquals(data, Transfer.roundTrip(again.boundAddress().getPort(), data, List.of(3), 10));
            assertTrue(Transfer.readsEnd(open.getInputStream()), "the old connection ends after its grace");
        }
        assertTrue(Eventually.within(5_000, () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("eit-relay-remove-fs") && t.isAlive())), "the removal is over");
        assertEquals(1.0, registry.find(MeterNames.CONNECTIONS).tag(MeterNames.TAG_ENDPOINT, "fs").counter().count(),
                "the new endpoint's meters, counting only its own connection");
        assertArrayEquals(data, Transfer.roundTrip(again.boundAddress().getPort(), data, List.of(3), 10));
        assertEquals(2.0, registry.find(MeterNames.CONNECTIONS).tag(MeterNames.TAG_ENDPOINT, "fs").counter().count());
    }

    @Test
    void aServersEventLoopStopsWithItsLastEndpointAndStartsAgainWithTheNext() throws Exception {
        int target = server.endpoints().get(0).boundAddress().getPort();
        String loop = "eit-relay-127.0.0.1:" + target;
        relay.add(client("a"));
        relay.add(client("b"));
        assertTrue(loopThreads(loop) == 1, "one loop for both endpoints of one server");
        relay.remove("a", Duration.ZERO);
        assertTrue(loopThreads(loop) == 1, "still used by b");
        byte[] data = {4, 5, 6};
        assertArrayEquals(data, Transfer.roundTrip(relay.endpoints().get(0).boundAddress().getPort(), data, List.of(3), 10));
        relay.remove("b", Duration.ZERO);
        assertTrue(Eventually.within(5_000, () -> loopThreads(loop) == 0), "no idle thread per server ever served");
        // A failed add towards a new server leaves no loop either.
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThrows(RelayStartException.class, () -> relay.add(client("c").withListen(Configs.loopback(taken.getLocalPort()))));
        }
        assertTrue(Eventually.within(5_000, () -> loopThreads(loop) == 0));
        assertArrayEquals(data, Transfer.roundTrip(relay.add(client("d")).boundAddress().getPort(), data, List.of(3), 10),
                "the server is served again");
    }

    private static long loopThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix + "-") && t.isAlive())
                .count();
    }

    @Test
    void aFailedAddLeavesNothingBehindAndTheRunningEndpointsUntouched() throws Exception {
        EndpointListener running = relay.add(client("running"));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            RelayStartException busy = assertThrows(RelayStartException.class,
                    () -> relay.add(client("busy").withListen(Configs.loopback(taken.getLocalPort()))));
            assertTrue(busy.getMessage().contains("Address already in use"), busy.getMessage());
        }
        assertThrows(TlsConfigException.class, () -> relay.add(client("no-ca").withTls(
                client("no-ca").tls().withCaFile(dir.resolve("missing.pem")))));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> relay.add(client("running")));
        assertTrue(twice.getMessage().contains("[running] exists"), twice.getMessage());
        assertEquals(List.of("running"), relay.endpoints().stream().map(EndpointListener::name).toList());
        assertTrue(registry.find(MeterNames.CONNECTIONS).tag(MeterNames.TAG_ENDPOINT, "busy").meters().isEmpty());
        byte[] data = {1, 2, 3};
        assertArrayEquals(data, Transfer.roundTrip(running.boundAddress().getPort(), data, List.of(3), 10));
    }
}
