package io.eitrelay.core;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.metrics.NoMetrics;
import io.eitrelay.core.tls.TlsConfigException;
import io.eitrelay.core.tls.TlsContexts;
import io.eitrelay.core.transport.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running relay: one listener per endpoint. Start it with {@link #start}, stop it with {@link #stop}. */
public final class Relay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Relay.class);
    private static final long STOP_POLL_MILLIS = 20;

    private volatile RelayConfig config;
    private volatile TlsFileWatch fileWatch;
    private final Transport transport;
    private final SslProvider provider;
    /** Copy-on-write: endpoints come and go at run time ({@link #add}, {@link #remove}), readers never lock. */
    private final List<EndpointListener> listeners;
    private final EventLoops loops;
    private final MeterRegistry registry;
    private boolean stopped;

    private Relay(RelayConfig config, Transport transport, SslProvider provider, List<EndpointListener> listeners,
                  EventLoops loops, MeterRegistry registry) {
        this.loops = loops;
        this.config = config;
        this.transport = transport;
        this.provider = provider;
        this.listeners = new CopyOnWriteArrayList<>(listeners);
        this.registry = registry;
    }

    /**
     * Binds every listener and loads every certificate and key; returns once every listener accepts.
     * On any failure nothing stays bound and the exception says which endpoint and why.
     */
    public static Relay start(RelayConfig config) throws TlsConfigException, RelayStartException {
        return start(config, NoMetrics.registry(), ListenSockets.bind(config));
    }

    /** As {@link #start(RelayConfig)}, on listeners {@link ListenSockets#bind} bound already (see below). */
    public static Relay start(RelayConfig config, ListenSockets sockets) throws TlsConfigException, RelayStartException {
        return start(config, NoMetrics.registry(), sockets);
    }

    /** As {@link #start(RelayConfig)}, publishing meters ({@link io.eitrelay.core.metrics.MeterNames}) to {@code registry}. */
    public static Relay start(RelayConfig config, MeterRegistry registry) throws TlsConfigException, RelayStartException {
        return start(config, registry, ListenSockets.bind(config));
    }

    /**
     * As {@link #start(RelayConfig, MeterRegistry)}, with the listeners {@code sockets} bound already
     * (called first thing by a drop-in process, before anything else loads). Listen first: mount helpers
     * probe the port right after launching the relay (efs-utils: 5 times, 50 ms apart), and a listening
     * socket completes handshakes from its backlog before anything accepts them. So the listeners are
     * bound first, the TLS material loads on another thread while the event loops start, and the
     * listeners accept once it has; connections made meanwhile wait in the backlog, none is refused. A
     * certificate error is reported before a bind error, as stunnel, which loads them first, does.
     * The sockets are this method's from now on: whatever fails, none stays open.
     */
    public static Relay start(RelayConfig config, MeterRegistry registry, ListenSockets sockets)
            throws TlsConfigException, RelayStartException {
        List<EndpointListener> listeners = new ArrayList<>();
        EventLoops loops = null;
        boolean started = false;
        try {
            CompletableFuture<TlsLoad> pendingTls = TlsLoad.start(config);
            Transport transport = Transport.select(config.runtime().transport());
            loops = new EventLoops(transport);
            RelayStartException bindFailure = sockets.failure();
            for (int i = 0; bindFailure == null && i < config.endpoints().size(); i++) {
                EndpointConfig endpointConfig = config.endpoints().get(i);
                EndpointListener listener = new EndpointListener(endpointConfig, transport,
                        loops.forTarget(endpointConfig.target()), registry);
                try {
                    listener.bind(sockets.take(i));
                } catch (RelayStartException e) {
                    bindFailure = e;
                    break;
                }
                listeners.add(listener);
            }
            TlsLoad tls = TlsLoad.await(pendingTls);
            if (bindFailure != null) {
                throw bindFailure;
            }
            log.info("eit-relay: transport {}, TLS provider {}", transport.displayName(), TlsContexts.describe(tls.provider));
            for (int i = 0; i < listeners.size(); i++) {
                EndpointListener listener = listeners.get(i);
                listener.startAccepting(tls.contexts.get(i));
                logListening(listener);
            }
            Relay relay = new Relay(config, transport, tls.provider, listeners, loops, registry);
            relay.fileWatch = TlsFileWatch.start(relay, config.runtime().tlsFileCheck());
            started = true;
            return relay;
        } finally {
            // Whatever failed (an Error too: BoringSSL forced but not loadable), nothing stays bound.
            sockets.close();
            if (!started) {
                for (EndpointListener listener : listeners) {
                    listener.stopAccepting().awaitUninterruptibly();
                }
                if (loops != null) {
                    loops.shutdown();
                }
            }
        }
    }

    private static void logListening(EndpointListener listener) {
        EndpointConfig endpoint = listener.config();
        log.info("[{}] listening on {} -> {} ({} mode)", endpoint.name(),
                RelayStartException.format(listener.boundAddress()), endpoint.target(),
                endpoint.mode().name().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * Adds an endpoint to the running relay: loads its TLS material, binds, accepts; returns once it
     * accepts. On failure nothing of it stays bound and the running endpoints are untouched. Its name
     * must be new.
     */
    public EndpointListener add(EndpointConfig endpoint) throws TlsConfigException, RelayStartException {
        EndpointListener listener = addListener(endpoint);
        fileWatch.reloaded(config);
        return listener;
    }

    private synchronized EndpointListener addListener(EndpointConfig endpoint) throws TlsConfigException, RelayStartException {
        if (stopped) {
            throw new IllegalStateException("the relay is stopping");
        }
        if (listeners.stream().anyMatch(l -> l.name().equals(endpoint.name()))) {
            throw new IllegalArgumentException("endpoint [" + endpoint.name() + "] exists already");
        }
        List<EndpointConfig> endpoints = new ArrayList<>(config.endpoints());
        endpoints.add(endpoint);
        RelayConfig next = new RelayConfig(endpoints, config.runtime());
        SslContext context = TlsLoad.contexts(new RelayConfig(List.of(endpoint), config.runtime()), provider).get(0);
        EndpointListener listener = new EndpointListener(endpoint, transport, loops.forTarget(endpoint.target()), registry);
        boolean accepting = false;
        try {
            listener.bind(null);
            listener.startAccepting(context);
            accepting = true;
        } finally {
            if (!accepting) {
                listener.stopAccepting().awaitUninterruptibly();
                listener.stats().unregister();
                releaseLoopIfUnused(endpoint.target());
            }
        }
        listeners.add(listener);
        config = next;
        logListening(listener);
        return listener;
    }

    /**
     * Removes the endpoint {@code name}: before this returns it stops accepting (its port is free again)
     * and its meters go (its name may come back with new ones). Its open connections may finish for at
     * most {@code grace}, then what is left is closed; that wait runs on a thread of its own, so a caller
     * serving other requests (the daemon) is not held up by one removal. False if there is none.
     */
    public boolean remove(String name, Duration grace) {
        EndpointListener listener = removeListener(name);
        if (listener == null) {
            return false;
        }
        fileWatch.reloaded(config);
        Thread closing = new Thread(() -> closeRemoved(listener, grace), "eit-relay-remove-" + name);
        closing.setDaemon(true);
        closing.start();
        return true;
    }

    private void closeRemoved(EndpointListener listener, Duration grace) {
        awaitClosed(List.of(listener), grace);
        listener.closeConnections();
        releaseLoopIfUnused(listener.config().target());
        log.info("[{}] removed", listener.name());
    }

    /** Under the relay's lock, as {@link #addListener}: an add for the same target waits, then starts a new loop. */
    private synchronized void releaseLoopIfUnused(HostPort target) {
        if (!stopped && listeners.stream().noneMatch(l -> loops.sameLoop(l.config().target(), target))) {
            loops.release(target);
        }
    }

    private synchronized EndpointListener removeListener(String name) {
        EndpointListener listener = listeners.stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
        if (listener == null || stopped) {
            return null;
        }
        listener.stopAccepting().awaitUninterruptibly();
        // Now, under the lock an add takes: meters are found by the endpoint's name, and an endpoint of the
        // same name added during the grace must keep its own.
        listener.stats().unregister();
        listeners.remove(listener);
        config = new RelayConfig(config.endpoints().stream().filter(e -> !e.name().equals(name)).toList(), config.runtime());
        return listener;
    }

    private static void awaitClosed(List<EndpointListener> closing, Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline && closing.stream().anyMatch(l -> l.openChannels() > 0)) {
            try {
                TimeUnit.MILLISECONDS.sleep(STOP_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /** Validates a config as {@link #start} would, without binding anything ({@code --check}). */
    public static void check(RelayConfig config) throws TlsConfigException {
        TlsLoad.load(config);
    }

    /**
     * Applies a new configuration to new connections (SIGHUP): every certificate, key and CA file is
     * loaded again, so rotated files take effect. All or nothing: if anything fails, the running
     * configuration stays as it was. Endpoints are matched by name and must keep their listen address;
     * adding, removing or moving a listener needs a restart.
     */
    public void reload(RelayConfig newConfig) throws TlsConfigException {
        // Not under this object's lock: the file watch calls in holding its own lock (one lock order).
        reloadFiles(newConfig);
        fileWatch.reloaded(newConfig);
    }

    /** {@link #reload} without telling the file watch (which calls this itself). */
    synchronized void reloadFiles(RelayConfig newConfig) throws TlsConfigException {
        if (newConfig.endpoints().size() != listeners.size()) {
            throw new IllegalArgumentException("the number of endpoints changed (" + listeners.size() + " -> "
                    + newConfig.endpoints().size() + "); restart to apply");
        }
        List<EndpointListener> targets = new ArrayList<>();
        for (EndpointConfig endpoint : newConfig.endpoints()) {
            EndpointListener listener = listeners.stream().filter(l -> l.name().equals(endpoint.name())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("endpoint [" + endpoint.name()
                            + "] is new; restart to add it"));
            if (!listener.config().listen().equals(endpoint.listen())) {
                throw new IllegalArgumentException("endpoint [" + endpoint.name() + "] moved from "
                        + RelayStartException.format(listener.config().listen()) + " to "
                        + RelayStartException.format(endpoint.listen()) + "; restart to apply");
            }
            targets.add(listener);
        }
        List<SslContext> contexts = TlsLoad.contexts(newConfig, provider);
        for (int i = 0; i < targets.size(); i++) {
            targets.get(i).update(newConfig.endpoints().get(i), contexts.get(i));
        }
        config = newConfig;
        log.info("eit-relay: configuration reloaded; new connections use it, open ones keep theirs");
    }

    /** The configuration new connections get (the last one loaded). */
    public RelayConfig config() {
        return config;
    }

    /** Logs expiry warnings due since the certificates were loaded (the gauge moves by itself). */
    void recheckOwnCertificates() {
        listeners.forEach(EndpointListener::recheckOwnCertificate);
    }

    /** The endpoints now (a snapshot). */
    public List<EndpointListener> endpoints() {
        return List.copyOf(listeners);
    }

    public Transport transport() {
        return transport;
    }

    public String tlsProvider() {
        return TlsContexts.describe(provider);
    }

    /**
     * Graceful stop: stop accepting, let open connections finish for at most {@code grace}, then close
     * whatever is left and stop the event loops.
     */
    public synchronized void stop(Duration grace) {
        if (stopped) {
            return;
        }
        stopped = true;
        fileWatch.close();
        for (EndpointListener listener : listeners) {
            listener.stopAccepting().awaitUninterruptibly();
        }
        awaitClosed(listeners, grace);
        for (EndpointListener listener : listeners) {
            listener.closeConnections();
        }
        loops.shutdown();
        log.info("eit-relay: stopped");
    }

    @Override
    public void close() {
        stop(config.runtime().shutdownGrace());
    }
}
