package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.RecordFraming;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.ExternalProcess;
import io.eitrelay.testing.Ganesha;
import io.eitrelay.testing.TestPki;
import io.eitrelay.testing.Transfer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real NFS through the tunnel: Debian's libnfs client (nfs-ls, nfs-cat, nfs-cp) -> relay client ->
 * TLS -> relay server -> Debian's nfs-ganesha (NFSv4, userspace, on loopback). Record framing is on at
 * both relays, so every call and reply is checked and counted.
 */
class NfsGaneshaIT {
    @TempDir
    Path dir;
    Ganesha ganesha;
    final List<Relay> relays = new ArrayList<>();
    Path export;
    int relayPort;
    Relay client;
    final io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

    @BeforeEach
    void setUp() throws Exception {
        ExternalProcess.require("nfs-ls", "libnfs-utils");
        ganesha = Ganesha.start(dir, false, export -> {
            Files.writeString(export.resolve("hello.txt"), "hello through the relay\n");
            Files.write(export.resolve("big.bin"), Transfer.random(8 << 20, 77));
        });
        export = ganesha.export();
        TestPki pki = new TestPki(dir);
        RecordFraming framing = RecordFraming.on(RecordFraming.DEFAULT_MAX_RECORD);
        Relay server = Relay.start(Configs.relay(Configs.server(ganesha.nfsPort(), pki.server()).withFraming(framing),
                TransportChoice.AUTO, ProviderChoice.AUTO));
        relays.add(server);
        EndpointConfig clientConfig = Configs.client(server.endpoints().get(0).boundAddress().getPort(), pki.caFile());
        client = Relay.start(Configs.relay(clientConfig.withFraming(framing), TransportChoice.AUTO, ProviderChoice.AUTO),
                registry);
        relays.add(client);
        relayPort = client.endpoints().get(0).boundAddress().getPort();
    }

    @AfterEach
    void tearDown() {
        for (Relay relay : relays) {
            relay.stop(Duration.ZERO);
        }
        if (ganesha != null) {
            ganesha.close();
        }
    }

    String url(String path) {
        return "nfs://127.0.0.1/export" + path + "?version=4&nfsport=" + relayPort;
    }

    static String run(long seconds, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    @Test
    void libnfsListsReadsAndCopiesThroughTheTunnel() throws Exception {
        String listing = run(60, "nfs-ls", url(""));
        assertTrue(listing.contains("hello.txt") && listing.contains("big.bin"), listing);
        assertEquals("hello through the relay\n", run(60, "nfs-cat", url("/hello.txt")));

        Path copy = dir.resolve("big.copy");
        run(120, "nfs-cp", url("/big.bin"), copy.toString());
        assertArrayEquals(Files.readAllBytes(export.resolve("big.bin")), Files.readAllBytes(copy),
                "8 MiB read over NFSv4 through both relays, byte for byte");

        EndpointStats stats = client.endpoints().get(0).stats();
        assertTrue(stats.recordsToTarget() > 10, "RPC calls counted: " + stats.recordsToTarget());
        assertEquals(stats.recordsToTarget(), stats.recordsFromTarget(), "one reply per call");
        assertEquals(0, stats.framingErrors());
        assertEquals("TLSv1.3", stats.lastTlsProtocol());
        // Every NFSv4 call is timed to its reply, each COMPOUND under its main operation.
        io.micrometer.core.instrument.Timer reads = registry.find(io.eitrelay.core.metrics.MeterNames.RPC_CALLS)
                .tags("program", "NFS", "version", "4", "procedure", "READ").timer();
        assertTrue(reads != null && reads.count() >= 8, "8 MiB read in READ operations: " + registry.getMetersAsString());
        assertTrue(registry.find(io.eitrelay.core.metrics.MeterNames.RPC_CALLS).tags("procedure", "COMPOUND").timers().isEmpty(),
                "every COMPOUND of a real client is named by its operation: " + registry.getMetersAsString());
        long timed = registry.find(io.eitrelay.core.metrics.MeterNames.RPC_CALLS).timers().stream()
                .mapToLong(io.micrometer.core.instrument.Timer::count).sum();
        assertEquals(stats.recordsToTarget(), timed, "every call matched to its reply by xid");
    }
}
