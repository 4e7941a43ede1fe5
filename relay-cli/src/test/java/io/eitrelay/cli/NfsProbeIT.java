package io.eitrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.Relay;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.Ganesha;
import io.eitrelay.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/nfs-probe against Debian's nfs-ganesha, directly and over TLS through a relay server. */
class NfsProbeIT {
    static final Path NFS_PROBE = LauncherIT.LAUNCHER.resolveSibling("nfs-probe");

    @TempDir
    Path dir;

    record Run(int exit, String out) { }

    static Run probe(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(NFS_PROBE.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    @Test
    void nfs4DirectAndThroughTls() throws Exception {
        try (Ganesha ganesha = Ganesha.start(dir, false, export -> Files.writeString(export.resolve("f"), "x"))) {
            Run direct = probe("--target", "127.0.0.1:" + ganesha.nfsPort(), "--count", "3");
            assertEquals(0, direct.exit(), direct.out());
            assertTrue(direct.out().contains("3  NFSv4 COMPOUND(PUTROOTFH,GETATTR)"), direct.out());
            assertTrue(direct.out().contains("root is a directory"), direct.out());
            assertTrue(direct.out().matches("(?s).*NFSv4 NULL\\s+3\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+.*"), "summary: " + direct.out());

            TestPki pki = new TestPki(dir);
            Relay server = Relay.start(Configs.relay(Configs.server(ganesha.nfsPort(), pki.server()),
                    RuntimeOptions.TransportChoice.AUTO, RuntimeOptions.ProviderChoice.AUTO));
            try {
                int port = server.endpoints().get(0).boundAddress().getPort();
                Run tls = probe("--target", "127.0.0.1:" + port, "--tls", "--cafile", pki.caFile().toString(),
                        "--check-host", TestPki.SERVER_NAME, "--count", "2");
                assertEquals(0, tls.exit(), tls.out());
                assertTrue(tls.out().contains("2  NFSv4 COMPOUND(PUTROOTFH,GETATTR)"), tls.out());
                assertEquals("TLSv1.3", server.endpoints().get(0).stats().lastTlsProtocol());

                // Verification is the relay's: a wrong name fails the probe, naming the reason.
                Run wrongName = probe("--target", "127.0.0.1:" + port, "--tls", "--cafile", pki.caFile().toString(),
                        "--check-host", "other.example");
                assertEquals(1, wrongName.exit(), wrongName.out());
                assertTrue(wrongName.out().contains("FAILED"), wrongName.out());
            } finally {
                server.stop(Duration.ZERO);
            }
        }
    }

    @Test
    void nfs3ViaMountThroughTwoTlsTunnels() throws Exception {
        try (Ganesha ganesha = Ganesha.start(dir, true, export -> Files.writeString(export.resolve("f"), "x"))) {
            TestPki pki = new TestPki(dir);
            EndpointConfig nfs = Configs.server(ganesha.nfsPort(), pki.server());
            EndpointConfig mount = new EndpointConfig("mount", Configs.loopback(0), new HostPort("127.0.0.1", ganesha.mountPort()),
                    nfs.mode(), nfs.tls(), nfs.timeouts(), nfs.socket());
            Relay server = Relay.start(new RelayConfig(List.of(nfs, mount), new RuntimeOptions(
                    RuntimeOptions.TransportChoice.AUTO, RuntimeOptions.ProviderChoice.AUTO, Duration.ZERO)));
            try {
                int nfsPort = server.endpoints().get(0).boundAddress().getPort();
                int mountPort = server.endpoints().get(1).boundAddress().getPort();
                Run run = probe("--target", "127.0.0.1:" + nfsPort, "--mount-port", String.valueOf(mountPort),
                        "--nfs-version", "3", "--export", "/export", "--tls", "--cafile", pki.caFile().toString(),
                        "--check-host", TestPki.SERVER_NAME);
                assertEquals(0, run.exit(), run.out());
                for (String line : List.of("NFSv3 NULL", "MOUNTv3 NULL", "MOUNTv3 MNT /export", "NFSv3 GETATTR",
                        "NFSv3 FSINFO", "MOUNTv3 UMNT /export")) {
                    assertTrue(run.out().contains("1  " + line), line + " missing:\n" + run.out());
                }
                assertTrue(run.out().contains("root is a directory"), run.out());
            } finally {
                server.stop(Duration.ZERO);
            }
        }
    }

    @Test
    void aServerThatDoesNotAnswerRpcFailsAndBadFlagsExitTwo() throws Exception {
        try (EchoServer echo = new EchoServer()) {
            Run notNfs = probe("--target", "127.0.0.1:" + echo.port(), "--timeout", "2s");
            assertEquals(1, notNfs.exit(), notNfs.out());
            assertTrue(notNfs.out().contains("FAILED: expected a REPLY"), notNfs.out());
        }
        Run bad = probe("--target", "127.0.0.1:2049", "--nfs-version", "3");
        assertEquals(2, bad.exit(), bad.out());
        assertTrue(bad.out().contains("--nfs-version 3 needs --mount-port"), bad.out());
    }
}
