package io.eitrelay.core.relay;

import io.eitrelay.core.tls.TlsFailures;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.nio.channels.NotYetConnectedException;

/**
 * Gate on the channel to the target until it is usable: connected (plain) or connected and the TLS
 * handshake verified (client mode). Then the pair is established.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private final RelayConnection connection;

    BackendHandler(RelayConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        connection.backendRegistered(ctx.channel());
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        if (ctx.pipeline().get(SslHandler.class) == null) {
            connection.established();
        } else {
            connection.tlsStarted();
            // AUTO_READ is off: read the ServerHello; SslHandler keeps reading until the handshake is done.
            ctx.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // EOF before the pair is up: passed on once it is, after what was held.
            connection.inputEndedEarly(false);
        }
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                connection.established();
            } else {
                connection.handshakeFailed(handshake.cause());
                connection.fail("TLS handshake with target failed: " + TlsFailures.describe(handshake.cause()));
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        connection.hold(false, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.fail("target closed the connection before it was ready");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!ctx.channel().isActive() && cause instanceof NotYetConnectedException) {
            // The connect failed, and epoll reported the socket readable before Netty had finished the
            // connect: the read saw ENOTCONN. Said as what it is, not as the read's exception.
            connection.fail("cannot connect to target " + connection.config().target()
                    + ": the connection failed while it was being made");
        } else if (Failures.isPeerSilent(cause)) {
            connection.targetSilent(ctx.channel());
        } else {
            connection.fail("target side: " + Failures.describe(cause));
        }
    }
}
