package io.eitrelay.core.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Read buffers of relayed sockets: the wrapped sizing (Netty's adaptive one, capped at
 * {@link Transport#MAX_READ_BYTES}) decides how much a read asks of the kernel; each buffer holds one
 * cache line more than that, and the read lands on a cache-line boundary.
 *
 * <p>Why the extra line: Netty 4.2's adaptive pooling allocator serves a large buffer from a chunk
 * segment of the next power of two at or above the size asked. A full bulk read asked for exactly
 * 256 KiB and got 256 KiB segments; with 64 bytes more it gets 512 KiB ones. On one host the kernel's
 * copy out of the server end's socket into them then took a quarter to a half of the samples it took
 * before: ~20% more bulk throughput, ~20% less CPU at that end; on another, throughput equal and the
 * server end 1-12% cheaper (benchmarks/TUNING.md entry 15). That the segment size is what matters is
 * measured (512 KiB reads into 512 KiB segments were as fast; 192 and 384 KiB caps, both read into
 * 256 KiB segments, as slow), not explained. Unaligned, reads started 16 bytes past a cache line.
 */
final class ReadBuffers implements RecvByteBufAllocator {
    /** x86-64 and arm64 cache line; also the extra room that moves a full read to the next segment. */
    static final int CACHE_LINE = 64;

    private final RecvByteBufAllocator sizing;

    ReadBuffers(RecvByteBufAllocator sizing) {
        this.sizing = sizing;
    }

    @Override
    public ExtendedHandle newHandle() {
        // Netty's channels take the extended handle (AbstractEpollChannel and NIO both cast to it).
        return new AlignedHandle((ExtendedHandle) sizing.newHandle());
    }

    /** Delegates the sizing; only the allocation differs. */
    static final class AlignedHandle implements ExtendedHandle {
        private final ExtendedHandle sizing;

        AlignedHandle(ExtendedHandle sizing) {
            this.sizing = sizing;
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            ByteBuf buf = alloc.ioBuffer(sizing.guess() + CACHE_LINE);
            if (buf.hasMemoryAddress()) {
                int pad = (int) (-buf.memoryAddress() & (CACHE_LINE - 1));
                buf.setIndex(pad, pad);
            }
            return buf;
        }

        @Override
        public int guess() {
            return sizing.guess();
        }

        @Override
        public void reset(ChannelConfig config) {
            sizing.reset(config);
        }

        @Override
        public void incMessagesRead(int numMessages) {
            sizing.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            sizing.lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
            return sizing.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            sizing.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return sizing.attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
            return sizing.continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return sizing.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
            sizing.readComplete();
        }
    }
}
