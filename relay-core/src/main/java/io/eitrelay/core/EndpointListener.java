package io.eitrelay.core;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.relay.EndpointRuntime;
import io.eitrelay.core.transport.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * One endpoint's listener. Every connection accepted here, and its connection to the target, live on
 * the single-thread event loop of the endpoint's storage server ({@link EventLoops}): no cross-thread
 * hops on the data path, and one busy server cannot stall the endpoints of another.
 */
public final class EndpointListener {
    private final EndpointConfig config;
    private final EventLoopGroup group;
    private final EndpointRuntime runtime;
    private final EndpointStats stats;
    private final Transport transport;
    private Channel serverChannel;

    /** A listener that binds without its TLS context; {@link #startAccepting} gives it one. */
    EndpointListener(EndpointConfig config, Transport transport, EventLoopGroup group, MeterRegistry registry) {
        this.config = config;
        this.stats = new EndpointStats(registry, config.name());
        this.transport = transport;
        this.group = group;
        this.runtime = new EndpointRuntime(config, null, transport, stats, group.next());
    }

    /**
     * Binds and listens, but does not accept yet (no read on the server channel): connections wait in
     * the kernel's backlog until {@link #startAccepting}. {@code listening}, when not null, is this
     * endpoint's socket already bound by {@link ListenSockets}: the channel takes it over instead.
     */
    void bind(ServerSocketChannel listening) throws RelayStartException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .option(ChannelOption.SO_REUSEADDR, config.socket().reuseAddress())
                .option(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(runtime.initializer());
        ChannelFuture done;
        if (listening == null) {
            done = bootstrap.channelFactory((ChannelFactory<ServerChannel>) () -> transport.newServerChannel(config.listen().getAddress()))
                    .bind(config.listen()).awaitUninterruptibly();
        } else {
            ServerChannel adopted;
            try {
                adopted = transport.adoptServerChannel(listening);
            } catch (IOException | RuntimeException e) {
                ListenSockets.closeQuietly(listening);
                throw RelayStartException.bindFailed(config, e);
            }
            done = bootstrap.channelFactory((ChannelFactory<ServerChannel>) () -> adopted).register().awaitUninterruptibly();
        }
        if (!done.isSuccess()) {
            done.channel().close();
            throw RelayStartException.bindFailed(config, done.cause());
        }
        serverChannel = done.channel();
    }

    /** Accepts from now on, every connection with {@code sslContext}; the backlog is served first. */
    void startAccepting(SslContext sslContext) throws io.eitrelay.core.tls.TlsConfigException {
        update(config, sslContext);
        serverChannel.config().setAutoRead(true);
    }

    /** The settings new connections get (they change on {@link Relay#reload}). */
    public EndpointConfig config() {
        return runtime.config();
    }

    public String name() {
        return runtime.config().name();
    }

    /** The address actually bound (the real port when the config asked for port 0). */
    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public EndpointStats stats() {
        return stats;
    }

    /**
     * Connections from {@code source} are the relay's own health probe until {@link #probeEnded}: relayed,
     * but neither counted in this endpoint's meters nor logged above DEBUG (EndpointRuntime#probeStarting).
     */
    public void probeStarting(SocketAddress source) {
        runtime.probeStarting(source);
    }

    /** @return why the relay ended the probe's connection (what its log line would have said), if it did */
    public java.util.Optional<String> probeEnded(SocketAddress source) {
        return runtime.probeEnded(source);
    }

    /** Frontend and backend channels still open. */
    public int openChannels() {
        return runtime.channels().size();
    }

    /** New settings for connections accepted from now on; open connections keep theirs. */
    void update(EndpointConfig newConfig, SslContext sslContext) throws io.eitrelay.core.tls.TlsConfigException {
        runtime.update(newConfig, sslContext);
        observeOwnCertificate(newConfig);
    }

    void observeOwnCertificate(EndpointConfig endpoint) throws io.eitrelay.core.tls.TlsConfigException {
        io.eitrelay.core.tls.TlsContexts.ownCertificate(endpoint).ifPresent(c -> runtime.certificateSeen(c, true));
    }

    void recheckOwnCertificate() {
        runtime.recheckOwnCertificate();
    }

    Future<Void> stopAccepting() {
        return serverChannel == null ? group.next().newSucceededFuture(null) : serverChannel.close();
    }

    void closeConnections() {
        runtime.channels().close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
