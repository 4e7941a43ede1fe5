package io.eitrelay.core;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.Mode;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.tls.TlsConfigException;
import io.eitrelay.core.tls.TlsContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of a start: the provider (loading BoringSSL) and one context per endpoint (reading
 * every PEM file). It is most of a cold start's work and no listener needs it until its first
 * connection, so {@link Relay#start} runs it on its own thread while the listeners bind.
 */
final class TlsLoad {
    private static final Logger log = LoggerFactory.getLogger(TlsLoad.class);
    private static final String THREAD_NAME = "eit-relay-tls-load";

    final SslProvider provider;
    final List<SslContext> contexts;

    private TlsLoad(SslProvider provider, List<SslContext> contexts) {
        this.provider = provider;
        this.contexts = contexts;
    }

    /** Everything {@link #load} does, on a thread of its own; {@link #await} the result. */
    static CompletableFuture<TlsLoad> start(RelayConfig config) {
        CompletableFuture<TlsLoad> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(load(config));
            } catch (TlsConfigException | RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        }, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    static TlsLoad await(CompletableFuture<TlsLoad> pending) throws TlsConfigException {
        try {
            return pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TlsConfigException("interrupted while loading TLS material", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TlsConfigException tls) {
                throw tls;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw (Error) cause;
        }
    }

    static TlsLoad load(RelayConfig config) throws TlsConfigException {
        SslProvider provider = TlsContexts.selectProvider(config.runtime().provider());
        return new TlsLoad(provider, contexts(config, provider));
    }

    static List<SslContext> contexts(RelayConfig config, SslProvider provider) throws TlsConfigException {
        List<SslContext> contexts = new ArrayList<>();
        for (EndpointConfig endpoint : config.endpoints()) {
            if (!endpoint.tls().verifyPeer() && endpoint.mode() == Mode.CLIENT) {
                log.warn("[{}] server certificate verification is OFF: the connection to {} is encrypted "
                        + "but not authenticated, anyone on the path can intercept it", endpoint.name(), endpoint.target());
            }
            contexts.add(TlsContexts.forEndpoint(endpoint, provider));
            if (endpoint.tls().fipsApproved()) {
                // A policy in force, said as such: never as an error.
                log.info("[{}] {}", endpoint.name(), io.eitrelay.core.tls.FipsPolicy.describe(endpoint.tls().versions()));
            }
        }
        return contexts;
    }
}
