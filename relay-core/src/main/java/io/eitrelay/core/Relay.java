package io.eitrelay.core;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.tls.TlsConfigException;
import io.eitrelay.core.tls.TlsContexts;
import io.eitrelay.core.transport.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
    private final List<EndpointListener> listeners;
    private final EventLoops loops;
    private boolean stopped;

    private Relay(RelayConfig config, Transport transport, SslProvider provider, List<EndpointListener> listeners,
                  EventLoops loops) {
        this.loops = loops;
        this.config = config;
        this.transport = transport;
        this.provider = provider;
        this.listeners = List.copyOf(listeners);
    }

    /**
     * Binds every listener and loads every certificate and key; returns once every listener accepts.
     * On any failure nothing stays bound and the exception says which endpoint and why.
     */
    public static Relay start(RelayConfig config) throws TlsConfigException, RelayStartException {
        return start(config, new CompositeMeterRegistry());
    }

    /**
     * As {@link #start(RelayConfig)}, publishing meters ({@link io.eitrelay.core.metrics.MeterNames}) to {@code registry}.
     * Listen first: mount helpers probe the port right after launching the relay (efs-utils: 5 times,
     * 50 ms apart), and a listening socket completes handshakes from its backlog before anything
     * accepts them. So the listeners bind while the TLS material loads on another thread, and start
     * accepting once it has; connections made meanwhile wait in the backlog, none is refused. A
     * certificate error is reported before a bind error, as stunnel, which loads them first, does.
     */
    public static Relay start(RelayConfig config, MeterRegistry registry) throws TlsConfigException, RelayStartException {
        CompletableFuture<TlsLoad> pendingTls = TlsLoad.start(config);
        Transport transport = Transport.select(config.runtime().transport());
        List<EndpointListener> listeners = new ArrayList<>();
        EventLoops loops = new EventLoops(transport);
        boolean started = false;
        try {
            RelayStartException bindFailure = null;
            for (EndpointConfig endpointConfig : config.endpoints()) {
                EndpointListener listener = new EndpointListener(endpointConfig, transport,
                        loops.forTarget(endpointConfig.target()), registry);
                try {
                    listener.bind();
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
                EndpointConfig endpoint = listener.config();
                log.info("[{}] listening on {} -> {} ({} mode)", endpoint.name(),
                        RelayStartException.format(listener.boundAddress()), endpoint.target(),
                        endpoint.mode().name().toLowerCase(java.util.Locale.ROOT));
            }
            Relay relay = new Relay(config, transport, tls.provider, listeners, loops);
            relay.fileWatch = TlsFileWatch.start(relay, config.runtime().tlsFileCheck());
            started = true;
            return relay;
        } finally {
            // Whatever failed (an Error too: BoringSSL forced but not loadable), nothing stays bound.
            if (!started) {
                for (EndpointListener listener : listeners) {
                    listener.stopAccepting().awaitUninterruptibly();
                }
                loops.shutdown();
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

    public List<EndpointListener> endpoints() {
        return listeners;
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
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline && listeners.stream().anyMatch(l -> l.openChannels() > 0)) {
            try {
                TimeUnit.MILLISECONDS.sleep(STOP_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
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
