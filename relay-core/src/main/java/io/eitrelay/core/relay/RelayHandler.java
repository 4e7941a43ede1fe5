package io.eitrelay.core.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.List;

/**
 * Forwards what one channel reads to its partner, with read-after-write backpressure: AUTO_READ is
 * off, and the next {@code read()} is issued only once everything from the previous read has been
 * written to the partner's socket. A slow partner therefore stops this side from reading, and at most
 * one read buffer per direction is in flight (the Netty proxy example's scheme, plus batching: writes
 * of one read loop are flushed together in {@link #channelReadComplete}).
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
    private final RelayConnection connection;
    private final Channel partner;
    private final boolean fromFrontend;
    private final List<Object> held;
    private ChannelFuture lastWrite;
    /** One listener for the handler's life: a read loop ends many times a second, without allocating. */
    private ChannelFutureListener afterWrite;

    RelayHandler(RelayConnection connection, Channel partner, boolean fromFrontend, List<Object> held) {
        this.connection = connection;
        this.partner = partner;
        this.fromFrontend = fromFrontend;
        this.held = held;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        afterWrite = f -> {
            if (f.isSuccess()) {
                readMore(ctx);
            } else {
                connection.fail("write to " + (fromFrontend ? "target" : "client") + " failed: "
                        + Failures.describe(f.cause()));
            }
        };
        // Forward what the gate read before the pair existed, then start the read loop.
        for (Object msg : held) {
            channelRead(ctx, msg);
        }
        channelReadComplete(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            connection.countBytes(fromFrontend, buf.readableBytes());
        }
        lastWrite = partner.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ChannelFuture pending = lastWrite;
        lastWrite = null;
        if (pending == null) {
            readMore(ctx);
            return;
        }
        partner.flush();
        pending.addListener(afterWrite);
    }

    /** After EOF there is nothing more to read; asking epoll for it again fails (ENOENT). */
    private static void readMore(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        if (channel.isActive() && !(channel instanceof DuplexChannel duplex && duplex.isInputShutdown())) {
            ctx.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            connection.inputEnded(ctx.channel());
        } else if (evt instanceof SslCloseCompletionEvent close && close.isSuccess()) {
            // close_notify received: the TLS peer will send no more (RFC 8446 §6.1). SslHandler fires
            // this event before the application data it decoded from the same read, so act on it
            // only in the next task, once that data has been passed on.
            Channel channel = ctx.channel();
            ctx.executor().execute(() -> connection.inputEnded(channel));
        } else if (evt instanceof IdleStateEvent) {
            connection.idle();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.sideClosed(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String side = fromFrontend ? "client" : "target";
        if (!fromFrontend && Failures.isPeerSilent(cause)) {
            connection.targetSilent(ctx.channel());
            return;
        }
        if (cause instanceof IOException && !Failures.isTls(cause)) {
            connection.reset(ctx.channel(), side + " side: " + Failures.describe(cause));
        } else {
            connection.fail(side + " side: " + Failures.describe(cause));
        }
    }
}
