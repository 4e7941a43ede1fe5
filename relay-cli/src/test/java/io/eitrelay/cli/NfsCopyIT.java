package io.eitrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.Relay;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.RecordFraming;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.ExternalProcess;
import io.eitrelay.testing.Ganesha;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real NFSv3 copy through the tunnel: libnfs nfs-cp writes a 256 MiB random file and reads it back,
 * NFS and MOUNT ports both through relay client -> TLS -> relay server -> nfs-ganesha; the relay's
 * Prometheus text then shows WRITE and READ calls consistent with the copy. Then NFSv4.0 listing and
 * reading through relay client -> Debian stunnel4 server.
 */
class NfsCopyIT {
    static final int SIZE = 256 << 20;
    /** libnfs never moves more than 1 MiB per READ or WRITE (and ganesha's rtmax/wtmax allow it). */
    static final int MAX_TRANSFER = 1 << 20;

    @TempDir
    Path dir;

    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static long count(String scrape, String procedure) {
        Matcher m = Pattern.compile("eitrelay_rpc_calls_seconds_count\\{[^}]*procedure=\"" + procedure
                + "\",program=\"NFS\",version=\"3\"} (\\d+)").matcher(scrape);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** The far end of the tunnel: two TLS-in listeners (NFS, MOUNT) in front of ganesha. */
    interface FarEnd extends AutoCloseable {
        int nfsPort();

        int mountPort();

        @Override
        void close();
    }

    FarEnd relayServer(Ganesha ganesha, TestPki pki, RecordFraming framing) throws Exception {
        EndpointConfig nfsServer = Configs.server(ganesha.nfsPort(), pki.server()).withFraming(framing);
        EndpointConfig mountServer = new EndpointConfig("mount-server", Configs.loopback(0),
                new HostPort("127.0.0.1", ganesha.mountPort()), nfsServer.mode(), nfsServer.tls(),
                nfsServer.timeouts(), nfsServer.socket(), framing);
        Relay server = Relay.start(new RelayConfig(List.of(nfsServer, mountServer), new RuntimeOptions(
                RuntimeOptions.TransportChoice.AUTO, RuntimeOptions.ProviderChoice.AUTO, Duration.ZERO)));
        return new FarEnd() {
            public int nfsPort() {
                return server.endpoints().get(0).boundAddress().getPort();
            }

            public int mountPort() {
                return server.endpoints().get(1).boundAddress().getPort();
            }

            public void close() {
                server.stop(Duration.ZERO);
            }
        };
    }

    FarEnd stunnelServer(Ganesha ganesha, TestPki pki) throws Exception {
        var cert = pki.server();
        int nfs = ExternalProcess.freePort();
        int mount = ExternalProcess.freePort();
        Path config = Files.writeString(dir.resolve("stunnel-server.conf"), String.join("\n", "foreground = yes", "pid =",
                "cert = " + cert.certificateChain(), "key = " + cert.privateKey(),
                "[nfs]", "accept = 127.0.0.1:" + nfs, "connect = 127.0.0.1:" + ganesha.nfsPort(),
                "[mount]", "accept = 127.0.0.1:" + mount, "connect = 127.0.0.1:" + ganesha.mountPort(), ""));
        ExternalProcess stunnel = ExternalProcess.start(List.of(ExternalProcess.require("stunnel4", "stunnel4"),
                config.toString()), dir.resolve("stunnel-server.out"));
        stunnel.awaitListening(nfs, 10_000);
        stunnel.awaitListening(mount, 10_000);
        return new FarEnd() {
            public int nfsPort() {
                return nfs;
            }

            public int mountPort() {
                return mount;
            }

            public void close() {
                stunnel.close();
            }
        };
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "through relay client -> {0} server")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"relay", "stunnel"})
    void nfs3CopyOf256MiBThroughTheTunnelWithMetrics(String farEnd) throws Exception {
        ExternalProcess.require("nfs-cp", "libnfs-utils");
        Path local = dir.resolve("random.bin");
        try (java.io.OutputStream out = Files.newOutputStream(local)) {
            for (int i = 0; i < SIZE / (16 << 20); i++) {
                out.write(Transfer.random(16 << 20, i));
            }
        }
        RecordFraming framing = RecordFraming.on(RecordFraming.DEFAULT_MAX_RECORD);
        try (Ganesha ganesha = Ganesha.start(dir, true, export -> { })) {
            TestPki pki = new TestPki(dir);
            try (FarEnd server = farEnd.equals("relay") ? relayServer(ganesha, pki, framing) : stunnelServer(ganesha, pki)) {
                PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                EndpointConfig nfsClient = Configs.client(server.nfsPort(), pki.caFile()).withFraming(framing);
                EndpointConfig mountClient = new EndpointConfig("mount-client", Configs.loopback(0),
                        new HostPort("127.0.0.1", server.mountPort()), nfsClient.mode(), nfsClient.tls(),
                        nfsClient.timeouts(), nfsClient.socket(), framing);
                Relay client = Relay.start(new RelayConfig(List.of(nfsClient, mountClient), new RuntimeOptions(
                        RuntimeOptions.TransportChoice.AUTO, RuntimeOptions.ProviderChoice.AUTO, Duration.ZERO)), registry);
                try {
                    String ports = "version=3&nfsport=" + client.endpoints().get(0).boundAddress().getPort()
                            + "&mountport=" + client.endpoints().get(1).boundAddress().getPort();
                    run("nfs-cp", local.toString(), "nfs://127.0.0.1/export/copy.bin?" + ports);
                    Path back = dir.resolve("back.bin");
                    run("nfs-cp", "nfs://127.0.0.1/export/copy.bin?" + ports, back.toString());
                    assertEquals(sha256(local), sha256(back), "256 MiB written and read back over NFSv3 through the tunnel");
                    assertEquals(sha256(local), sha256(ganesha.export().resolve("copy.bin")), "and stored intact on the server");

                    String scrape = registry.scrape();
                    long writes = count(scrape, "WRITE");
                    long reads = count(scrape, "READ");
                    assertTrue(writes >= SIZE / MAX_TRANSFER, "WRITE calls " + writes + "\n" + scrape);
                    assertTrue(reads >= SIZE / MAX_TRANSFER, "READ calls " + reads + "\n" + scrape);
                    assertTrue(scrape.contains("procedure=\"MNT\",program=\"MOUNT\",version=\"3\""), "MOUNT tunnelled: " + scrape);
                    assertTrue(scrape.contains("eitrelay_rpc_framing_errors_total{endpoint=\"client\"} 0.0"), scrape);
                } finally {
                    client.stop(Duration.ZERO);
                }
            }
        }
    }

    @Test
    void nfs4ThroughRelayClientAndStunnelServer() throws Exception {
        String stunnel4 = ExternalProcess.require("stunnel4", "stunnel4");
        try (Ganesha ganesha = Ganesha.start(dir, false, export -> Files.writeString(export.resolve("hello.txt"), "via stunnel\n"))) {
            TestPki pki = new TestPki(dir);
            var serverCert = pki.server();
            int stunnelPort = ExternalProcess.freePort();
            Path config = Files.writeString(dir.resolve("stunnel-server.conf"), String.join("\n", "foreground = yes", "pid =",
                    "[nfs]", "accept = 127.0.0.1:" + stunnelPort, "connect = 127.0.0.1:" + ganesha.nfsPort(),
                    "cert = " + serverCert.certificateChain(), "key = " + serverCert.privateKey(), ""));
            try (ExternalProcess stunnel = ExternalProcess.start(List.of(stunnel4, config.toString()), dir.resolve("stunnel.out"))) {
                stunnel.awaitListening(stunnelPort, 10_000);
                Relay client = Relay.start(Configs.relay(Configs.client(stunnelPort, pki.caFile())
                        .withFraming(RecordFraming.on(RecordFraming.DEFAULT_MAX_RECORD)),
                        RuntimeOptions.TransportChoice.AUTO, RuntimeOptions.ProviderChoice.AUTO));
                try {
                    String url = "nfs://127.0.0.1/export%s?version=4&nfsport=" + client.endpoints().get(0).boundAddress().getPort();
                    assertTrue(run("nfs-ls", String.format(url, "")).contains("hello.txt"));
                    assertEquals("via stunnel\n", run("nfs-cat", String.format(url, "/hello.txt")));
                } finally {
                    client.stop(Duration.ZERO);
                }
            }
        }
    }
}
