package io.eitrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.Relay;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.probe.nfs.NfsProbes;
import io.eitrelay.probe.rpc.Auth;
import io.eitrelay.probe.rpc.RpcClient;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.ExternalProcess;
import io.eitrelay.testing.Ganesha;
import io.eitrelay.testing.TestPki;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eit-relay mount} / {@code mount.eit} and {@code umount} as a user runs them, against a running
 * {@code eit-relay daemon}. mount.nfs is a stand-in ({@link FakeMountPrograms}); what it is given is then
 * used for real: nfs-probe and libnfs go through the chosen endpoint, over TLS to a relay in server
 * mode, to nfs-ganesha. The daemon reads the stand-in's mount table instead of /proc/mounts.
 */
class MountIT {
    private static final Pattern LOCAL_PORT = Pattern.compile("127\\.0\\.\\d+\\.\\d+:/export (\\S+) -o \\S*\\bport=(\\d+)");
    private static final Duration GRACE = Duration.ofSeconds(1);

    @TempDir
    Path dir;
    Path work;
    Path bin;
    Path mounts;
    Path calls;
    Path control;
    Path state;
    TestPki pki;
    Ganesha ganesha;
    Relay server;
    int serverNfsPort;
    int serverMountPort;
    ExternalProcess daemon;
    int daemons;
    final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        pki = new TestPki(dir);
        ganesha = track(Ganesha.start(dir.resolve("ganesha"), true,
                export -> Files.writeString(export.resolve("hello.txt"), "hello through TLS\n")));
        server = Relay.start(new RelayConfig(List.of(Configs.server(ganesha.nfsPort(), pki.server()),
                Configs.server(ganesha.mountPort(), pki.server()).withName("server-mount")), RuntimeOptions.defaults()));
        track(() -> server.stop(Duration.ZERO));
        serverNfsPort = server.endpoints().get(0).boundAddress().getPort();
        serverMountPort = server.endpoints().get(1).boundAddress().getPort();
        work = Files.createDirectories(dir.resolve("work"));
        Files.copy(pki.caFile(), work.resolve("ca.pem"));
        bin = dir.resolve("fake-bin");
        mounts = dir.resolve("mounts");
        calls = dir.resolve("calls");
        FakeMountPrograms.install(bin, mounts, calls);
        control = dir.resolve("run/control.sock");
        state = dir.resolve("lib/endpoints");
        daemon = startDaemon();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void nfs4Nfs3AndAlinasMountsEachGetAnEndpointThatCarriesNfs() throws Exception {
        // As mount(8) runs a helper for `mount -t eit`: source, mount point, then -o.
        CommandRun v4 = run(LauncherIT.LAUNCHER.resolveSibling("mount.eit").toString(), "127.0.0.1:/export", mountPoint("v4"),
                "-o", tls() + ",hard,timeo=600");
        assertEquals(0, v4.code(), v4.toString());
        String v4Call = lastCall();
        assertTrue(v4Call.startsWith("mount.nfs4 127.0.0.1:/export " + mountPoint("v4") + " -o hard,timeo=600,vers=4.1,port="),
                v4Call);
        int v4Port = localPort(v4Call);
        assertTrue(v4Port >= 20049 && v4Port <= 21048, "efs scheme: " + v4Port);
        try (RpcClient nfs = new RpcClient(new InetSocketAddress("127.0.0.1", v4Port), 10_000)) {
            assertTrue(NfsProbes.nfs4RootGetattr(nfs, Auth.sys("mount-it", 0, 0)).contains("directory"));
        }
        assertTrue(libnfs("nfs-ls", "nfs://127.0.0.1/export?version=4&nfsport=" + v4Port).contains("hello.txt"));

        CommandRun v3 = mount("v3", tls() + ",vers=3,port=" + serverNfsPort + ",mountport=" + serverMountPort);
        assertEquals(0, v3.code(), v3.toString());
        Matcher v3Call = Pattern.compile("mount.nfs 127.0.0.1:/export \\S+ -o vers=3,port=(\\d+),mountport=(\\d+),proto=tcp,"
                + "mountproto=tcp,nolock").matcher(lastCall());
        assertTrue(v3Call.matches(), lastCall());
        String v3Url = "nfs://127.0.0.1/export/copied.txt?version=3&nfsport=" + v3Call.group(1) + "&mountport=" + v3Call.group(2);
        Path local = Files.writeString(dir.resolve("local.txt"), "written over NFSv3 through the mount's endpoints\n");
        libnfs("nfs-cp", local.toString(), v3Url);
        assertEquals(Files.readString(local), Files.readString(ganesha.export().resolve("copied.txt")), "on the server's disk");

        CommandRun alinas = mount("alinas", tls() + ",port_scheme=alinas");
        assertEquals(0, alinas.code(), alinas.toString());
        Matcher alinasCall = Pattern.compile("mount.nfs4 (127\\.0\\.\\d+\\.\\d+):/export \\S+ -o vers=4.1,port=12049")
                .matcher(lastCall());
        assertTrue(alinasCall.matches(), lastCall());
        assertTrue(alinasCall.group(1).startsWith("127.0.") && !alinasCall.group(1).startsWith("127.0.0."), lastCall());
        try (RpcClient nfs = new RpcClient(new InetSocketAddress(alinasCall.group(1), 12049), 10_000)) {
            assertEquals("answered", NfsProbes.nullPing(nfs, NfsProbes.PROGRAM_NFS, 4));
        }

        // Four endpoints (NFSv3 has two), each saying which mount it serves; the health probe has gone through.
        assertTrue(Eventually.within(20_000, () -> status("--json").split("\"health\":\\{\"ok\":true").length == 5),
                status("--json"));
        String text = status();
        assertTrue(text.contains("  mount: NFS endpoint of a mount of 127.0.0.1, mounted on " + mountPoint("v4")), text);
        assertTrue(text.contains("  mount: MOUNT endpoint of a mount of 127.0.0.1, mounted on " + mountPoint("v3")), text);
        assertTrue(text.contains("[mount-" + alinasCall.group(1) + ":12049] " + alinasCall.group(1) + ":12049 -> 127.0.0.1:"
                + serverNfsPort), text);
        CommandRun remove = run(LauncherIT.LAUNCHER.toString(), "ctl", "--control", control.toString(), "remove",
                "mount-127.0.0.1:" + v4Port);
        assertFailed(remove, ExitCodes.CONFIG_ERROR, "belongs to a mount: it is removed by itself once nothing has it mounted");
        assertNullAnswered(v4Port);
    }

    @Test
    void fiftyParallelMountsGetFiftyEndpointsThatOutliveADaemonRestartAndGoAfterUnmount() throws Exception {
        int count = 50;
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            processes.add(start(List.of(LauncherIT.LAUNCHER.toString(), "mount", "--control", control.toString(), "-o", tls(),
                    "127.0.0.1:/export", mountPoint("m" + i))));
        }
        for (Process process : processes) {
            assertTrue(process.waitFor(240, TimeUnit.SECONDS), "mount did not finish");
            assertEquals(0, process.exitValue(), new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        Map<String, Integer> portByMountPoint = new HashMap<>();
        for (String call : Files.readAllLines(calls)) {
            Matcher m = LOCAL_PORT.matcher(call);
            assertTrue(m.find(), call);
            portByMountPoint.put(m.group(1), Integer.valueOf(m.group(2)));
        }
        assertEquals(count, portByMountPoint.size());
        assertEquals(count, new HashSet<>(portByMountPoint.values()).size(), "every mount its own endpoint");
        assertEquals(count, Files.readAllLines(mounts).size());

        daemon.process().destroyForcibly(); // a crash; the mounts stay
        assertTrue(daemon.process().waitFor(10, TimeUnit.SECONDS));
        daemon = startDaemon();
        assertTrue(daemon.output().contains(count + " of " + count + " saved endpoints restored"), daemon.output());
        Thread.sleep(GRACE.toMillis() * 3 + 2_000); // sweeps have run: mounted endpoints are kept
        for (int port : portByMountPoint.values()) {
            assertNullAnswered(port);
        }

        Set<Integer> unmounted = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            CommandRun umount = run(LauncherIT.LAUNCHER.toString(), "umount", "--control", control.toString(),
                    mountPoint("m" + i));
            assertEquals(0, umount.code(), umount.toString());
            unmounted.add(portByMountPoint.get(mountPoint("m" + i)));
        }
        assertTrue(Eventually.within(15_000, () -> unmounted.stream().allMatch(MountIT::refused)), "unmounted endpoints go");
        for (Map.Entry<String, Integer> mounted : portByMountPoint.entrySet()) {
            if (!unmounted.contains(mounted.getValue())) {
                assertNullAnswered(mounted.getValue());
            }
        }
        assertEquals(count - 10, Files.readAllLines(state).size(), "the state follows");
    }

    @Test
    void aTlsMountOfAServerBeingMountedWithoutTlsIsRefusedUntilThatMountEnds() throws Exception {
        // What a notls mount does before running mount.nfs; until it says it is done, the server is reserved.
        assertEquals(0, ctl("plain-check", "127.0.0.1").code());
        CommandRun tls = mount("tls", tls());
        assertEquals(32, tls.code(), tls.toString());
        assertTrue(tls.err().contains("127.0.0.1 is being mounted without TLS right now"), tls.err());
        assertEquals(0, Files.exists(calls) ? Files.readAllLines(calls).size() : 0, "mount.nfs not run");
        assertEquals("no endpoints\n", status());
        assertEquals(0, ctl("plain-done", "127.0.0.1").code());

        // A real notls mount ends its reservation itself, also when mount.nfs fails.
        CommandRun refused = mount(FakeMountPrograms.REFUSED, "notls,port=" + ganesha.nfsPort());
        assertEquals(32, refused.code(), refused.toString());
        CommandRun tlsNow = mount("tls", tls());
        assertEquals(0, tlsNow.code(), tlsNow.toString());
    }

    private CommandRun ctl(String... request) throws Exception {
        List<String> command = new ArrayList<>(List.of(LauncherIT.LAUNCHER.toString(), "ctl", "--control", control.toString()));
        command.addAll(List.of(request));
        return run(command.toArray(String[]::new));
    }

    @Test
    void tlsAndPlainMountsOfOneServerAreNotMixed() throws Exception {
        assertEquals(0, mount("tls", tls()).code());
        CommandRun plain = mount("plain", "notls,port=" + ganesha.nfsPort());
        assertEquals(32, plain.code(), plain.toString());
        assertTrue(plain.err().contains("127.0.0.1 is already mounted with TLS through eit-relay") && plain.err().contains(
                "mounted on " + mountPoint("tls")), plain.err());
        assertEquals(1, Files.readAllLines(calls).size(), "mount.nfs not run");

        assertEquals(0, run(LauncherIT.LAUNCHER.toString(), "umount", "--control", control.toString(),
                mountPoint("tls")).code());
        CommandRun plainNow = mount("plain", "notls,port=" + ganesha.nfsPort());
        assertEquals(0, plainNow.code(), plainNow.toString());
        assertEquals("mount.nfs4 127.0.0.1:/export " + mountPoint("plain") + " -o port=" + ganesha.nfsPort() + ",vers=4.1",
                lastCall(), "straight to the server");

        CommandRun tlsAgain = mount("tls", tls());
        assertEquals(32, tlsAgain.code(), tlsAgain.toString());
        assertTrue(tlsAgain.err().contains("127.0.0.1 is already mounted without TLS on " + mountPoint("plain")), tlsAgain.err());
        assertTrue(Eventually.within(10_000, () -> status().equals("no endpoints\n")), status());
    }

    @Test
    void badOptionsAndFailedMountsLeaveNothingBehind() throws Exception {
        assertFailed(mount("a", "vers=5"), 1, "eit-relay mount: -o vers=5: expected one of 3, 4, 4.0, 4.1, 4.2");
        assertFailed(mount("a", tls() + ",lock,vers=3"), 1, "-o lock: NFSv3 locking (NLM)");
        assertFailed(run(LauncherIT.LAUNCHER.toString(), "mount", "--control", control.toString(), "127.0.0.1:/export",
                dir.resolve("no-such-dir").toString()), 32, "mount point " + dir.resolve("no-such-dir") + " does not exist");
        assertFailed(mount("a", "cafile=missing.pem,port=" + serverNfsPort), 32,
                "--cafile " + work.resolve("missing.pem") + ": no such file");
        assertFailed(mount("a", "cafile=ca.pem,checkhost=other.test,port=" + serverNfsPort), 32,
                // The relay's reason, not the reset the readiness check saw.
                "127.0.0.1:" + serverNfsPort + " does not answer through the relay (TLS handshake with target failed: "
                        + "certificate verify failed: hostname mismatch, expected other.test");
        assertFailed(mount(FakeMountPrograms.REFUSED, tls()), 32, "mount.nfs: access denied by server");
        assertEquals(1, Files.readAllLines(calls).size(), "mount.nfs ran only for the mount the server refused");
        CommandRun noDaemon = run(LauncherIT.LAUNCHER.toString(), "mount", "--control", dir.resolve("none.sock").toString(),
                "-o", tls(), "127.0.0.1:/export", mountPoint("a"));
        assertFailed(noDaemon, 32, "no eit-relay daemon answers on " + dir.resolve("none.sock"));

        assertEquals("no endpoints\n", status());
        assertEquals("", Files.readString(state), "nothing saved");
        assertEquals("", Files.readString(mounts), "nothing mounted");
    }

    private String tls() {
        return "cafile=ca.pem,checkhost=" + TestPki.SERVER_NAME + ",port=" + serverNfsPort;
    }

    private static void assertFailed(CommandRun result, int code, String message) {
        assertEquals(code, result.code(), result.toString());
        assertTrue(result.err().contains(message), "expected '" + message + "' in: " + result.err());
    }

    private static void assertNullAnswered(int port) throws Exception {
        try (RpcClient nfs = new RpcClient(new InetSocketAddress("127.0.0.1", port), 10_000)) {
            assertEquals("answered", NfsProbes.nullPing(nfs, NfsProbes.PROGRAM_NFS, 4), "port " + port);
        }
    }

    private static boolean refused(int port) {
        try {
            new Socket("127.0.0.1", port).close();
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private int localPort(String call) {
        Matcher m = LOCAL_PORT.matcher(call);
        assertTrue(m.find(), call);
        return Integer.parseInt(m.group(2));
    }

    private String lastCall() throws IOException {
        List<String> lines = Files.readAllLines(calls);
        assertFalse(lines.isEmpty(), "mount.nfs was not run");
        return lines.get(lines.size() - 1);
    }

    private String mountPoint(String name) throws IOException {
        return Files.createDirectories(dir.resolve("mnt").resolve(name)).toString();
    }

    private CommandRun mount(String mountPoint, String options) throws Exception {
        return run(LauncherIT.LAUNCHER.toString(), "mount", "--control", control.toString(), "-o", options,
                "127.0.0.1:/export", mountPoint(mountPoint));
    }

    private String status(String... args) {
        List<String> command = new ArrayList<>(List.of(LauncherIT.LAUNCHER.toString(), "status", "--control", control.toString()));
        command.addAll(List.of(args));
        try {
            return run(command.toArray(String[]::new)).out();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String libnfs(String... command) throws Exception {
        ExternalProcess.require(command[0], "libnfs-utils");
        CommandRun result = run(command);
        assertEquals(0, result.code(), result.toString());
        return result.out();
    }

    private ExternalProcess startDaemon() throws Exception {
        ExternalProcess started = track(ExternalProcess.start(List.of(LauncherIT.LAUNCHER.toString(), "daemon",
                "--control", control.toString(), "--state", state.toString(), "--mounts-table", mounts.toString(),
                "--unmount-grace", GRACE.toMillis() + "ms", "--probe-interval", "1s"), dir.resolve("daemon-" + ++daemons + ".out()")));
        assertTrue(started.awaitOutput("control socket " + control, 30_000), started.output());
        return started;
    }

    private Process start(List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        return builder.start();
    }

    /** A command run from the user's directory with the stand-ins first in PATH. */
    private CommandRun run(String... command) throws Exception {
        return CommandRun.run(dir, work, Map.of("PATH", bin + ":" + System.getenv("PATH"),
                "EIT_RELAY_CONTROL", control.toString()), List.of(command)); // mount.eit takes no --control
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }
}
