package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.tls.TlsConfigException;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.LogCapture;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reload (what SIGHUP does): rotated certificates for new connections, open ones untouched, failures change nothing. */
class ReloadTest {
    @TempDir
    Path dir;

    @Test
    void rotatedClientCertificateIsUsedByNewConnectionsOnly() throws Exception {
        TestPki pki = new TestPki(dir);
        try (EchoServer echo = new EchoServer(); LogCapture logs = new LogCapture()) {
            EndpointConfig serverConfig = Configs.server(echo.port(), pki.server());
            Relay server = Relay.start(Configs.relay(serverConfig.withTls(serverConfig.tls().withCaFile(pki.caFile())),
                    TransportChoice.AUTO, ProviderChoice.AUTO));
            KeyPairFiles v1 = pki.issue("client-v1", r -> r);
            Path cert = dir.resolve("client.crt");
            Path key = dir.resolve("client.key");
            Files.copy(v1.certificateChain(), cert);
            Files.copy(v1.privateKey(), key);
            EndpointConfig clientConfig = Configs.client(server.endpoints().get(0).boundAddress().getPort(), pki.caFile());
            clientConfig = clientConfig.withTls(clientConfig.tls().withKeyPair(new KeyPairFiles(cert, key)));
            Relay client = Relay.start(Configs.relay(clientConfig, TransportChoice.AUTO, ProviderChoice.AUTO));
            int port = client.endpoints().get(0).boundAddress().getPort();
            try (Socket open = new Socket(InetAddress.getLoopbackAddress(), port)) {
                open.setSoTimeout(10_000);
                OutputStream out = open.getOutputStream();
                InputStream in = open.getInputStream();
                out.write(1);
                assertEquals(1, in.read());
                assertNotNull(logs.await("peer CN=client-v1", 5_000), logs.lines().toString());

                // Rotate in place, as efs-utils does, then reload.
                KeyPairFiles v2 = pki.issue("client-v2", r -> r);
                Files.write(cert, Files.readAllBytes(v2.certificateChain()));
                Files.write(key, Files.readAllBytes(v2.privateKey()));
                client.reload(Configs.relay(clientConfig, TransportChoice.AUTO, ProviderChoice.AUTO));

                byte[] data = Transfer.random(30_000, 31);
                assertArrayEquals(data, Transfer.exchange(port, data, List.of(1000), 30));
                assertNotNull(logs.await("peer CN=client-v2", 5_000), logs.lines().toString());

                // The connection opened before the reload still flows.
                out.write(2);
                assertEquals(2, in.read());

                // A broken file on reload: refused, the running configuration stays.
                Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nbroken\n");
                EndpointConfig same = clientConfig;
                assertThrows(TlsConfigException.class,
                        () -> client.reload(Configs.relay(same, TransportChoice.AUTO, ProviderChoice.AUTO)));
                assertArrayEquals(data, Transfer.exchange(port, data, List.of(1000), 30));
                out.write(3);
                assertEquals(3, in.read());
            } finally {
                client.stop(Duration.ZERO);
                server.stop(Duration.ZERO);
            }
        }
    }

    @Test
    void movingAListenerNeedsARestart() throws Exception {
        TestPki pki = new TestPki(dir);
        try (EchoServer echo = new EchoServer()) {
            EndpointConfig config = Configs.server(echo.port(), pki.server());
            Relay relay = Relay.start(Configs.relay(config, TransportChoice.AUTO, ProviderChoice.AUTO));
            try {
                EndpointConfig moved = config.withListen(Configs.loopback(1));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> relay.reload(Configs.relay(moved, TransportChoice.AUTO, ProviderChoice.AUTO)));
                assertEquals("endpoint [server] moved from 127.0.0.1:0 to 127.0.0.1:1; restart to apply", e.getMessage());
            } finally {
                relay.stop(Duration.ZERO);
            }
        }
    }
}
