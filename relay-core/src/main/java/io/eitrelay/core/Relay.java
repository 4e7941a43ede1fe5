package io.eitrelay.core;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.Mode;
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
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running relay: one listener per endpoint. Start it with {@link #start}, stop it with {@link #stop}. */
public final class Relay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Relay.class);
    private static final long STOP_POLL_MILLIS = 20;

    private final RelayConfig config;
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
     * Loads every certificate and key, then binds every listener. On any failure nothing stays bound
     * and the exception says which endpoint and why.
     */
    public static Relay start(RelayConfig config) throws TlsConfigException, RelayStartException {
        return start(config, new CompositeMeterRegistry());
    }

    /** As {@link #start(RelayConfig)}, publishing meters ({@link io.eitrelay.core.metrics.MeterNames}) to {@code registry}. */
    public static Relay start(RelayConfig config, MeterRegistry registry) throws TlsConfigException, RelayStartException {
        Transport transport = Transport.select(config.runtime().transport());
        SslProvider provider = TlsContexts.selectProvider(config.runtime().provider());
        log.info("eit-relay: transport {}, TLS provider {}", transport.displayName(), TlsContexts.describe(provider));
        List<SslContext> contexts = contexts(config, provider);
        List<EndpointListener> listeners = new ArrayList<>();
        EventLoops loops = new EventLoops(transport);
        try {
            for (int i = 0; i < config.endpoints().size(); i++) {
                EndpointConfig endpointConfig = config.endpoints().get(i);
                EndpointListener listener = new EndpointListener(endpointConfig, transport,
                        loops.forTarget(endpointConfig.target()), contexts.get(i), registry);
                listeners.add(listener);
                listener.observeOwnCertificate(listener.config());
                listener.bind();
                EndpointConfig endpoint = listener.config();
                log.info("[{}] listening on {} -> {} ({} mode)", endpoint.name(),
                        RelayStartException.format(listener.boundAddress()), endpoint.target(),
                        endpoint.mode().name().toLowerCase(java.util.Locale.ROOT));
            }
        } catch (RelayStartException | TlsConfigException e) {
            for (EndpointListener listener : listeners) {
                listener.stopAccepting().awaitUninterruptibly();
            }
            loops.shutdown();
            throw e;
        }
        return new Relay(config, transport, provider, listeners, loops);
    }

    /** Validates a config as {@link #start} would, without binding anything ({@code --check}). */
    public static void check(RelayConfig config) throws TlsConfigException {
        contexts(config, TlsContexts.selectProvider(config.runtime().provider()));
    }

    private static List<SslContext> contexts(RelayConfig config, SslProvider provider) throws TlsConfigException {
        List<SslContext> contexts = new ArrayList<>();
        for (EndpointConfig endpoint : config.endpoints()) {
            if (!endpoint.tls().verifyPeer() && endpoint.mode() == Mode.CLIENT) {
                log.warn("[{}] server certificate verification is OFF: the connection to {} is encrypted "
                        + "but not authenticated, anyone on the path can intercept it", endpoint.name(), endpoint.target());
            }
            contexts.add(TlsContexts.forEndpoint(endpoint, provider));
        }
        return contexts;
    }

    /**
     * Applies a new configuration to new connections (SIGHUP): every certificate, key and CA file is
     * loaded again, so rotated files take effect. All or nothing: if anything fails, the running
     * configuration stays as it was. Endpoints are matched by name and must keep their listen address;
     * adding, removing or moving a listener needs a restart.
     */
    public synchronized void reload(RelayConfig newConfig) throws TlsConfigException {
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
        List<SslContext> contexts = contexts(newConfig, provider);
        for (int i = 0; i < targets.size(); i++) {
            targets.get(i).update(newConfig.endpoints().get(i), contexts.get(i));
        }
        log.info("eit-relay: configuration reloaded; new connections use it, open ones keep theirs");
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
