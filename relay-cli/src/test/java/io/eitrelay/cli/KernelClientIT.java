package io.eitrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.ExternalProcess;
import io.eitrelay.testing.Ganesha;
import io.eitrelay.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux kernel's own NFS client (booted under QEMU, {@link KernelClient}) mounts nfs-ganesha through
 * bin/eit-relay in client mode -> TLS -> bin/eit-relay in server mode, as a user's machine does: NFSv4.1 (with nconnect),
 * NFSv4.0 and NFSv3 (its MOUNT protocol through a second pair of endpoints, no portmapper). Files are
 * checked three ways: the guest's source, the guest's read-back after dropping its page cache, and the
 * bytes that reached the server's disk.
 */
class KernelClientIT {
    private static final int SOURCE_MIB = 16;
    private static final int FAULT_MIB = 64;
    private static final long BOOT_MILLIS = 120_000;
    /** A hard mount retries for ever; this bounds the test, not the client. */
    private static final long STEP_MILLIS = 180_000;
    /** How long the relay's upstream side stays dead: the kernel's reconnect backs off meanwhile. */
    private static final long DOWN_MILLIS = 2_000;
    /** The v4.1 mount's TCP connections in the first test: efs-utils mounts with nconnect too. */
    private static final int NCONNECT = 4;
    private static final Pattern SESSIONS = Pattern.compile(
            "eitrelay_tls_sessions_total\\{[^}]*endpoint=\"([^\"]+)\"[^}]*resumed=\"(true|false)\"} (\\d+)");
    private static final Pattern RPC_COUNT = Pattern.compile(
            "eitrelay_rpc_calls_seconds_count\\{endpoint=\"([^\"]+)\",procedure=\"([^\"]+)\",program=\"([^\"]+)\",version=\"(\\d+)\"} (\\d+)");

    @TempDir
    Path dir;
    Ganesha ganesha;
    KeyPairFiles serverCert;
    TestPki pki;
    int serverNfs;
    int serverMount;
    int clientNfs;
    int clientMount;
    int metrics;
    ExternalProcess server;
    ExternalProcess client;
    int serverStarts;
    final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        ganesha = track(Ganesha.start(Files.createDirectories(dir.resolve("ganesha")), true, export -> { }));
        pki = new TestPki(Files.createDirectories(dir.resolve("pki")));
        serverCert = pki.server();
        serverNfs = ExternalProcess.freePort();
        serverMount = ExternalProcess.freePort();
        clientNfs = ExternalProcess.freePort();
        clientMount = ExternalProcess.freePort();
        metrics = ExternalProcess.freePort();
        server = startServer();
        client = track(launch("client", "--listen", "127.0.0.1:" + clientNfs, "--target", "127.0.0.1:" + serverNfs,
                "--listen", "127.0.0.1:" + clientMount, "--target", "127.0.0.1:" + serverMount,
                "--cafile", pki.caFile().toString(), "--metrics-listen", "127.0.0.1:" + metrics));
        assertTrue(client.awaitOutput("listening on 127.0.0.1:" + clientMount, 20_000), client.output());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void theKernelClientMountsWritesAndReadsBackOverNfs41Nfs40AndNfs3() throws Exception {
        StringBuilder script = new StringBuilder(source(SOURCE_MIB));
        for (Mount mount : mounts(NCONNECT)) {
            script.append(mount.shell(false));
        }
        try (KernelClient guest = KernelClient.boot(dir, script.toString())) {
            String source = guest.awaitMark("source", BOOT_MILLIS);
            for (Mount mount : mounts(NCONNECT)) {
                String mounted = guest.awaitMark(mount.name + "-mounted", STEP_MILLIS);
                assertTrue(mounted.contains(" nfs" + (mount.name.equals("v3") ? " " : "4 "))
                        && mounted.contains("vers=" + mount.version + ",") && mounted.contains("port=" + clientNfs + ","),
                        mount.name + " mounted through the relay: " + mounted + "\n" + guest.console());
                assertTrue(!mount.name.equals("v41") || mounted.contains("nconnect=" + NCONNECT + ","), mounted);
                assertEquals(source, guest.awaitMark(mount.name + "-read", STEP_MILLIS), mount.name + " read back");
                assertEquals(source, sha256(ganesha.export().resolve(mount.name + ".bin")), mount.name + " on the server's disk");
                assertEquals("0", guest.awaitMark(mount.name + "-unmounted", STEP_MILLIS));
            }
            guest.awaitPowerOff(STEP_MILLIS);
        }
        // The nconnect connections after the first resumed its TLS session (so did later mounts' connections).
        String sessions = scrape();
        assertTrue(tlsSessions(sessions, clientNfs, false) >= 1, sessions);
        assertTrue(tlsSessions(sessions, clientNfs, true) >= NCONNECT - 1, sessions);
        // What the relay saw of it: the kernel's WRITE calls (at most 1 MiB each) in both NFS versions, and MOUNT.
        String scrape = scrape();
        assertTrue(rpcCalls(scrape, clientNfs, "NFS", "4", "WRITE") >= 2L * SOURCE_MIB, scrape);
        assertTrue(rpcCalls(scrape, clientNfs, "NFS", "3", "WRITE") >= SOURCE_MIB, scrape);
        assertTrue(rpcCalls(scrape, clientMount, "MOUNT", "3", "MNT") >= 1, scrape);
    }

    @Test
    void aHardMountRidesOutTheRelayServerKilledAndRestartedMidWrite() throws Exception {
        StringBuilder script = new StringBuilder(source(FAULT_MIB));
        for (Mount mount : mounts(1)) {
            script.append(mount.shell(true));
        }
        long clientPid = client.process().pid();
        try (KernelClient guest = KernelClient.boot(dir, script.toString())) {
            String source = guest.awaitMark("source", BOOT_MILLIS);
            for (Mount mount : mounts(1)) {
                guest.awaitMark(mount.name + "-writing", STEP_MILLIS);
                Path onServer = ganesha.export().resolve(mount.name + ".bin");
                assertTrue(Eventually.within(STEP_MILLIS, () -> size(onServer) > 0), "no write reached the server");
                long sizeAtKill = size(onServer);
                server.process().destroyForcibly(); // SIGKILL: no goodbye to either side
                assertTrue(server.process().waitFor(10, TimeUnit.SECONDS));
                assertTrue(sizeAtKill < FAULT_MIB << 20, mount.name + ": killed mid-write, at " + sizeAtKill + " bytes");
                Thread.sleep(DOWN_MILLIS);
                server = startServer();
                assertEquals("0", guest.awaitMark(mount.name + "-written", STEP_MILLIS), mount.name + " write completed");
                assertEquals(source, guest.awaitMark(mount.name + "-read", STEP_MILLIS), mount.name + " read back");
                assertEquals(source, sha256(onServer), mount.name + " on the server's disk");
                assertEquals("0", guest.awaitMark(mount.name + "-unmounted", STEP_MILLIS));
            }
            guest.awaitPowerOff(STEP_MILLIS);
        }
        assertTrue(client.process().isAlive(), "the relay client rode it out: " + client.output());
        assertEquals(clientPid, client.process().pid());
    }

    /** One mount as the kernel is asked for it: busybox passes -o straight to the kernel, so addr= is needed. */
    private record Mount(String name, String type, String version, String options) {
        /** Mounts, writes the source with fsync, drops the page cache, reads back, unmounts; marks each step. */
        String shell(boolean announceWrite) {
            String file = "/mnt/" + name + ".bin";
            return String.join("\n",
                    "mount -t " + type + " -o " + options + " " + KernelClient.HOST + ":/export /mnt || "
                            + KernelClient.mark(name + "-mount-failed", "$?"),
                    KernelClient.mark(name + "-mounted", "$(grep ' /mnt ' /proc/mounts)"),
                    announceWrite ? KernelClient.mark(name + "-writing", "") : ":",
                    "dd if=/data/src of=" + file + " bs=1M conv=fsync 2>/dev/null",
                    KernelClient.mark(name + "-written", "$?"),
                    "echo 3 > /proc/sys/vm/drop_caches",
                    KernelClient.mark(name + "-read", "$(sha256sum " + file + " | cut -d' ' -f1)"),
                    "umount /mnt",
                    KernelClient.mark(name + "-unmounted", "$?"), "");
        }
    }

    /** @param nconnect TCP connections of the NFSv4.1 mount */
    private List<Mount> mounts(int nconnect) {
        String base = "proto=tcp,hard,port=" + clientNfs + ",addr=" + KernelClient.HOST;
        return List.of(
                new Mount("v41", "nfs4", "4.1", "vers=4.1,nconnect=" + nconnect + "," + base),
                // NFSv4.0 names a callback address; the server cannot reach it through the tunnel (no delegations).
                new Mount("v40", "nfs4", "4.0", "vers=4.0," + base + ",clientaddr=" + KernelClient.GUEST),
                new Mount("v3", "nfs", "3", "vers=3," + base + ",mountport=" + clientMount
                        + ",mountproto=tcp,mountaddr=" + KernelClient.HOST + ",nolock"));
    }

    private static String source(int mib) {
        return "dd if=/dev/urandom of=/data/src bs=1M count=" + mib + " 2>/dev/null\n"
                + KernelClient.mark("source", "$(sha256sum /data/src | cut -d' ' -f1)") + "\n";
    }

    private ExternalProcess startServer() throws Exception {
        ExternalProcess started = track(launch("server-" + ++serverStarts, "--server",
                "--listen", "127.0.0.1:" + serverNfs, "--target", "127.0.0.1:" + ganesha.nfsPort(),
                "--listen", "127.0.0.1:" + serverMount, "--target", "127.0.0.1:" + ganesha.mountPort(),
                "--cert", serverCert.certificateChain().toString(), "--key", serverCert.privateKey().toString()));
        // Its log line, not a probe connection: a probe would count as a connection.
        assertTrue(started.awaitOutput("listening on 127.0.0.1:" + serverMount, 20_000), started.output());
        return started;
    }

    private ExternalProcess launch(String name, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(LauncherIT.LAUNCHER.toString()));
        command.addAll(List.of(args));
        return ExternalProcess.start(command, dir.resolve(name + ".out"));
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + metrics + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    private static long rpcCalls(String scrape, int endpointPort, String program, String version, String procedure) {
        Matcher matcher = RPC_COUNT.matcher(scrape);
        long calls = 0;
        while (matcher.find()) {
            if (matcher.group(1).equals("127.0.0.1:" + endpointPort) && matcher.group(2).equals(procedure)
                    && matcher.group(3).equals(program) && matcher.group(4).equals(version)) {
                calls += Long.parseLong(matcher.group(5));
            }
        }
        return calls;
    }

    /** TLS sessions of one endpoint, resumed or full, over every protocol and cipher. */
    private static long tlsSessions(String scrape, int endpointPort, boolean resumed) {
        Matcher matcher = SESSIONS.matcher(scrape);
        long sessions = 0;
        while (matcher.find()) {
            if (matcher.group(1).equals("127.0.0.1:" + endpointPort) && matcher.group(2).equals(String.valueOf(resumed))) {
                sessions += Long.parseLong(matcher.group(3));
            }
        }
        return sessions;
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }
}
