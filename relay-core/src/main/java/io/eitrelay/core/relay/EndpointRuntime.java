package io.eitrelay.core.relay;

import io.eitrelay.core.EndpointStats;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.EventExecutor;

/** What every connection of one endpoint shares: its config, TLS context, dialer and live channels. */
public final class EndpointRuntime {
    private final EndpointConfig config;
    private final SslContext sslContext;
    private final EndpointStats stats;
    private final TargetDialer dialer;
    private final RelayInitializer initializer;
    private final ChannelGroup channels;
    private final Transport transport;

    public EndpointRuntime(EndpointConfig config, SslContext sslContext, Transport transport,
                           EndpointStats stats, EventExecutor groupExecutor) {
        this.config = config;
        this.sslContext = sslContext;
        this.stats = stats;
        this.transport = transport;
        this.dialer = new TargetDialer(transport, config.timeouts(), config.socket());
        this.initializer = new RelayInitializer(this);
        this.channels = new DefaultChannelGroup(config.name(), groupExecutor);
    }

    public EndpointConfig config() {
        return config;
    }

    SslContext sslContext() {
        return sslContext;
    }

    public EndpointStats stats() {
        return stats;
    }

    Transport transport() {
        return transport;
    }

    TargetDialer dialer() {
        return dialer;
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
