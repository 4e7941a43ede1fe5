package io.eitrelay.core.relay;

import io.eitrelay.core.EndpointStats;
import io.eitrelay.core.rpc.Nfs4Compound;
import io.eitrelay.core.rpc.RecordFramingException;
import io.eitrelay.core.rpc.RecordScanner;
import io.eitrelay.core.rpc.RpcCallTracker;
import io.eitrelay.core.rpc.RpcNames;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.TimeUnit;

/**
 * On the plaintext side of a connection, follows the ONC-RPC record marks of both directions (reads
 * and writes) without holding a byte: counts records, times each call to its reply (by xid) per
 * program/version/procedure, and closes the connection when a stream breaks the framing or a record
 * exceeds the cap. One instance per connection, on its event loop: no locking.
 */
final class RecordMarkHandler extends ChannelDuplexHandler {
    private final RecordScanner inbound;
    private final RecordScanner outbound;
    private final RpcCallTracker calls;
    private final EndpointStats stats;
    private final boolean readsAreCalls;
    // The timer of the last procedure seen: NFS traffic repeats procedures (READ, READ, ...), so this
    // spares the per-reply name lookup and its string key (benchmarks/TUNING.md).
    private int lastProgram = -1;
    private int lastVersion = -1;
    private String lastProcedure;
    private Timer lastTimer;

    /**
     * @param readsAreCalls true on a client-mode frontend (the NFS client sends calls), false on a
     *                      server-mode backend (the NFS server sends replies)
     */
    RecordMarkHandler(int maxRecordBytes, boolean readsAreCalls, EndpointStats stats) {
        this.stats = stats;
        this.readsAreCalls = readsAreCalls;
        this.calls = new RpcCallTracker(this::completed);
        // Calls: enough of each to name an NFSv4 COMPOUND's main operation; replies: xid and type.
        this.inbound = readsAreCalls ? new RecordScanner(maxRecordBytes, this::call, Nfs4Compound.CAPTURE_BYTES)
                : new RecordScanner(maxRecordBytes, this::reply);
        this.outbound = readsAreCalls ? new RecordScanner(maxRecordBytes, this::reply)
                : new RecordScanner(maxRecordBytes, this::call, Nfs4Compound.CAPTURE_BYTES);
    }

    private void call(byte[] header, int length) {
        calls.callHeader(header, length, System.nanoTime());
    }

    private void reply(byte[] header, int length) {
        calls.replyHeader(header, length, System.nanoTime());
    }

    private void completed(int program, int version, int procedure, String procedureName, long nanos) {
        Timer timer = lastTimer;
        if (timer == null || program != lastProgram || version != lastVersion || !procedureName.equals(lastProcedure)) {
            timer = stats.rpcTimer(RpcNames.program(program), RpcNames.version(program, version), procedureName);
            lastTimer = timer;
            lastProgram = program;
            lastVersion = version;
            lastProcedure = procedureName;
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
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
            count(records, readsAreCalls);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            try {
                count(outbound.scan(buf), !readsAreCalls);
            } catch (RecordFramingException e) {
                buf.release();
                stats.framingError();
                promise.setFailure(e);
                return;
            }
        }
        ctx.write(msg, promise);
    }

    private void count(int records, boolean towardTarget) {
        if (records > 0) {
            if (towardTarget) {
                stats.recordsToTarget(records);
            } else {
                stats.recordsFromTarget(records);
            }
        }
    }
}
