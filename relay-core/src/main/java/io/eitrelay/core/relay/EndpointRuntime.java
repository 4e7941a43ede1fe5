package io.eitrelay.core.relay;

import io.eitrelay.core.EndpointStats;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.EventExecutor;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What every connection of one endpoint shares: its config, TLS context, dialer and live channels. */
public final class EndpointRuntime {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EndpointRuntime.class);
    private volatile Generation current;
    private final EndpointStats stats;
    private final RelayInitializer initializer;
    private final ChannelGroup channels;
    private final Transport transport;
    private final io.eitrelay.core.tls.ExpiryWarnings expiry;
    private volatile java.security.cert.X509Certificate ownCertificate;
    /** Local addresses the relay's own health probes connect from (see {@link #probeStarting}). */
    private final Set<SocketAddress> probeSources = ConcurrentHashMap.newKeySet();
    /** Why the relay ended a probe's connection, by its source, until {@link #probeEnded} takes it. */
    private final Map<SocketAddress, String> probeFailures = new ConcurrentHashMap<>();
    private final ConnectionLogLimit logLimit = new ConnectionLogLimit(System.nanoTime());

    /** {@code sslContext} may be null until {@link #update} sets it; the listener accepts nothing before. */
    public EndpointRuntime(EndpointConfig config, SslContext sslContext, Transport transport,
                           EndpointStats stats, EventExecutor groupExecutor) {
        this.stats = stats;
        this.transport = transport;
        this.expiry = new io.eitrelay.core.tls.ExpiryWarnings(config.name());
        this.current = new Generation(config, sslContext, new TargetDialer(transport, config.timeouts(), config.socket()));
        this.initializer = new RelayInitializer(this);
        this.channels = new DefaultChannelGroup(config.name(), groupExecutor);
    }

    /** The settings new connections get. */
    public EndpointConfig config() {
        return current.config();
    }

    Generation current() {
        return current;
    }

    /**
     * Settings for connections accepted from now on (same listener: a changed listen address needs a
     * restart, which the caller checks). Open connections keep the generation they started with.
     */
    public void update(EndpointConfig config, SslContext sslContext) {
        current = new Generation(config, sslContext, new TargetDialer(transport, config.timeouts(), config.socket()));
    }

    public EndpointStats stats() {
        return stats;
    }

    /**
     * A connection from {@code source} (bound, not yet connected) is the relay's own health probe: relayed
     * as any other, but kept out of the endpoint's counters and meters and logged at DEBUG, so a probe a
     * minute neither floods the log nor counts as traffic; its outcome is the health check's to report.
     * Its peer's certificate still updates the expiry gauge. Ends with {@link #probeEnded}.
     */
    public void probeStarting(SocketAddress source) {
        probeSources.add(source);
    }

    /** @return why the relay ended the probe's connection (as its log line would say), if it did */
    public Optional<String> probeEnded(SocketAddress source) {
        probeSources.remove(source);
        return Optional.ofNullable(probeFailures.remove(source));
    }

    void probeFailed(SocketAddress source, String reason) {
        if (probeSources.contains(source)) {
            probeFailures.put(source, reason);
        }
    }

    /** The counters a connection from {@code peer} goes to: the endpoint's, or a probe's own, unpublished. */
    EndpointStats statsFor(SocketAddress peer) {
        return peer != null && probeSources.contains(peer) ? new EndpointStats() : stats;
    }

    /**
     * Whether a connection line ({@code failure}: a WARN one) may be logged now: every one at DEBUG, else
     * within {@link ConnectionLogLimit}'s budget; what is left out is summed up later on {@code loop}.
     */
    boolean logConnectionLine(boolean failure, org.slf4j.Logger connectionLog, EventExecutor loop) {
        return connectionLog.isDebugEnabled() || logLimit.admit(failure, System.nanoTime(), () -> {
            try {
                loop.schedule(this::logLeftOut, ConnectionLogLimit.SUMMARY_AFTER.toMillis(),
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                logLeftOut(); // the loop is stopping: say it now rather than never
            }
        });
    }

    private void logLeftOut() {
        logLimit.summary(System.nanoTime()).ifPresent(text -> LOG.warn("[{}] {}", config().name(), text));
    }

    /** A certificate this endpoint presents or was presented: gauge updated, warning logged when near expiry. */
    public void certificateSeen(java.security.cert.X509Certificate certificate, boolean own) {
        java.time.Instant notAfter = certificate.getNotAfter().toInstant();
        if (own) {
            ownCertificate = certificate;
            stats.ownCertificate(notAfter);
        } else {
            stats.peerCertificate(notAfter);
        }
        expiry.check(certificate, own ? "our" : "the peer's", java.time.Instant.now());
    }

    /** Our certificate's expiry checked against today's date again (warnings due since it was loaded). */
    public void recheckOwnCertificate() {
        java.security.cert.X509Certificate certificate = ownCertificate;
        if (certificate != null) {
            expiry.check(certificate, "our", java.time.Instant.now());
        }
    }

    Transport transport() {
        return transport;
    }

    /** The initializer for accepted channels. */
    public RelayInitializer initializer() {
        return initializer;
    }

    /** Open frontend and backend channels; closed ones leave the group by themselves. */
    public ChannelGroup channels() {
        return channels;
    }

    void track(Channel channel) {
        channels.add(channel);
    }
}
