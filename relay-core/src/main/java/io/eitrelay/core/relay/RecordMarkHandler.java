package io.eitrelay.core.relay;

import io.eitrelay.core.rpc.RecordFramingException;
import io.eitrelay.core.rpc.RecordScanner;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * On the plaintext side of a connection, follows the ONC-RPC record marks of both directions (reads:
 * what the NFS side sends; writes: what goes back to it) without holding a byte, counts records, and
 * closes the connection when the stream breaks the framing or a record exceeds the cap.
 */
final class RecordMarkHandler extends ChannelDuplexHandler {
    private final RecordScanner inbound;
    private final RecordScanner outbound;
    private final RelayConnectionStats stats;

    /** Per-direction counters, so the handler does not need to know which side of the pair it is on. */
    interface RelayConnectionStats {
        void inboundRecords(int records);

        void outboundRecords(int records);

        void framingError();
    }

    RecordMarkHandler(int maxRecordBytes, RelayConnectionStats stats) {
        this.inbound = new RecordScanner(maxRecordBytes);
        this.outbound = new RecordScanner(maxRecordBytes);
        this.stats = stats;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            int records;
            try {
                records = inbound.scan(buf);
            } catch (RecordFramingException e) {
                buf.release();
                stats.framingError();
                throw e;
            }
            stats.inboundRecords(records);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            try {
                stats.outboundRecords(outbound.scan(buf));
            } catch (RecordFramingException e) {
                buf.release();
                stats.framingError();
                promise.setFailure(e);
                return;
            }
        }
        ctx.write(msg, promise);
    }
}
