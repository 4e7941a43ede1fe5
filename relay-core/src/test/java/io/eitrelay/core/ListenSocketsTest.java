package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.tls.TlsConfigException;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.TestPki;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listeners a drop-in process binds first thing, before the relay starts on them. */
class ListenSocketsTest {
    @TempDir
    Path dir;

    @Test
    void everyListenerAcceptsConnectionsBeforeTheRelayStarts() throws Exception {
        TestPki pki = new TestPki(dir);
        RelayConfig config = relay(endpoint(pki, "a", freePort()), endpoint(pki, "b", freePort()));
        try (ListenSockets sockets = ListenSockets.bind(config)) {
            assertNull(sockets.failure());
            for (EndpointConfig endpoint : config.endpoints()) {
                try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), endpoint.listen().getPort())) {
                    assertTrue(probe.isConnected());
                }
            }
        }
        // Closed when nobody took them: the ports refuse again.
        for (EndpointConfig endpoint : config.endpoints()) {
            assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), endpoint.listen().getPort()).close());
        }
    }

    @Test
    void aTakenAddressIsReportedInStunnelsWordsAfterTheCertificatesAndNothingStaysBound() throws Exception {
        TestPki pki = new TestPki(dir);
        int first = freePort();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            RelayConfig config = relay(endpoint(pki, "first", first), endpoint(pki, "second", taken.getLocalPort()));
            ListenSockets sockets = ListenSockets.bind(config);
            String expected = "Binding service [second] to 127.0.0.1:" + taken.getLocalPort() + ": Address already in use (98)";
            assertNotNull(sockets.failure());
            assertEquals(expected, sockets.failure().getMessage());
            assertFree(first);
            RelayStartException thrown = assertThrows(RelayStartException.class, () -> Relay.start(config, sockets));
            assertEquals(expected, thrown.getMessage());
            assertTrue(thrown.addressInUse());
        }
    }

    @Test
    void aStartThatFailsOnItsCertificatesClosesTheBoundListeners() throws Exception {
        TestPki pki = new TestPki(dir);
        int port = freePort();
        EndpointConfig noCa = endpoint(pki, "no-ca", port);
        RelayConfig config = relay(noCa.withTls(noCa.tls().withCaFile(dir.resolve("missing.pem"))));
        ListenSockets sockets = ListenSockets.bind(config);
        assertNull(sockets.failure());
        assertThrows(TlsConfigException.class, () -> Relay.start(config, sockets));
        assertFree(port);
    }

    private static EndpointConfig endpoint(TestPki pki, String name, int port) {
        return Configs.client(1, pki.caFile()).withName(name).withListen(Configs.loopback(port));
    }

    private static RelayConfig relay(EndpointConfig... endpoints) {
        return new RelayConfig(List.of(endpoints), new RuntimeOptions(TransportChoice.AUTO, ProviderChoice.AUTO, Duration.ofSeconds(2)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static void assertFree(int port) throws IOException {
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port, again.getLocalPort());
        }
    }
}
