package io.eitrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.Relay;
import io.eitrelay.core.config.RecordFraming;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.metrics.MeterNames;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.ExternalProcess;
import io.eitrelay.testing.RpcReplyServer;
import io.eitrelay.testing.TestPki;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's Prometheus scrape of a running relay shows per-procedure RPC timings and traffic. */
class MetricsEndpointIT {
    @TempDir
    Path dir;

    @Test
    void scrapeShowsRpcCallsByProcedure() throws Exception {
        TestPki pki = new TestPki(dir);
        try (RpcReplyServer nfs = new RpcReplyServer()) {
            Relay server = Relay.start(Configs.relay(Configs.server(nfs.port(), pki.server())
                    .withFraming(RecordFraming.on(RecordFraming.DEFAULT_MAX_RECORD)), TransportChoice.AUTO, ProviderChoice.AUTO));
            int listen = ExternalProcess.freePort();
            int metrics = ExternalProcess.freePort();
            try (ExternalProcess relay = ExternalProcess.start(List.of(LauncherIT.LAUNCHER.toString(),
                    "--listen", "127.0.0.1:" + listen, "--target", "127.0.0.1:" + server.endpoints().get(0).boundAddress().getPort(),
                    "--cafile", pki.caFile().toString(), "--check-host", TestPki.SERVER_NAME, "--rpc-framing",
                    "--metrics-listen", "127.0.0.1:" + metrics), dir.resolve("relay.out"))) {
                relay.awaitListening(listen, 20_000);
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), listen)) {
                    socket.setSoTimeout(10_000);
                    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    for (int xid = 1; xid <= 7; xid++) {
                        // MOUNT v3 EXPORT (program 100005, version 3, procedure 5), AUTH_NONE.
                        out.writeInt(0x8000_0000 | 40);
                        out.writeInt(xid);
                        out.writeInt(0);
                        out.writeInt(2);
                        out.writeInt(100_005);
                        out.writeInt(3);
                        out.writeInt(5);
                        out.writeLong(0);
                        out.writeLong(0);
                        out.flush();
                        in.readFully(new byte[28]);
                    }
                }
                HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + metrics + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, scrape.statusCode());
                String body = scrape.body();
                assertTrue(body.contains("eitrelay_rpc_calls_seconds_count{endpoint=\"127.0.0.1:" + listen
                        + "\",procedure=\"EXPORT\",program=\"MOUNT\",version=\"3\"} 7"), body);
                assertTrue(body.contains("eitrelay_rpc_calls_seconds_bucket{"), "a histogram for percentiles: " + body);
                assertTrue(body.contains("# HELP eitrelay_bytes_total " + MeterNames.description(MeterNames.BYTES) + "\n"), body);
                // (The readiness probe of awaitListening was a connection, and a TLS session, too.)
                assertTrue(body.contains("eitrelay_tls_sessions_total{cipher=\"TLS_AES_128_GCM_SHA256\",endpoint=\"127.0.0.1:"
                        + listen + "\",protocol=\"TLSv1.3\",resumed=\"false\"}"), body);
                assertTrue(body.contains("eitrelay_bytes_total{direction=\"to_target\",endpoint=\"127.0.0.1:" + listen
                        + "\"} " + (7 * 44) + ".0"), body);
            } finally {
                server.stop(Duration.ZERO);
            }
        }
    }

    @Test
    void aStandaloneRelayWithAProbeIntervalReportsItsServersHealth() throws Exception {
        TestPki pki = new TestPki(dir);
        int serverPort = ExternalProcess.freePort(); // nothing there yet
        int listen = ExternalProcess.freePort();
        int metrics = ExternalProcess.freePort();
        String endpoint = "127.0.0.1:" + listen;
        try (ExternalProcess relay = ExternalProcess.start(List.of(LauncherIT.LAUNCHER.toString(),
                "--listen", endpoint, "--target", "127.0.0.1:" + serverPort, "--cafile", pki.caFile().toString(),
                "--check-host", TestPki.SERVER_NAME, "--probe-interval", "1s", "--metrics-listen", "127.0.0.1:" + metrics),
                dir.resolve("probing.out"))) {
            assertTrue(relay.awaitOutput("[" + endpoint + "] health check failed", 20_000), relay.output());
            assertTrue(relay.output().contains("Connection refused"), "the reason the relay gave up: " + relay.output());
            assertTrue(scrape(metrics).contains("eitrelay_health{endpoint=\"" + endpoint + "\"} 0.0"));

            try (RpcReplyServer nfs = new RpcReplyServer()) {
                Relay server = Relay.start(Configs.relay(Configs.server(nfs.port(), pki.server())
                        .withListen(Configs.loopback(serverPort)), TransportChoice.AUTO, ProviderChoice.AUTO));
                try {
                    assertTrue(relay.awaitOutput("[" + endpoint + "] health check passes again", 20_000), relay.output());
                    String body = scrape(metrics);
                    assertTrue(body.contains("eitrelay_health{endpoint=\"" + endpoint + "\"} 1.0"), body);
                    assertTrue(body.contains("eitrelay_connections_total{endpoint=\"" + endpoint + "\"} 0.0"),
                            "probes are the relay's own traffic: " + body);
                } finally {
                    server.stop(Duration.ZERO);
                }
            }
        }
    }

    private static String scrape(int port) throws Exception {
        HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scrape.statusCode());
        return scrape.body();
    }
}
