package io.eitrelay.core.relay;

import io.eitrelay.bench.load.RpcMessages;
import io.eitrelay.core.EndpointStats;
import io.eitrelay.core.config.RecordFraming;
import io.eitrelay.core.rpc.RecordScanner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What does following ONC-RPC record marks cost per record, and does it allocate? One operation is
 * one record of {@code recordBytes}, shown to the framing code in socket-read-sized chunks (64 KiB,
 * what the relay's reads deliver). Run with {@code -prof gc} for bytes allocated per record.
 * In the package of {@link RecordMarkHandler}, which is not public API.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class FramingBenchmark {
    /** What one socket read hands the pipeline at most (the adaptive allocator's usual top size). */
    static final int READ_CHUNK_BYTES = 64 << 10;
    /** The reply to each call in {@link #handlerCallAndReply}: a small status, as for an NFS WRITE. */
    static final int REPLY_BYTES = 128;

    @Param({"128", "4096", "65536", "1048576"})
    int recordBytes;

    private List<ByteBuf> callChunks;
    private ByteBuf reply;
    private RecordScanner scanner;
    private EmbeddedChannel channel;
    private int xid;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] call = RpcMessages.call(RpcMessages.PROC_WRITE, recordBytes, REPLY_BYTES);
        callChunks = new ArrayList<>();
        for (int offset = 0; offset < call.length; offset += READ_CHUNK_BYTES) {
            int length = Math.min(READ_CHUNK_BYTES, call.length - offset);
            ByteBuf chunk = PooledByteBufAllocator.DEFAULT.directBuffer(length);
            chunk.writeBytes(call, offset, length);
            callChunks.add(chunk);
        }
        reply = PooledByteBufAllocator.DEFAULT.directBuffer(REPLY_BYTES);
        reply.writeBytes(replyRecord());
        scanner = new RecordScanner(RecordFraming.DEFAULT_MAX_RECORD);
        EndpointStats stats = new EndpointStats(new SimpleMeterRegistry(), "bench");
        channel = new EmbeddedChannel(new RecordMarkHandler(RecordFraming.DEFAULT_MAX_RECORD, true, stats));
    }

    private static byte[] replyRecord() {
        // A reply as a server sends it: the load server's format, xid 0 like the call's.
        byte[] bytes = new byte[REPLY_BYTES];
        int mark = 0x8000_0000 | (REPLY_BYTES - 4);
        bytes[0] = (byte) (mark >>> 24);
        bytes[1] = (byte) (mark >>> 16);
        bytes[2] = (byte) (mark >>> 8);
        bytes[3] = (byte) mark;
        bytes[11] = 1; // msg_type REPLY
        return bytes;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        callChunks.forEach(ByteBuf::release);
        reply.release();
        channel.finishAndReleaseAll();
    }

    /** The scanner alone: marks followed, nothing captured. Returns records ended (1). */
    @Benchmark
    public int scannerOnly() {
        int ended = 0;
        for (ByteBuf chunk : callChunks) {
            ended += scanner.scan(chunk);
        }
        return ended;
    }

    /**
     * The relay's framing handler on a client-mode frontend: the call read from the NFS client (header
     * captured, xid remembered) and its reply written back (matched, timed, counted per procedure).
     * Includes EmbeddedChannel's queueing, a few tens of ns.
     */
    @Benchmark
    public int handlerCallAndReply() {
        int id = ++xid;
        ByteBuf first = callChunks.get(0);
        first.setInt(4, id);
        reply.setInt(4, id);
        for (ByteBuf chunk : callChunks) {
            channel.writeInbound(chunk.retainedDuplicate());
            ((ByteBuf) channel.readInbound()).release();
        }
        channel.writeOutbound(reply.retainedDuplicate());
        ((ByteBuf) channel.readOutbound()).release();
        return id;
    }
}
