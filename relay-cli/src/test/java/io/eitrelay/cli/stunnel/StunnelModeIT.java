package io.eitrelay.cli.stunnel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.Relay;
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
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/eit-relay driven the way the mount helpers drive stunnel (stunnel-contract.md): corpus configs with
 * their paths and addresses replaced by the test's, real data through to a TLS peer and back.
 */
class StunnelModeIT {
    static final Path LAUNCHER = Path.of(System.getProperty("eitrelay.repo", "..")).resolve("bin/eit-relay").toAbsolutePath();
    /** What the helpers run: the same launcher under the name stunnel. */
    static final Path STUNNEL = LAUNCHER.resolveSibling("stunnel");

    @TempDir
    Path dir;
    TestPki pki;
    EchoServer echo;
    Relay server;
    Process process;

    @BeforeEach
    void setUp() throws Exception {
        pki = new TestPki(dir);
        echo = new EchoServer();
        server = Relay.start(Configs.relay(Configs.server(echo.port(), pki.server()), TransportChoice.AUTO, ProviderChoice.AUTO));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        server.stop(Duration.ZERO);
        echo.close();
    }

    int serverPort() {
        return server.endpoints().get(0).boundAddress().getPort();
    }

    /** efs-utils: stdout to /dev/null, stderr a pipe nobody reads, its own session. */
    Process launchLikeEfsUtils(Path config) throws IOException {
        return new ProcessBuilder("setsid", STUNNEL.toString(), config.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    /** An efs-utils file (client certificate, pid file) plus {@code output = log}, launched as efs-utils does; listening. */
    Path launchEfsUtilsLogging(int port, Path log) throws Exception {
        KeyPairFiles client = pki.issue("c", r -> r);
        String text = CorpusConfig.substitute("efs-utils-tls.conf", Map.of("pid", dir.resolve("s.pid").toString(),
                "accept", "127.0.0.1:" + port, "connect", "127.0.0.1:" + serverPort(), "CAfile", pki.caFile().toString(),
                "cert", client.certificateChain().toString(), "key", client.privateKey().toString(),
                "checkHost", TestPki.SERVER_NAME));
        Path config = Files.writeString(dir.resolve("efs.conf"), text.replace("[efs]", "output = " + log + "\n[efs]"));
        process = launchLikeEfsUtils(config);
        awaitListening(port);
        return config;
    }

    static String run(List<String> command, int expectedExit) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(expectedExit, p.exitValue(), stderr);
        assertEquals("", stdout, "stunnel prints -help, -version and errors on stderr only");
        return stderr;
    }

    @Test
    void helpListsTheCapabilitiesEfsUtilsProbesFor() throws Exception {
        String stderr = run(List.of(LAUNCHER.toString(), "-help"), 0);
        List<String> lines = stderr.lines().toList();
        for (String key : List.of("checkHost", "OCSPaia", "libwrap")) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(key)), key + " missing:\n" + stderr);
        }
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("foreground") && l.contains("quiet")), stderr);
        assertTrue(stderr.contains("Global options:") && stderr.contains("Service-level options:"), stderr);
    }

    @Test
    void versionMatchesWhatAznfsRequires() throws Exception {
        String stderr = run(List.of(LAUNCHER.toString(), "-version"), 0);
        Matcher m = Pattern.compile("stunnel ([0-9]+)\\.([0-9]+)").matcher(stderr);
        assertTrue(m.find(), stderr);
        assertTrue(Integer.parseInt(m.group(1)) * 100 + Integer.parseInt(m.group(2)) >= 540, stderr);
        assertTrue(stderr.contains("eit-relay"), stderr);
    }

    @Test
    void efsUtilsQuietForegroundRelaysDataWritesPidAndStopsCleanly() throws Exception {
        int port = ExternalProcess.freePort();
        KeyPairFiles client = pki.issue("efs-client", r -> r);
        Path pid = dir.resolve("stunnel.pid");
        Files.writeString(pid, "999999\n"); // stale pid file from a previous run
        Path config = Files.writeString(dir.resolve("stunnel-config.efs"), CorpusConfig.substitute("efs-utils-tls.conf", Map.of(
                "pid", pid.toString(), "accept", "127.0.0.1:" + port, "connect", "127.0.0.1:" + serverPort(),
                "CAfile", pki.caFile().toString(), "cert", client.certificateChain().toString(),
                "key", client.privateKey().toString(), "checkHost", TestPki.SERVER_NAME)));
        process = launchLikeEfsUtils(config);
        awaitListening(port);
        assertTrue(Eventually.within(5_000, () -> readPid(pid) == process.pid()), "pid file holds the relay's own pid");
        // efs-utils' watchdog: the process is alive under its pid and its command line names stunnel.
        assertEquals("stunnel", Files.readString(Path.of("/proc/" + process.pid() + "/comm")).trim());
        assertTrue(Files.readString(Path.of("/proc/" + process.pid() + "/cmdline")).contains("stunnel"));
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(pid)));
        byte[] data = Transfer.rpcRecords(2 << 20, 21);
        assertArrayEquals(data, Transfer.exchange(port, data, List.of(65536), 60));
        new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
        assertTrue(process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue());
        assertFalse(Files.exists(pid), "pid file removed on a clean exit");
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("", stderr, "foreground = quiet writes nothing on stderr");
    }

    @Test
    void foregroundYesLogsToStderrAndOutputInStunnelShape() throws Exception {
        int port = ExternalProcess.freePort();
        Path log = dir.resolve("stunnel.log");
        KeyPairFiles client = pki.issue("alinas-client", r -> r);
        String text = CorpusConfig.substitute("alinas.conf", Map.of(
                "accept", "127.0.0.1:" + port, "connect", "127.0.0.1:" + serverPort(),
                "CAfile", pki.caFile().toString(), "cert", client.certificateChain().toString(),
                "key", client.privateKey().toString(), "checkHost", TestPki.SERVER_NAME,
                "ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384"));
        Path config = Files.writeString(dir.resolve("alinas.conf"), text.replace("[alinas]", "output = " + log + "\n[alinas]"));
        process = new ProcessBuilder(LAUNCHER.toString(), config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stderr.txt").toFile()).start();
        awaitListening(port);
        byte[] data = Transfer.rpcRecords(10_000, 22);
        assertArrayEquals(data, Transfer.exchange(port, data, List.of(1000), 30));
        assertTrue(Eventually.within(5_000, () -> read(log).contains("LOG5[alinas]: #")), read(log));
        assertTrue(read(log).matches("(?s)\\d{4}\\.\\d{2}\\.\\d{2} \\d{2}:\\d{2}:\\d{2} LOG5\\[main\\]: .*"), read(log));
        assertTrue(Eventually.within(5_000, () -> read(dir.resolve("stderr.txt")).contains("LOG5[alinas]: listening on 127.0.0.1:" + port)),
                read(dir.resolve("stderr.txt")));
    }

    /**
     * efs-utils renews the client certificate by rewriting the file in place, then sends SIGHUP. A transfer
     * keeps running across 10 such renewals; every new handshake presents the new certificate.
     */
    @Test
    void sighupUnderLoadRotatesTheClientCertificateWithoutDroppingConnections() throws Exception {
        server.stop(Duration.ZERO);
        io.eitrelay.core.config.EndpointConfig requireClientCert = Configs.server(echo.port(), pki.server());
        server = Relay.start(Configs.relay(requireClientCert.withTls(requireClientCert.tls().withCaFile(pki.caFile())),
                TransportChoice.AUTO, ProviderChoice.AUTO));
        int port = ExternalProcess.freePort();
        Path cert = dir.resolve("certificate.pem");
        Path key = dir.resolve("privateKey.pem");
        KeyPairFiles first = pki.issue("client-v0", r -> r);
        Files.write(cert, Files.readAllBytes(first.certificateChain()));
        Files.write(key, Files.readAllBytes(first.privateKey()));
        Path log = dir.resolve("stunnel.log");
        String text = CorpusConfig.substitute("efs-utils-tls.conf", Map.of("pid", dir.resolve("s.pid").toString(),
                "accept", "127.0.0.1:" + port, "connect", "127.0.0.1:" + serverPort(), "CAfile", pki.caFile().toString(),
                "cert", cert.toString(), "key", key.toString(), "checkHost", TestPki.SERVER_NAME));
        Path config = Files.writeString(dir.resolve("efs.conf"), text.replace("[efs]", "output = " + log + "\n[efs]"));
        try (io.eitrelay.testing.LogCapture serverLog = new io.eitrelay.testing.LogCapture()) {
            process = launchLikeEfsUtils(config);
            awaitListening(port);
            try (java.net.Socket longLived = new java.net.Socket(InetAddress.getByName("127.0.0.1"), port)) {
                longLived.setSoTimeout(20_000);
                java.io.OutputStream out = longLived.getOutputStream();
                java.io.InputStream in = longLived.getInputStream();
                for (int i = 1; i <= 10; i++) {
                    KeyPairFiles next = pki.issue("client-v" + i, r -> r);
                    Files.write(cert, Files.readAllBytes(next.certificateChain()));
                    Files.write(key, Files.readAllBytes(next.privateKey()));
                    new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
                    int reloads = i;
                    assertTrue(Eventually.within(10_000, () -> read(log).split("configuration reloaded", -1).length - 1 == reloads),
                            read(log));
                    // The long-lived connection keeps flowing through every reload.
                    byte[] chunk = Transfer.rpcRecords(256 * 1024, i);
                    out.write(chunk);
                    assertArrayEquals(chunk, in.readNBytes(chunk.length), "long-lived connection, reload " + i);
                    // A new connection handshakes with the rotated certificate.
                    byte[] data = Transfer.rpcRecords(4096, 100 + i);
                    assertArrayEquals(data, Transfer.exchange(port, data, List.of(4096), 30));
                    // The server saw it: its established line, or (once the endpoint's connection lines are
                    // past their budget) the expiry notice it gives every new peer certificate.
                    String seen = "CN=client-v" + i + " ";
                    assertTrue(Eventually.within(5_000, () -> serverLog.lines().stream().anyMatch(l -> l.contains("peer " + seen)
                            || l.contains("certificate " + seen))), serverLog.lines().toString());
                }
            }
            assertTrue(process.isAlive(), "SIGHUP must not stop the relay");
            assertFalse(read(log).contains("LOG3"), read(log));
        }
    }

    @Test
    void badFileOnSighupIsLoggedAndSigusr1ReopensTheLog() throws Exception {
        int port = ExternalProcess.freePort();
        Path log = dir.resolve("stunnel.log");
        Path config = launchEfsUtilsLogging(port, log);
        assertTrue(Eventually.within(5_000, () -> read(log).contains("listening on 127.0.0.1:" + port)), read(log));
        Files.writeString(config, Files.readString(config) + "\nbogusOpt = 1\n");
        new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
        assertTrue(Eventually.within(10_000, () -> read(log).contains("keeping the running configuration")), read(log));
        assertTrue(read(log).contains("\"bogusOpt = 1\": Specified option name is not valid here"), read(log));
        byte[] data = Transfer.rpcRecords(1000, 41);
        assertArrayEquals(data, Transfer.exchange(port, data, List.of(100), 30));
        // logrotate: move the file away, SIGUSR1, and new lines go to a fresh file of the old name.
        Path rotated = dir.resolve("stunnel.log.1");
        Files.move(log, rotated);
        new ProcessBuilder("kill", "-USR1", Long.toString(process.pid())).start().waitFor();
        assertTrue(Eventually.within(10_000, () -> {
            try {
                Transfer.exchange(port, data, List.of(100), 30);
            } catch (Exception e) {
                return false;
            }
            return read(log).contains("established");
        }), "log reopened: " + read(log));
        assertTrue(process.isAlive());
    }

    /** stunnel's way to log more: edit {@code debug}, SIGHUP; the mount and its connections stay. */
    @Test
    void aChangedDebugLevelTakesEffectOnSighup() throws Exception {
        int port = ExternalProcess.freePort();
        Path log = dir.resolve("stunnel.log");
        Path config = launchEfsUtilsLogging(port, log);
        byte[] data = Transfer.rpcRecords(1000, 42);
        assertArrayEquals(data, Transfer.exchange(port, data, List.of(100), 30));
        assertTrue(Eventually.within(5_000, () -> read(log).contains("ended by the client")), read(log));
        assertFalse(read(log).contains("LOG7["), "nothing at debug level 5: " + read(log));

        Files.writeString(config, Files.readString(config).replace("[efs]", "debug = 7\n[efs]"));
        new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
        assertTrue(Eventually.within(10_000, () -> read(log).contains("debug = 7 from now on (was 5), from the reloaded file")),
                read(log));
        assertArrayEquals(data, Transfer.exchange(port, data, List.of(100), 30));
        assertTrue(Eventually.within(5_000, () -> read(log).matches("(?s).*LOG7\\[efs\\]: #\\d+ accepted from /127\\.0\\.0\\.1:.*")),
                read(log));
        assertTrue(process.isAlive());
    }

    /** The other way round: Debian's real stunnel runs the corpus file and talks to our server mode. */
    @Test
    void realStunnelWithACorpusConfigTalksToTheRelayServer() throws Exception {
        String stunnel4 = ExternalProcess.require("stunnel4", "stunnel4");
        int port = ExternalProcess.freePort();
        KeyPairFiles client = pki.issue("real-stunnel-client", r -> r);
        String text = CorpusConfig.substitute("efs-utils-tls.conf", Map.of("pid", dir.resolve("real.pid").toString(),
                "accept", "127.0.0.1:" + port, "connect", "127.0.0.1:" + serverPort(), "CAfile", pki.caFile().toString(),
                "cert", client.certificateChain().toString(), "key", client.privateKey().toString(),
                "checkHost", TestPki.SERVER_NAME));
        Path config = Files.writeString(dir.resolve("real-stunnel.conf"), text);
        process = new ProcessBuilder(stunnel4, config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("real-stunnel.out").toFile()).start();
        awaitListening(port);
        byte[] data = Transfer.random(1 << 20, 51);
        assertArrayEquals(data, Transfer.exchange(port, data, List.of(65536), 60), read(dir.resolve("real-stunnel.out")));
        assertEquals("TLSv1.2", server.endpoints().get(0).stats().lastTlsProtocol(), "sslVersion = TLSv1.2 from the corpus");
    }

    /** AZNFS: {@code out=$(stunnel conf 2>&1)} must be empty with exit 0, then it finds the port in ss. */
    @Test
    void aznfsDaemonModeBindsDetachesAndIsFoundBySs() throws Exception {
        String ss = ExternalProcess.require("ss", "iproute2");
        int port = ExternalProcess.freePort();
        Path pid = dir.resolve("stunnel_10.0.4.17.pid");
        Path log = dir.resolve("stunnel_10.0.4.17.log");
        Path config = Files.writeString(dir.resolve("aznfs.conf"), CorpusConfig.substitute("aznfs-tls12.conf", Map.of(
                "CAFile", pki.caFile().toString(), "checkHost", TestPki.SERVER_NAME, "pid", pid.toString(), "output", log.toString(),
                "accept", "127.0.0.1:" + port, "connect", "127.0.0.1:" + serverPort())));
        Process helper = new ProcessBuilder("bash", "-c", "out=$(\"$0\" \"$1\" 2>&1); rc=$?; printf '%s' \"$out\"; exit $rc",
                STUNNEL.toString(), config.toString()).redirectErrorStream(true).start();
        String out = new String(helper.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(helper.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, helper.exitValue(), out);
        assertEquals("", out, "daemon mode prints nothing at all");
        long daemonPid = readPid(pid);
        assertTrue(daemonPid > 0);
        try {
            Process listing = new ProcessBuilder(ss, "-ltnp").start();
            String sockets = new String(listing.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String line = sockets.lines().filter(l -> l.contains("127.0.0.1:" + port + " ")).findFirst().orElse("");
            assertTrue(line.contains("pid=" + daemonPid + ","), "listener owned by the pid in the pid file: " + line);
            assertTrue(line.contains("((\"stunnel\","), "AZNFS greps ss for a process named stunnel: " + line);
            byte[] data = Transfer.rpcRecords(100_000, 23);
            assertArrayEquals(data, Transfer.exchange(port, data, List.of(8192), 30));
        } finally {
            new ProcessBuilder("kill", "-TERM", Long.toString(daemonPid)).start().waitFor();
        }
        assertTrue(Eventually.within(20_000, () -> !Files.exists(pid)), "pid file removed when the daemon stops");
        assertTrue(read(log).contains("LOG5[10.0.4.17]: listening on 127.0.0.1:" + port), read(log));
    }

    @Test
    void daemonModeBindFailureIsReportedByTheCommand() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Path config = Files.writeString(dir.resolve("aznfs-busy.conf"), CorpusConfig.substitute("aznfs-tls12.conf", Map.of(
                    "CAFile", pki.caFile().toString(), "pid", dir.resolve("b.pid").toString(),
                    "output", dir.resolve("b.log").toString(), "accept", "127.0.0.1:" + taken.getLocalPort(),
                    "connect", "127.0.0.1:" + serverPort())));
            String stderr = run(List.of(LAUNCHER.toString(), config.toString()), 1);
            assertTrue(stderr.contains("127.0.0.1:" + taken.getLocalPort() + ": Address already in use"), stderr);
            assertFalse(Files.exists(dir.resolve("b.pid")));
        }
    }

    @Test
    void bindFailureSaysAddressInUseLikeStunnel() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            // A matching pair: the key is checked against the certificate before anything binds.
            io.eitrelay.core.config.KeyPairFiles ours = pki.server();
            Path config = Files.writeString(dir.resolve("busy.conf"), CorpusConfig.substitute("efs-utils-tls.conf", Map.of(
                    "pid", dir.resolve("p.pid").toString(), "accept", "127.0.0.1:" + taken.getLocalPort(),
                    "connect", "127.0.0.1:" + serverPort(), "CAfile", pki.caFile().toString(),
                    "cert", ours.certificateChain().toString(), "key", ours.privateKey().toString())));
            String stderr = run(List.of(LAUNCHER.toString(), config.toString()), 1);
            assertTrue(stderr.contains("[.] Binding service [efs] to 127.0.0.1:" + taken.getLocalPort()
                    + ": Address already in use (98)"), stderr);
            assertTrue(stderr.contains("[!] Binding service [efs] failed"), stderr);
            assertFalse(Files.exists(dir.resolve("p.pid")));
        }
    }

    @Test
    void invalidOptionFailsWithFileAndLine() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.conf"), "foreground = yes\n[efs]\nclient = yes\n"
                + "accept = 127.0.0.1:1\nconnect = 127.0.0.1:2\nbogusOpt = 1\n");
        String stderr = run(List.of(LAUNCHER.toString(), config.toString()), 1);
        assertTrue(stderr.contains("[!] " + config + ":6: \"bogusOpt = 1\": Specified option name is not valid here"), stderr);
        assertTrue(stderr.contains("[!] Configuration failed"), stderr);
    }

    void awaitListening(int port) throws InterruptedException {
        assertTrue(Eventually.within(20_000, () -> {
            try {
                new java.net.Socket(InetAddress.getByName("127.0.0.1"), port).close();
                return true;
            } catch (IOException e) {
                return false;
            }
        }), "nothing listening on " + port);
    }

    static long readPid(Path pid) {
        try {
            return Long.parseLong(Files.readString(pid).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
