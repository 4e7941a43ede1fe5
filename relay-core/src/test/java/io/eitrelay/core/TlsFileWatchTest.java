package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.tls.TlsConfigException;
import io.eitrelay.core.tls.TlsContexts;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.LogCapture;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import io.netty.handler.ssl.SslProvider;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our client certificate rotated on disk, without SIGHUP, the clumsy way: the certificate rewritten in
 * place and left half-written for a while, then completed while the key is still the old one, then the
 * key. The relay must keep the running material until the new pair loads, then use it for new
 * handshakes; connections carrying traffic meanwhile are never dropped.
 */
class TlsFileWatchTest {
    private static final Duration CHECK = Duration.ofMillis(200);
    /** Enough checks for a change to hold still, be tried and be logged. */
    private static final long SETTLE_MILLIS = 8 * CHECK.toMillis();
    private static final int LOAD_CONNECTIONS = 3;

    @TempDir
    Path dir;

    @Test
    void aRotatedCertificateIsPickedUpOnceItLoadsAndNoConnectionIsDropped() throws Exception {
        TestPki pki = new TestPki(dir);
        KeyPairFiles v1 = pki.issue("client-v1", r -> r);
        KeyPairFiles v2 = pki.issue("client-v2", r -> r);
        Path cert = dir.resolve("client.crt");
        Path key = dir.resolve("client.key");
        Files.copy(v1.certificateChain(), cert);
        Files.copy(v1.privateKey(), key);
        ExecutorService load = Executors.newFixedThreadPool(LOAD_CONNECTIONS);
        AtomicBoolean running = new AtomicBoolean(true);
        try (EchoServer echo = new EchoServer(); LogCapture logs = new LogCapture()) {
            EndpointConfig serverConfig = Configs.server(echo.port(), pki.server());
            Relay server = Relay.start(Configs.relay(serverConfig.withTls(serverConfig.tls().withCaFile(pki.caFile())),
                    TransportChoice.AUTO, ProviderChoice.AUTO));
            EndpointConfig clientConfig = Configs.client(server.endpoints().get(0).boundAddress().getPort(), pki.caFile());
            clientConfig = clientConfig.withTls(clientConfig.tls().withKeyPair(new KeyPairFiles(cert, key)));
            RelayConfig watched = Configs.relay(clientConfig, TransportChoice.AUTO, ProviderChoice.AUTO);
            Relay client = Relay.start(new RelayConfig(watched.endpoints(), watched.runtime().withTlsFileCheck(CHECK)));
            int port = client.endpoints().get(0).boundAddress().getPort();
            try {
                List<Future<Long>> streams = new ArrayList<>();
                for (int i = 0; i < LOAD_CONNECTIONS; i++) {
                    streams.add(load.submit(() -> pingPong(port, running)));
                }
                assertTrue(io.eitrelay.testing.Eventually.within(10_000, () -> count(logs, "peer CN=client-v1") == LOAD_CONNECTIONS));
                nextHandshakeIs(port, logs, "client-v1", "client-v2");

                // In place, not atomic, and stalled halfway: nothing changes for new connections.
                byte[] newCert = Files.readAllBytes(v2.certificateChain());
                Files.write(cert, java.util.Arrays.copyOf(newCert, newCert.length / 2));
                Thread.sleep(SETTLE_MILLIS);
                assertEquals(1, count(logs, "do not load"), logs.lines().toString());
                nextHandshakeIs(port, logs, "client-v1", "client-v2");

                // The certificate complete, the key still the old one: a pair that does not match.
                Files.write(cert, newCert);
                Thread.sleep(SETTLE_MILLIS);
                assertNotNull(logs.await("key does not match the certificate", 1_000), logs.lines().toString());
                nextHandshakeIs(port, logs, "client-v1", "client-v2");

                // The key follows: from now on new handshakes present client-v2.
                Files.write(key, Files.readAllBytes(v2.privateKey()));
                assertNotNull(logs.await("TLS files changed on disk (" + cert + ", " + key + "): reloaded", 5_000), logs.lines().toString());
                nextHandshakeIs(port, logs, "client-v2", "client-v1");

                running.set(false);
                for (Future<Long> stream : streams) {
                    assertTrue(stream.get(30, TimeUnit.SECONDS) > 10, "a loaded connection kept flowing throughout");
                }
                assertEquals(0, client.endpoints().get(0).stats().failed(), logs.lines().toString());
            } finally {
                running.set(false);
                load.shutdownNow();
                client.stop(Duration.ZERO);
                server.stop(Duration.ZERO);
            }
        }
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedAtLoad() {
        TestPki pki = new TestPki(dir);
        KeyPairFiles a = pki.issue("a", r -> r);
        KeyPairFiles b = pki.issue("b", r -> r);
        EndpointConfig config = Configs.server(2049, new KeyPairFiles(a.certificateChain(), b.privateKey()));
        for (SslProvider provider : List.of(SslProvider.JDK, SslProvider.OPENSSL)) {
            TlsConfigException e = assertThrows(TlsConfigException.class, () -> TlsContexts.forEndpoint(config, provider));
            assertEquals(b.privateKey() + ": key does not match the certificate in " + a.certificateChain() + " (CN=a)",
                    e.getMessage());
        }
    }

    /** One new connection through the relay: the server saw it present {@code cn}, not {@code other}. */
    private static void nextHandshakeIs(int port, LogCapture logs, String cn, String other) throws Exception {
        long before = count(logs, "peer CN=" + cn);
        long otherBefore = count(logs, "peer CN=" + other);
        byte[] data = Transfer.random(1000, 7);
        assertArrayEquals(data, Transfer.exchange(port, data, List.of(1000), 10));
        assertTrue(io.eitrelay.testing.Eventually.within(2_000, () -> count(logs, "peer CN=" + cn) == before + 1),
                "the new connection did not present " + cn + ": " + logs.lines());
        assertEquals(otherBefore, count(logs, "peer CN=" + other));
    }

    private static long count(LogCapture logs, String text) {
        return logs.lines().stream().filter(line -> line.contains(text)).count();
    }

    /** Round trips on one connection until told to stop; any failure fails the test. */
    private static long pingPong(int port, AtomicBoolean running) throws Exception {
        long trips = 0;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] data = Transfer.random(4096, 3);
            byte[] back = new byte[data.length];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (running.get() && System.nanoTime() < deadline) {
                out.write(data);
                in.readFully(back);
                assertArrayEquals(data, back);
                trips++;
                Thread.sleep(5);
            }
        }
        return trips;
    }
}
