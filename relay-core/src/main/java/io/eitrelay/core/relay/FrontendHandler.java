package io.eitrelay.core.relay;

import io.eitrelay.core.EndpointStats;
import io.eitrelay.core.config.Mode;
import io.eitrelay.core.tls.TlsFailures;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Gate on the accepted channel until the pair is established. In client mode the target is dialled
 * as soon as the connection is accepted; in server mode only after the client's TLS handshake has
 * succeeded, so a peer that never finishes it never costs a connection to the NFS server.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private final EndpointRuntime endpoint;
    private final Generation generation;
    private final EndpointStats stats;
    private RelayConnection connection;

    FrontendHandler(EndpointRuntime endpoint, Generation generation, EndpointStats stats) {
        this.endpoint = endpoint;
        this.generation = generation;
        this.stats = stats;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connection = new RelayConnection(endpoint, generation, ctx.channel(), stats);
        if (generation.config().mode() == Mode.CLIENT) {
            connection.dial();
        } else {
            // AUTO_READ is off: SslHandler reads on by itself only once the first read has
            // happened, so the ClientHello needs this one.
            ctx.read();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // EOF before the pair is up: passed on once it is, after what was held.
            connection.inputEndedEarly(true);
        }
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                connection.dial();
            } else {
                connection.handshakeFailed(handshake.cause());
                connection.fail("client TLS handshake failed: " + TlsFailures.describe(handshake.cause()));
            }
        } else if (evt instanceof IdleStateEvent) {
            connection.fail("idle timeout before the target was ready");
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        connection.hold(true, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connection != null) { // null: refused by LocalAccessFilter before it became a connection
            connection.sideClosed(ctx.channel());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (connection != null) {
            connection.fail("client side: " + Failures.describe(cause));
        } else {
            ctx.close();
        }
    }
}
