package io.eitrelay.cli.daemon;

import io.eitrelay.core.EndpointListener;
import io.eitrelay.core.config.Mode;
import io.eitrelay.core.metrics.MeterNames;
import io.eitrelay.probe.nfs.NfsProbes;
import io.eitrelay.probe.rpc.RpcClient;
import io.eitrelay.probe.rpc.RpcException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health probe of the daemon (and of the standalone relay with {@code --probe-interval}): an ONC-RPC NULL call (RFC 5531 §12.1: procedure 0 of NFS) through each
 * client-mode endpoint, so the whole path is tested as the kernel uses it: our listener, the TLS
 * handshake, the server. Any RPC reply is healthy, a refusal of the version included (the endpoint does
 * not know which NFS version its mounts speak); a timeout, a refused or failed connection is not.
 * Endpoints in server mode or without RPC framing are not probed. A probe's connection is the relay's
 * own, not its users' traffic: the endpoint does not count it and logs it at DEBUG only; what the relay
 * logs is a change of result, once.
 */
public final class HealthChecks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthChecks.class);
    private static final InetAddress LOOPBACK_4 = loopback("127.0.0.1");
    private static final InetAddress LOOPBACK_6 = loopback("::1");
    /** How long one probe waits for its reply. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Probes run side by side, so a dead server does not delay the others' results. */
    private static final int PARALLEL_PROBES = 4;
    static final int PROBED_VERSION = 4;

    /** The last probe of one endpoint. */
    public record Health(boolean ok, Instant at, double millis, String detail) {
    }

    private final Map<String, Health> last = new ConcurrentHashMap<>();
    /** The value of each endpoint's {@link MeterNames#HEALTH} gauge (held here: gauges keep no strong reference). */
    private final Map<String, AtomicInteger> gauges = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Duration timeout;
    private final ExecutorService probes = Executors.newFixedThreadPool(PARALLEL_PROBES, r -> {
        Thread thread = new Thread(r, "eit-relay-health");
        thread.setDaemon(true);
        return thread;
    });

    private static InetAddress loopback(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no name lookup
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Publishes {@link MeterNames#HEALTH} to {@code registry} (the process's; a no-op one without --metrics-listen). */
    public HealthChecks(Duration timeout, MeterRegistry registry) {
        this.timeout = timeout;
        this.registry = registry;
    }

    /** Probes every endpoint that can be, waits for all of them (each bounded by the timeout). */
    public void probeAll(List<EndpointListener> endpoints) throws InterruptedException {
        List<Future<?>> running = endpoints.stream().filter(HealthChecks::probed)
                .<Future<?>>map(e -> probes.submit(() -> record(e.name(), probe(e, timeout)))).toList();
        for (Future<?> future : running) {
            try {
                future.get(timeout.toMillis() * 2 + 1000, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                future.cancel(true);
            }
        }
        List<String> names = endpoints.stream().map(EndpointListener::name).toList();
        last.keySet().retainAll(names);
        gauges.keySet().retainAll(names);
    }

    /**
     * Probes {@code endpoints} now and then every {@code interval} on {@code timers}, until they shut down.
     * A round that fails is logged and the next one runs anyway (an exception would cancel the schedule).
     */
    public void schedule(ScheduledExecutorService timers, Duration interval, Supplier<List<EndpointListener>> endpoints) {
        timers.scheduleWithFixedDelay(() -> {
            try {
                probeAll(endpoints.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.error("health probe round failed", e);
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Keeps the result for status, and logs it only when it changes (a first probe that fails counts as
     * a change): the probe's own connections log at DEBUG, so this is the one line a broken path gets.
     */
    private void record(String name, Health health) {
        Health previous = last.put(name, health);
        AtomicInteger up = gauges.computeIfAbsent(name, n -> new AtomicInteger());
        up.set(health.ok() ? 1 : 0);
        // Every time: a removed endpoint's meters leave the registry with it (EndpointStats#unregister), and
        // one added again under its name needs the gauge back; registering an existing one returns it.
        Gauge.builder(MeterNames.HEALTH, up, AtomicInteger::get).tag(MeterNames.TAG_ENDPOINT, name).strongReference(true)
                .register(registry);
        boolean wasOk = previous == null || previous.ok();
        if (wasOk && !health.ok()) {
            log.warn("[{}] health check failed: no RPC reply through this endpoint ({}); probed again every interval",
                    name, health.detail());
        } else if (!wasOk && health.ok()) {
            log.info("[{}] health check passes again: {}", name, health.detail());
        }
    }

    /**
     * One NULL call through an endpoint of this relay, from a source address the endpoint knows as its
     * probe's (not counted as its traffic, see {@link EndpointListener#probeStarting}).
     */
    static Health probe(EndpointListener endpoint, Duration timeout) {
        InetSocketAddress target = endpoint.boundAddress();
        if (target.getAddress().isAnyLocalAddress()) {
            // The source must be known before connecting: an address the kernel would pick is not.
            target = new InetSocketAddress(target.getAddress() instanceof Inet6Address ? LOOPBACK_6 : LOOPBACK_4,
                    target.getPort());
        }
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(target.getAddress(), 0));
        } catch (IOException e) {
            closeQuietly(socket);
            return new Health(false, Instant.now(), 0, "cannot bind a probe socket: " + e.getMessage());
        }
        SocketAddress source = socket.getLocalSocketAddress();
        endpoint.probeStarting(source);
        Health health = probe(socket, target, timeout);
        java.util.Optional<String> relayReason = endpoint.probeEnded(source);
        // The client only sees a reset or an end of stream; the relay knows why (refused, TLS, timeout).
        return health.ok() || relayReason.isEmpty() ? health
                : new Health(false, health.at(), health.millis(), relayReason.get());
    }

    static boolean probed(EndpointListener endpoint) {
        return endpoint.config().mode() == Mode.CLIENT && endpoint.config().framing().enabled();
    }

    Health last(String name) {
        return last.get(name);
    }

    /** One NULL call through {@code address}; also how {@code eit-relay mount} waits for its endpoint. */
    public static Health probe(InetSocketAddress address, Duration timeout) {
        return probe(new Socket(), address, timeout);
    }

    private static Health probe(Socket socket, InetSocketAddress address, Duration timeout) {
        long start = System.nanoTime();
        try (RpcClient client = new RpcClient(socket, address, (int) timeout.toMillis())) {
            String answer = NfsProbes.nullPing(client, NfsProbes.PROGRAM_NFS, PROBED_VERSION);
            return new Health(true, Instant.now(), (System.nanoTime() - start) / 1e6, answer);
        } catch (RpcException e) {
            return new Health(true, Instant.now(), (System.nanoTime() - start) / 1e6, "answered: " + e.getMessage());
        } catch (IOException e) {
            return new Health(false, Instant.now(), (System.nanoTime() - start) / 1e6,
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // never connected: nothing to release but the descriptor, which close frees either way
        }
    }

    @Override
    public void close() {
        probes.shutdownNow();
    }
}
