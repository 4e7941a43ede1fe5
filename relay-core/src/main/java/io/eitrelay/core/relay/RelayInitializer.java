package io.eitrelay.core.relay;

import io.eitrelay.core.EndpointStats;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.LocalAccess;
import io.eitrelay.core.config.Mode;
import io.eitrelay.core.tls.ClientEngines;
import io.eitrelay.core.tls.HandshakeTasks;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The one place where pipelines are assembled. The data path, left to right:
 * <pre>
 *   frontend (accepted):  [access, client mode] [idle] [tls, server mode | framing, client mode] [gate: FrontendHandler -> relay: RelayHandler]
 *   backend (to target):  [tls, client mode | framing, server mode] [gate: BackendHandler -> relay: RelayHandler]
 * </pre>
 * The gates hold the pair until both sides are ready, then are replaced by relay handlers.
 */
public final class RelayInitializer extends ChannelInitializer<Channel> {
    static final String ACCESS = "access";
    static final String IDLE = "idle";
    static final String TLS = "tls";
    static final String GATE = "gate";
    static final String FRAMING = "framing";
    static final String RELAY = "relay";

    private final EndpointRuntime endpoint;

    RelayInitializer(EndpointRuntime endpoint) {
        this.endpoint = endpoint;
    }

    /** Frontend: a connection accepted on the endpoint's listener. */
    @Override
    protected void initChannel(Channel ch) {
        endpoint.track(ch);
        endpoint.transport().prepare(ch);
        Generation generation = endpoint.current();
        EndpointConfig config = generation.config();
        EndpointStats stats = endpoint.statsFor(ch.remoteAddress());
        ChannelPipeline p = ch.pipeline();
        if (config.mode() == Mode.CLIENT && config.socket().localAccess() == LocalAccess.PRIVILEGED) {
            p.addLast(ACCESS, new LocalAccessFilter(endpoint));
        }
        long idleMillis = config.timeouts().idle().toMillis();
        if (idleMillis > 0) {
            p.addLast(IDLE, new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
        }
        if (config.mode() == Mode.SERVER) {
            Executor tasks = HandshakeTasks.forBlockingVerification(config.tls().ocsp().queryAia());
            p.addLast(TLS, withTimeout(tasks == null ? generation.sslContext().newHandler(ch.alloc())
                    : generation.sslContext().newHandler(ch.alloc(), tasks), config));
        } else if (config.framing().enabled()) {
            // Client mode: the accepted side is the plaintext side. Reads are calls, writes replies.
            p.addLast(FRAMING, framing(config, true, stats));
        }
        p.addLast(GATE, new FrontendHandler(endpoint, generation, stats));
    }

    /** Backend: the connection to the target, opened on the frontend's event loop. */
    ChannelHandler backend(RelayConnection connection) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                endpoint.track(ch);
                endpoint.transport().prepare(ch);
                Generation generation = connection.generation();
                EndpointConfig config = generation.config();
                ChannelPipeline p = ch.pipeline();
                if (config.mode() == Mode.CLIENT) {
                    // The peer host given to the engine is what SNI carries (engines omit IP literals,
                    // RFC 6066 §3); verification is PeerTrustManager's and does not depend on it.
                    String sniHost = config.tls().sni().orElse(config.target().host());
                    SslContext ssl = generation.sslContext();
                    p.addLast(TLS, withTimeout(ClientEngines.newHandler(ssl, ch.alloc(), sniHost, config.target().port(),
                            HandshakeTasks.forBlockingVerification(config.tls().ocsp().queryAia())), config));
                } else if (config.framing().enabled()) {
                    // Server mode: the target side is the plaintext side. Reads are replies, writes calls.
                    p.addLast(FRAMING, framing(config, false, connection.stats()));
                }
                p.addLast(GATE, new BackendHandler(connection));
            }
        };
    }

    /** Replaces the gate of {@code ch} by a relay handler forwarding to {@code partner}. */
    void startRelaying(Channel ch, Channel partner, RelayConnection connection, boolean fromFrontend,
                       List<Object> held) {
        ch.pipeline().replace(GATE, RELAY, new RelayHandler(connection, partner, fromFrontend, held));
    }

    private static RecordMarkHandler framing(EndpointConfig config, boolean readsAreCalls, EndpointStats stats) {
        return new RecordMarkHandler(config.framing().maxRecordBytes(), readsAreCalls, stats);
    }

    private static SslHandler withTimeout(SslHandler handler, EndpointConfig config) {
        handler.setHandshakeTimeoutMillis(config.timeouts().handshake().toMillis());
        return handler;
    }
}
