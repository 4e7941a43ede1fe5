package io.eitrelay.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.cli.daemon.NotifyReceiver;
import io.eitrelay.cli.daemon.SystemdNotify;
import io.eitrelay.core.Relay;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.ExternalProcess;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eit-relay daemon} as an administrator runs it: endpoints added, listed and removed with
 * {@code eit-relay ctl} / {@code status} from another directory, traffic through them to a TLS server,
 * bad requests refused with the reason and nothing left behind, and a daemon killed and started again
 * binding every endpoint on its old port.
 */
class DaemonIT {
    @TempDir
    Path dir;
    Path control;
    Path state;
    Path work;
    TestPki pki;
    EchoServer echo;
    Relay server;
    int serverPort;
    ExternalProcess daemon;
    int daemons;
    final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        pki = new TestPki(dir);
        echo = track(new EchoServer());
        server = Relay.start(Configs.relay(Configs.server(echo.port(), pki.server()), TransportChoice.AUTO, ProviderChoice.AUTO));
        track(() -> server.stop(Duration.ZERO));
        serverPort = server.endpoints().get(0).boundAddress().getPort();
        control = dir.resolve("run/control.sock");
        state = dir.resolve("lib/endpoints");
        // The caller's own directory, where its relative --cafile is.
        work = Files.createDirectories(dir.resolve("work"));
        Files.copy(pki.caFile(), work.resolve("ca.pem"));
        daemon = startDaemon();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void endpointsAreAddedUsedListedAndRemovedAtRunTime() throws Exception {
        int first = ExternalProcess.freePort();
        int second = ExternalProcess.freePort();
        CommandRun added = ctl("add", "--listen", "127.0.0.1:" + first, "--target", "127.0.0.1:" + serverPort,
                "--cafile", "ca.pem", "--check-host", TestPki.SERVER_NAME);
        assertEquals(0, added.code(), added.toString());
        assertTrue(added.out().contains("added [127.0.0.1:" + first + "] listening on 127.0.0.1:" + first), added.out());
        assertEquals(0, ctl("add", "--name", "fs-2", "--listen", "127.0.0.1:" + second, "--target",
                "127.0.0.1:" + serverPort, "--cafile", "ca.pem", "--check-host", TestPki.SERVER_NAME).code());
        // Record-marked, as NFS is: the endpoints follow RPC framing by default.
        byte[] data = Transfer.rpcRecords(512 * 1024, 9);
        assertArrayEquals(data, Transfer.roundTrip(first, data, List.of(8192), 10));
        assertArrayEquals(data, Transfer.roundTrip(second, data, List.of(8192), 10));

        CommandRun json = run("status", "--control", control.toString(), "--json");
        assertEquals(0, json.code(), json.toString());
        assertTrue(json.out().startsWith("{\"endpoints\":[{\"name\":\"127.0.0.1:" + first + "\",\"listen\":\"127.0.0.1:"
                + first + "\",\"target\":\"127.0.0.1:" + serverPort + "\",\"mode\":\"client\""), json.out());
        assertTrue(json.out().contains("{\"name\":\"fs-2\",\"listen\":\"127.0.0.1:" + second + "\""), json.out());
        assertTrue(json.out().contains("\"connections_accepted\":1,\"connections_failed\":0,\"bytes_to_target\":" + data.length
                + ",\"bytes_from_target\":" + data.length + ",\"tls_protocol\":\"TLSv1.3\""), json.out());
        // One session: the user's connection (the daemon's health probes are not counted, resumed or not).
        assertTrue(json.out().contains(",\"tls_sessions\":1,\"tls_sessions_resumed\":"), json.out());
        CommandRun text = run("status", "--control", control.toString());
        assertTrue(text.out().contains("[fs-2] 127.0.0.1:" + second + " -> 127.0.0.1:" + serverPort + " (client mode)"), text.out());
        assertTrue(text.out().contains("  TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; sessions: 1 ("), text.out());

        CommandRun removed = ctl("remove", "127.0.0.1:" + first);
        assertEquals(0, removed.code(), removed.toString());
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), first).close());
        assertArrayEquals(data, Transfer.roundTrip(second, data, List.of(8192), 10), "the other one keeps working");
        assertFalse(run("status", "--control", control.toString()).out().contains("127.0.0.1:" + first));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(control)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
    }

    @Test
    void badRequestsAreRefusedWithTheReasonAndLeaveNothingBehind() throws Exception {
        int port = ExternalProcess.freePort();
        String target = "127.0.0.1:" + serverPort;
        assertRefused(ctl("add", "--listen", "127.0.0.1:" + port, "--target", target, "--cafile", "missing.pem"),
                "--cafile " + work.resolve("missing.pem") + ": no such file");
        assertRefused(ctl("add", "--listen", "127.0.0.1:" + port, "--target", target, "--bogus"), "--bogus");
        assertRefused(ctl("add", "--listen", "127.0.0.1:" + port, "--target", target, "--transport", "nio"),
                "--transport is set for the whole daemon");
        assertRefused(ctl("add", "--listen", "127.0.0.1:" + port, "--target", target, "--name", "a b"), "--name 'a b'");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertRefused(ctl("add", "--listen", "127.0.0.1:" + taken.getLocalPort(), "--target", target, "--cafile", "ca.pem"),
                    "127.0.0.1:" + taken.getLocalPort() + ": Address already in use");
        }
        assertRefused(ctl("remove", "nothing-here"), "no endpoint [nothing-here]");
        assertRefused(ctl("frobnicate"), "unknown request 'frobnicate'");
        assertEquals("no endpoints\n", run("status", "--control", control.toString()).out());
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
        assertEquals("", Files.exists(state) ? Files.readString(state) : "", "nothing saved");
        CommandRun noDaemon = run("status", "--control", dir.resolve("none.sock").toString());
        assertEquals(ExitCodes.RUNTIME_FAILURE, noDaemon.code());
        assertTrue(noDaemon.err().contains("no eit-relay daemon answers on " + dir.resolve("none.sock")), noDaemon.err());
    }

    @Test
    void aRestartedDaemonBindsEveryEndpointOnItsOldPortAgain() throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int port = ExternalProcess.freePort();
            ports.add(port);
            assertEquals(0, ctl("add", "--name", "fs-" + i, "--listen", "127.0.0.1:" + port, "--target",
                    "127.0.0.1:" + serverPort, "--cafile", "ca.pem", "--check-host", TestPki.SERVER_NAME).code());
        }
        assertEquals(0, ctl("remove", "fs-1").code());
        daemon.process().destroyForcibly(); // a crash: no goodbye, the state file is all there is
        assertTrue(daemon.process().waitFor(10, TimeUnit.SECONDS));
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), ports.get(0)).close());

        daemon = startDaemon();
        assertTrue(daemon.output().contains("2 of 2 saved endpoints restored"), daemon.output());
        byte[] data = Transfer.rpcRecords(1024, 7);
        assertArrayEquals(data, Transfer.roundTrip(ports.get(0), data, List.of(100), 10));
        assertArrayEquals(data, Transfer.roundTrip(ports.get(2), data, List.of(100), 10));
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), ports.get(1)).close(),
                "a removed endpoint stays removed");
        String status = run("status", "--control", control.toString()).out();
        assertTrue(status.contains("[fs-0] 127.0.0.1:" + ports.get(0)) && status.contains("[fs-2] 127.0.0.1:" + ports.get(2))
                && !status.contains("fs-1"), status);
    }

    @Test
    void removingABusyEndpointIsAnsweredAtOnceAndItsConnectionEndsAfterTheGrace() throws Exception {
        int port = ExternalProcess.freePort();
        assertEquals(0, ctl("add", "--name", "fs-0", "--listen", "127.0.0.1:" + port, "--target",
                "127.0.0.1:" + serverPort, "--cafile", "ca.pem", "--check-host", TestPki.SERVER_NAME).code());
        byte[] call = Transfer.rpcRecords(200, 3);
        try (Socket open = new Socket(InetAddress.getLoopbackAddress(), port)) {
            open.setSoTimeout(10_000);
            open.getOutputStream().write(call);
            assertArrayEquals(call, open.getInputStream().readNBytes(call.length));

            CommandRun removed = ctl("remove", "fs-0");
            assertEquals(0, removed.code(), removed.toString());
            // The daemon answered (and so serves its next request) while the connection has its grace, not after.
            open.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, () -> open.getInputStream().read(), "open during the grace");
            assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
            open.setSoTimeout(10_000);
            assertTrue(Transfer.readsEnd(open.getInputStream()), "closed once the grace is over");
        }
        assertEquals("no endpoints\n", run("status", "--control", control.toString()).out());
    }

    @Test
    void itsMetricsShowEachEndpointsHealthFromItsProbes() throws Exception {
        int metrics = ExternalProcess.freePort();
        Path otherControl = dir.resolve("run/metrics.sock");
        ExternalProcess withMetrics = track(ExternalProcess.start(List.of(LauncherIT.LAUNCHER.toString(), "daemon",
                "--control", otherControl.toString(), "--state", dir.resolve("lib/metrics-endpoints").toString(),
                "--metrics-listen", "127.0.0.1:" + metrics, "--probe-interval", "1s"), dir.resolve("daemon-metrics.out")));
        assertTrue(withMetrics.awaitOutput("control socket " + otherControl, 20_000), withMetrics.output());
        int up = ExternalProcess.freePort();
        int down = ExternalProcess.freePort();
        for (String[] endpoint : new String[][] {{"fs-up", "127.0.0.1:" + up, "127.0.0.1:" + serverPort},
                {"fs-down", "127.0.0.1:" + down, "127.0.0.1:" + ExternalProcess.freePort()}}) {
            CommandRun added = run("ctl", "--control", otherControl.toString(), "add", "--name", endpoint[0], "--listen",
                    endpoint[1], "--target", endpoint[2], "--cafile", "ca.pem", "--check-host", TestPki.SERVER_NAME);
            assertEquals(0, added.code(), added.toString());
        }
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics + "/metrics")).build();
        String[] body = {""};
        assertTrue(Eventually.within(20_000, () -> {
            try {
                body[0] = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return body[0].contains("eitrelay_health{endpoint=\"fs-up\"} 1.0")
                    && body[0].contains("eitrelay_health{endpoint=\"fs-down\"} 0.0");
        }), body[0]);
        // Seconds of probing, yet no connection counted: the probes are the daemon's own.
        assertTrue(body[0].contains("eitrelay_connections_total{endpoint=\"fs-up\"} 0.0"), body[0]);
        assertTrue(withMetrics.awaitOutput("[fs-down] health check failed: no RPC reply through this endpoint (cannot "
                + "connect to target", 5_000), withMetrics.output());
        String health = run("status", "--control", otherControl.toString()).out();
        assertTrue(health.contains("health: FAILED") && !health.contains("last failure"), "probes are no traffic: " + health);

        // A user's connection that fails is what "last failure" shows, with the relay's reason.
        try (Socket user = new Socket(InetAddress.getLoopbackAddress(), down)) {
            user.setSoTimeout(10_000);
            assertTrue(Transfer.readsEnd(user.getInputStream()));
        }
        String status = run("status", "--control", otherControl.toString()).out();
        assertTrue(status.matches("(?s).*\\[fs-down\\].*  last failure: \\d+ s ago: cannot connect to target 127\\.0\\.0\\.1:\\d+ .*"),
                status);
        assertTrue(run("status", "--control", otherControl.toString(), "--json").out()
                .contains(",\"last_failure\":{\"seconds_ago\":"), "json too");
    }

    @Test
    void underSystemdItReportsReadyOnlyWithItsSavedEndpointsBoundAndItsControlSocketAnswering() throws Exception {
        int port = ExternalProcess.freePort();
        assertEquals(0, ctl("add", "--name", "fs-0", "--listen", "127.0.0.1:" + port, "--target",
                "127.0.0.1:" + serverPort, "--cafile", "ca.pem", "--check-host", TestPki.SERVER_NAME).code());
        daemon.process().destroyForcibly();
        assertTrue(daemon.process().waitFor(10, TimeUnit.SECONDS));

        // As systemd starts a Type=notify unit (packaging/eit-relay.service): $NOTIFY_SOCKET names its socket.
        Path notify = dir.resolve("systemd-notify");
        try (NotifyReceiver systemd = NotifyReceiver.bind(notify.toString())) {
            daemon = track(ExternalProcess.start(List.of(LauncherIT.LAUNCHER.toString(), "daemon", "--control",
                    control.toString(), "--state", state.toString()), dir.resolve("daemon-notify.out"),
                    Map.of(SystemdNotify.ENVIRONMENT, notify.toString())));
            String message = systemd.await(Duration.ofSeconds(30));
            assertEquals("READY=1\nSTATUS=1 endpoints, control socket " + control, message, daemon.output());
            // The moment systemd starts the mounts ordered after the unit, both are there.
            new Socket(InetAddress.getLoopbackAddress(), port).close();
            assertEquals(0, ctl("status").code());
            assertEquals(null, systemd.await(Duration.ofMillis(200)), "one readiness message");
        }
    }

    @Test
    void itsLogLevelChangesAtRunTimeWithoutARestart() throws Exception {
        int port = ExternalProcess.freePort();
        assertEquals(0, ctl("add", "--name", "fs-0", "--listen", "127.0.0.1:" + port, "--target",
                "127.0.0.1:" + serverPort, "--cafile", "ca.pem", "--check-host", TestPki.SERVER_NAME).code());
        byte[] data = Transfer.rpcRecords(64 * 1024, 3);
        assertArrayEquals(data, Transfer.roundTrip(port, data, List.of(8192), 10));
        assertTrue(daemon.awaitOutput("[fs-0] #", 5_000), daemon.output());
        assertFalse(daemon.output().contains("accepted from"), "no DEBUG lines at the default level: " + daemon.output());
        assertEquals("log level: info\n", ctl("log-level").out());

        CommandRun debug = ctl("log-level", "debug");
        assertEquals(0, debug.code(), debug.toString());
        assertEquals("log level: debug (was info)\n", debug.out());
        assertArrayEquals(data, Transfer.roundTrip(port, data, List.of(8192), 10));
        assertTrue(daemon.awaitOutput(" accepted from /127.0.0.1:", 5_000), daemon.output());
        assertTrue(daemon.output().contains("log level debug (was info), set by a control request"), daemon.output());

        assertRefused(ctl("log-level", "loud"), "unknown log level 'loud' (expected one of: error, warn, info, debug)");
        assertRefused(ctl("add", "--listen", "127.0.0.1:" + ExternalProcess.freePort(), "--target", "127.0.0.1:1",
                "--log-level", "debug"), "--log-level is set for the whole daemon");
        assertEquals(0, ctl("log-level", "warn").code());
        assertTrue(daemon.awaitOutput("log level warn (was debug)", 5_000), daemon.output());
        long linesBefore = daemon.output().lines().filter(l -> l.contains("[fs-0] #")).count();
        assertArrayEquals(data, Transfer.roundTrip(port, data, List.of(8192), 10));
        Thread.sleep(300);
        assertEquals(linesBefore, daemon.output().lines().filter(l -> l.contains("[fs-0] #")).count(),
                "no INFO connection lines at warn: " + daemon.output());
        assertEquals("log level: warn\n", ctl("log-level").out());
    }

    @Test
    void aBadLogLevelFlagIsRefusedNamingIt() throws Exception {
        CommandRun bad = run("daemon", "--control", dir.resolve("other.sock").toString(), "--log-level", "chatty");
        assertEquals(ExitCodes.CONFIG_ERROR, bad.code(), bad.toString());
        assertTrue(bad.err().contains("--log-level") && bad.err().contains("unknown log level 'chatty'"), bad.err());
    }

    private static void assertRefused(CommandRun result, String reason) {
        assertEquals(ExitCodes.CONFIG_ERROR, result.code(), result.toString());
        assertTrue(result.err().contains(reason), "expected '" + reason + "' in: " + result.err());
    }

    private ExternalProcess startDaemon() throws Exception {
        ExternalProcess started = track(ExternalProcess.start(List.of(LauncherIT.LAUNCHER.toString(), "daemon",
                "--control", control.toString(), "--state", state.toString()), dir.resolve("daemon-" + ++daemons + ".out()")));
        assertTrue(started.awaitOutput("control socket " + control, 20_000), started.output());
        return started;
    }

    private CommandRun ctl(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("ctl", "--control", control.toString()));
        all.addAll(List.of(args));
        return run(all.toArray(String[]::new));
    }

    /** bin/eit-relay with {@code args}, run from the caller's directory. */
    private CommandRun run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(LauncherIT.LAUNCHER.toString()));
        command.addAll(List.of(args));
        return CommandRun.run(dir, work, java.util.Map.of(), command);
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }
}
