package io.eitrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.testing.ExternalProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/eit-relay as a user runs it, after {@code mvn package}. */
class LauncherIT {
    static final Path LAUNCHER = Path.of(System.getProperty("eitrelay.repo", "..")).resolve("bin/eit-relay").toAbsolutePath();

    @TempDir
    Path dir;

    ExternalProcess launch(String name, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        return ExternalProcess.start(command, dir.resolve(name + ".out"));
    }

    @Test
    void demoRunsOnAFreshCheckout() throws Exception {
        try (ExternalProcess demo = launch("demo", "demo", "--size-mib", "16")) {
            assertTrue(demo.process().waitFor(120, TimeUnit.SECONDS), demo.output());
            assertEquals(0, demo.process().exitValue(), demo.output());
            assertTrue(demo.output().contains("SHA-256 of data sent and data received identical"), demo.output());
        }
    }

    @Test
    void relayKeepsTheLauncherPidBindsIpv4AndStopsCleanlyOnSigterm() throws Exception {
        int port = ExternalProcess.freePort();
        try (ExternalProcess relay = launch("run", "--listen", "127.0.0.1:" + port, "--target", "127.0.0.1:9")) {
            relay.awaitListening(port, 20_000);
            long pid = relay.process().pid();
            // exec: the pid the caller got is the JVM itself, not a shell waiting for it.
            assertTrue(Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString().contains("java"));
            String tcp = Files.readString(Path.of("/proc/" + pid + "/net/tcp"), StandardCharsets.US_ASCII);
            assertTrue(tcp.contains(String.format(":%04X 00000000:0000 0A", port)),
                    "an IPv4 listening socket (not [::ffff:127.0.0.1]) on " + port);
            new ProcessBuilder("kill", "-TERM", Long.toString(pid)).start().waitFor();
            assertTrue(relay.process().waitFor(20, TimeUnit.SECONDS), relay.output());
            assertEquals(0, relay.process().exitValue(), relay.output());
            assertTrue(relay.output().contains("eit-relay: stopped"), relay.output());
        }
    }

    @Test
    void addressInUseExitsOneSayingSo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            try (ExternalProcess relay = launch("busy", "--listen", "127.0.0.1:" + taken.getLocalPort(),
                    "--target", "127.0.0.1:9")) {
                assertTrue(relay.process().waitFor(20, TimeUnit.SECONDS), relay.output());
                assertEquals(1, relay.process().exitValue(), relay.output());
                assertTrue(relay.output().contains("127.0.0.1:" + taken.getLocalPort() + ": Address already in use"),
                        relay.output());
            }
        }
    }

    @Test
    void heapExhaustionEndsTheProcessInsteadOfLeavingConnectionsHanging() throws Exception {
        // A 16 MB heap (EIT_RELAY_JAVA_OPTS wins over the launcher's 64 MB) and a target that never answers
        // the TLS handshake: every connection holds its state until the heap runs out. The process must then
        // exit, so a watchdog restarts it, not stay up with connections nobody serves.
        int port = ExternalProcess.freePort();
        List<Socket> clients = new ArrayList<>();
        try (ServerSocket silentTarget = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
             ExternalProcess relay = ExternalProcess.start(List.of(LAUNCHER.toString(), "--listen", "127.0.0.1:" + port,
                             "--target", "127.0.0.1:" + silentTarget.getLocalPort(), "--handshake-timeout", "120s"),
                     dir.resolve("oom.out"), Map.of("EIT_RELAY_JAVA_OPTS", "-Xmx16m"))) {
            relay.awaitListening(port, 20_000);
            byte[] call = new byte[44];
            call[0] = (byte) 0x80; // RPC record mark: last fragment, 40 bytes
            call[3] = 40;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (relay.process().isAlive() && clients.size() < 8_000 && System.nanoTime() < deadline) {
                try {
                    Socket client = new Socket();
                    clients.add(client);
                    client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
                    client.getOutputStream().write(call);
                } catch (IOException refusedOrReset) {
                    Thread.sleep(10); // the relay is going down, or its backlog is full for a moment
                }
            }
            assertTrue(relay.process().waitFor(30, TimeUnit.SECONDS),
                    "still running with " + clients.size() + " connections: " + relay.output());
            assertEquals(3, relay.process().exitValue(), relay.output());
            assertTrue(relay.output().contains("Terminating due to java.lang.OutOfMemoryError"), relay.output());
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    @Test
    void leakDetectionStaysOnSampledRarelyAndTheUsersOptionsWin() throws Exception {
        // The launcher's JVM properties as the JVM took them (-XshowSettings prints them, then --version runs).
        String defaults = properties("defaults", "");
        assertTrue(defaults.contains("io.netty.leakDetection.samplingInterval = 4096"), defaults);
        assertFalse(defaults.contains("io.netty.leakDetection.level"), "leak detection not turned off: " + defaults);
        assertTrue(defaults.contains("io.netty.allocator.lowMemory = false"), defaults);
        // EIT_RELAY_JAVA_OPTS wins, e.g. to record every allocation while chasing a leak.
        String everyAllocation = properties("every-allocation", "-Dio.netty.leakDetection.samplingInterval=1");
        assertTrue(everyAllocation.contains("io.netty.leakDetection.samplingInterval = 1\n"), everyAllocation);
    }

    private String properties(String name, String javaOpts) throws Exception {
        try (ExternalProcess relay = ExternalProcess.start(List.of(LAUNCHER.toString(), "--version"), dir.resolve(name + ".out"),
                Map.of("EIT_RELAY_JAVA_OPTS", "-XshowSettings:properties " + javaOpts))) {
            assertTrue(relay.process().waitFor(60, TimeUnit.SECONDS), relay.output());
            assertEquals(0, relay.process().exitValue(), relay.output());
            assertTrue(relay.output().contains("eit-relay "), relay.output());
            return relay.output();
        }
    }

    @Test
    void badFlagExitsTwo() throws Exception {
        try (ExternalProcess relay = launch("bad", "--listen", "127.0.0.1:1", "--target", "x:2049", "--tls-version", "1.0")) {
            assertTrue(relay.process().waitFor(20, TimeUnit.SECONDS));
            assertEquals(2, relay.process().exitValue(), relay.output());
            assertTrue(relay.output().contains("TLS 1.0 is refused"), relay.output());
        }
    }
}
