package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.PeerCheck;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.config.SocketOptions;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.ExternalProcess;
import io.eitrelay.testing.LogCapture;
import io.eitrelay.testing.NetNamespace;
import io.eitrelay.testing.TestPki;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that goes silent (its link cut: packets vanish, no FIN, no reset) is the stall that hangs
 * hard mounts behind stunnel for the kernel's ~15 min of retransmissions. Here the server is
 * {@code openssl s_server} in a network namespace behind a veth pair; cutting the namespace's end
 * of the link silences it. The relay must close the client's connection within the dead-target bound,
 * whether the connection was idle (keepalive) or had a call in flight (TCP_USER_TIMEOUT), log it once
 * as such and count it.
 */
class SilentTargetIT {
    private static final Duration BOUND = Duration.ofSeconds(4);
    /** Scheduling and the reset's trip on a loaded 2-core machine. */
    private static final long SLACK_MILLIS = 3_000;
    private static final int SERVER_PORT = 4433;

    @TempDir
    Path dir;
    NetNamespace ns;
    ExternalProcess server;
    Relay relay;
    LogCapture logs;

    @BeforeEach
    void setUp() throws Exception {
        String openssl = ExternalProcess.require("openssl", "openssl");
        ns = NetNamespace.create();
        TestPki pki = new TestPki(dir);
        KeyPairFiles cert = pki.issue("silent.test", r -> r.ip(ns.address()));
        server = ns.start(List.of(openssl, "s_server", "-accept", ns.address().getHostAddress() + ":" + SERVER_PORT,
                "-cert", cert.certificateChain().toString(), "-key", cert.privateKey().toString(), "-rev"),
                dir.resolve("s_server.out"));
        assertTrue(server.awaitOutput("ACCEPT", 10_000), server.output());
        EndpointConfig client = Configs.client(SERVER_PORT, pki.caFile())
                .withTarget(new HostPort(ns.address().getHostAddress(), SERVER_PORT))
                .withSocket(SocketOptions.defaults().withDeadTargetBound(BOUND));
        client = client.withTls(client.tls().withPeerCheck(new PeerCheck.Ip(ns.address())));
        logs = new LogCapture();
        relay = Relay.start(Configs.relay(client, TransportChoice.EPOLL, ProviderChoice.AUTO));
    }

    @AfterEach
    void tearDown() throws Exception {
        // Logs, relay and s_server first; the namespace last, whatever failed before.
        try {
            if (logs != null) {
                logs.close();
            }
            if (relay != null) {
                relay.close();
            }
            if (server != null) {
                server.close();
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    @ParameterizedTest(name = "connection {0} when the link is cut")
    @ValueSource(strings = {"idle", "busy"})
    void theClientConnectionIsClosedWithinTheBoundAndTheStallIsLoggedAndCounted(String state) throws Exception {
        int port = relay.endpoints().get(0).boundAddress().getPort();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) (BOUND.toMillis() + SLACK_MILLIS));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            socket.getOutputStream().write("before the cut\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("tuc eht erofeb", in.readLine(), "the path works before the cut");

            ns.cutLink();
            long cut = System.nanoTime();
            if (state.equals("busy")) {
                // A call in flight that the server will never acknowledge.
                socket.getOutputStream().write("after the cut\n".getBytes(StandardCharsets.US_ASCII));
            }
            try {
                String line = in.readLine();
                assertEquals(null, line, "nothing can come back from a silent server");
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the client connection was still open " + (BOUND.toMillis() + SLACK_MILLIS)
                        + " ms after the server went silent", e);
            } catch (IOException reset) {
                // A reset is the expected way to learn it (the relay passes the failure on as RST).
            }
            long millis = (System.nanoTime() - cut) / 1_000_000;
            assertTrue(millis <= BOUND.toMillis() + SLACK_MILLIS, "closed after " + millis + " ms");
        }
        EndpointStats stats = relay.endpoints().get(0).stats();
        assertTrue(io.eitrelay.testing.Eventually.within(2_000, () -> stats.active() == 0));
        assertEquals(1, stats.targetSilentCount());
        assertEquals(1, stats.failed());
        String line = logs.await("target stopped answering", 2_000);
        assertNotNull(line, String.join("\n", logs.lines()));
        assertTrue(line.contains("within " + BOUND.toSeconds() + " s"), line);
        assertEquals(1, logs.lines().stream().filter(l -> l.contains("target stopped answering")).count());
    }
}
