package io.eitrelay.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.Relay;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.ExternalProcess;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Target names as the launched relay resolves them: through the JVM's real resolver and address cache,
 * fed by a hosts file (-Djdk.net.hosts.file, the JDK's resolver for tests) instead of the machine's DNS,
 * so answers can change under a running relay. TLS servers are relay server endpoints on 127.0.0.2,
 * 127.0.0.3, 127.0.0.1 and ::1, which count what reaches them.
 */
class TargetResolutionIT {
    private static final String MOVES = "nfs.moves.test";
    private static final String DUAL = "nfs.dual.test";
    /** The relay's address cache (5 s) plus a loaded machine's slack; the JVM's default would be 30 s. */
    private static final long MOVE_NOTICED_WITHIN_MILLIS = 12_000;

    @TempDir
    Path dir;
    TestPki pki;
    KeyPairFiles cert;
    EchoServer echo;
    Path hosts;
    final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        pki = new TestPki(dir);
        cert = pki.issue("nfs.test", r -> r.dns(MOVES).dns(DUAL));
        echo = track(new EchoServer());
        hosts = dir.resolve("hosts");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void aServerThatMovesIsFoundByTheNextConnectionWithinSeconds() throws Exception {
        int port = ExternalProcess.freePort();
        Relay old = tlsServer("127.0.0.2", port);
        Relay moved = tlsServer("127.0.0.3", port);
        writeHosts("127.0.0.2 " + MOVES + "\n");
        int local = ExternalProcess.freePort();
        launch("moves", local, MOVES + ":" + port);

        echoThrough(local);
        assertEquals(1, old.endpoints().get(0).stats().accepted());
        assertEquals(0, moved.endpoints().get(0).stats().accepted());
        writeHosts("127.0.0.3 " + MOVES + "\n");
        long changed = System.nanoTime();
        // New connections until one lands on the new address; each must still work meanwhile.
        assertTrue(Eventually.within(MOVE_NOTICED_WITHIN_MILLIS, () -> {
            echoThrough(local);
            return moved.endpoints().get(0).stats().accepted() > 0;
        }), "still connecting to the old address " + (System.nanoTime() - changed) / 1_000_000 + " ms after the change");
    }

    @Test
    void bothFamiliesAreTriedPreferredFirst() throws Exception {
        int port = ExternalProcess.freePort();
        Relay v4 = tlsServer("127.0.0.1", port);
        Relay v6 = tlsServer("::1", port);
        writeHosts("127.0.0.1 " + DUAL + "\n::1 " + DUAL + "\n");
        int preferV4 = ExternalProcess.freePort();
        int preferV6 = ExternalProcess.freePort();
        launch("prefer-v4", preferV4, DUAL + ":" + port);
        launch("prefer-v6", preferV6, DUAL + ":" + port, "--prefer-family", "ipv6");

        List<Long> start = accepted(v4, v6);
        echoThrough(preferV4);
        assertEquals(List.of(1L, 0L), since(start, accepted(v4, v6)), "ipv4 preferred (default)");
        echoThrough(preferV6);
        assertEquals(List.of(1L, 1L), since(start, accepted(v4, v6)), "ipv6 preferred");

        // One family down: the other is reached, whichever is preferred.
        v6.close();
        echoThrough(preferV6);
        assertEquals(List.of(2L, 1L), since(start, accepted(v4, v6)), "ipv6 refused, fell back to ipv4");
        v6 = tlsServer("::1", port);
        v4.close();
        echoThrough(preferV4);
        assertEquals(1L, v6.endpoints().get(0).stats().accepted(), "ipv4 refused, fell back to ipv6");
    }

    private static List<Long> accepted(Relay v4, Relay v6) {
        return List.of(v4.endpoints().get(0).stats().accepted(), v6.endpoints().get(0).stats().accepted());
    }

    private static List<Long> since(List<Long> start, List<Long> now) {
        return List.of(now.get(0) - start.get(0), now.get(1) - start.get(1));
    }

    private Relay tlsServer(String address, int port) throws Exception {
        EndpointConfig server = Configs.server(echo.port(), cert)
                .withListen(new InetSocketAddress(InetAddress.getByName(address), port));
        return track(Relay.start(Configs.relay(server, TransportChoice.AUTO, ProviderChoice.AUTO)));
    }

    private void launch(String name, int local, String target, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of(LauncherIT.LAUNCHER.toString(), "--listen", "127.0.0.1:" + local,
                "--target", target, "--cafile", pki.caFile().toString(), "--connect-timeout", "2s"));
        command.addAll(List.of(extra));
        ExternalProcess relay = track(ExternalProcess.start(command, dir.resolve(name + ".out"),
                Map.of("EIT_RELAY_JAVA_OPTS", "-Djdk.net.hosts.file=" + hosts)));
        // Its log line, not a probe connection: a probe would be relayed and counted by a server.
        assertTrue(relay.awaitOutput("listening on 127.0.0.1:" + local, 20_000), relay.output());
    }

    /** Replaces the hosts file atomically, as a resolver's answer changes. */
    private void writeHosts(String content) throws IOException {
        Path next = dir.resolve("hosts.next");
        Files.writeString(next, content);
        Files.move(next, hosts, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void echoThrough(int port) {
        try {
            byte[] data = {4, 2};
            assertArrayEquals(data, Transfer.exchange(port, data, List.of(2), 10));
        } catch (Exception e) {
            throw new AssertionError("no echo through the relay on " + port, e);
        }
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }
}
