package io.eitrelay.cli.daemon;

import io.eitrelay.core.EndpointListener;
import io.eitrelay.core.config.Mode;
import io.eitrelay.probe.nfs.NfsProbes;
import io.eitrelay.probe.rpc.RpcClient;
import io.eitrelay.probe.rpc.RpcException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's health probe: an ONC-RPC NULL call (RFC 5531 §12.1: procedure 0 of NFS) through each
 * client-mode endpoint, so the whole path is tested as the kernel uses it: our listener, the TLS
 * handshake, the server. Any RPC reply is healthy, a refusal of the version included (the endpoint does
 * not know which NFS version its mounts speak); a timeout, a refused or failed connection is not.
 * Endpoints in server mode or without RPC framing are not probed.
 */
public final class HealthChecks implements AutoCloseable {
    /** Probes run side by side, so a dead server does not delay the others' results. */
    private static final int PARALLEL_PROBES = 4;
    static final int PROBED_VERSION = 4;

    /** The last probe of one endpoint. */
    public record Health(boolean ok, Instant at, double millis, String detail) {
    }

    private final Map<String, Health> last = new ConcurrentHashMap<>();
    private final Duration timeout;
    private final ExecutorService probes = Executors.newFixedThreadPool(PARALLEL_PROBES, r -> {
        Thread thread = new Thread(r, "eit-relay-health");
        thread.setDaemon(true);
        return thread;
    });

    public HealthChecks(Duration timeout) {
        this.timeout = timeout;
    }

    /** Probes every endpoint that can be, waits for all of them (each bounded by the timeout). */
    public void probeAll(List<EndpointListener> endpoints) throws InterruptedException {
        List<Future<?>> running = endpoints.stream().filter(HealthChecks::probed)
                .<Future<?>>map(e -> probes.submit(() -> last.put(e.name(), probe(e.boundAddress(), timeout)))).toList();
        for (Future<?> future : running) {
            try {
                future.get(timeout.toMillis() * 2 + 1000, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                future.cancel(true);
            }
        }
        last.keySet().retainAll(endpoints.stream().map(EndpointListener::name).toList());
    }

    static boolean probed(EndpointListener endpoint) {
        return endpoint.config().mode() == Mode.CLIENT && endpoint.config().framing().enabled();
    }

    Health last(String name) {
        return last.get(name);
    }

    /** One NULL call through {@code address}; also how {@code eit-relay mount} waits for its endpoint. */
    public static Health probe(InetSocketAddress address, Duration timeout) {
        long start = System.nanoTime();
        try (RpcClient client = new RpcClient(address, (int) timeout.toMillis())) {
            String answer = NfsProbes.nullPing(client, NfsProbes.PROGRAM_NFS, PROBED_VERSION);
            return new Health(true, Instant.now(), (System.nanoTime() - start) / 1e6, answer);
        } catch (RpcException e) {
            return new Health(true, Instant.now(), (System.nanoTime() - start) / 1e6, "answered: " + e.getMessage());
        } catch (IOException e) {
            return new Health(false, Instant.now(), (System.nanoTime() - start) / 1e6,
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    @Override
    public void close() {
        probes.shutdownNow();
    }
}
