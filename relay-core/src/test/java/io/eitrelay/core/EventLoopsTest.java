package io.eitrelay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.testing.Configs;
import io.eitrelay.testing.EchoServer;
import io.eitrelay.testing.Eventually;
import io.eitrelay.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many mounts of one file system must not cost a thread each: endpoints relaying to the same storage
 * server share its event loop, another server gets its own, and stopping the relay ends them all.
 */
class EventLoopsTest {
    @TempDir
    Path dir;

    static long loopThreads(int targetPort) {
        String name = "eit-relay-127.0.0.1:" + targetPort;
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(name)).count();
    }

    @Test
    void endpointsToOneServerShareOneLoopAndStopEndsEveryLoop() throws Exception {
        TestPki pki = new TestPki(dir);
        try (EchoServer first = new EchoServer(); EchoServer second = new EchoServer()) {
            List<EndpointConfig> endpoints = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                EndpointConfig e = Configs.server(first.port(), pki.server());
                endpoints.add(new EndpointConfig("to-first-" + i, e.listen(), e.target(), e.mode(), e.tls(),
                        e.timeouts(), e.socket()));
            }
            EndpointConfig other = Configs.server(second.port(), pki.server());
            endpoints.add(new EndpointConfig("to-second", other.listen(), other.target(), other.mode(), other.tls(),
                    other.timeouts(), other.socket()));
            Relay relay = Relay.start(new RelayConfig(endpoints, new RuntimeOptions(TransportChoice.AUTO,
                    ProviderChoice.AUTO, Duration.ZERO)));
            try {
                assertEquals(21, relay.endpoints().size());
                assertEquals(1, loopThreads(first.port()), "20 endpoints to one server: one event loop thread");
                assertEquals(1, loopThreads(second.port()), "another server: its own loop");
            } finally {
                relay.stop(Duration.ZERO);
            }
            assertTrue(Eventually.within(5_000, () -> loopThreads(first.port()) + loopThreads(second.port()) == 0),
                    "every loop thread ends with the relay");
        }
    }
}
