package io.eitrelay.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator.ExtendedHandle;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReadBuffersTest {
    /** Enough read loops for the adaptive sizing to climb from its initial guess to the cap, or down to its floor. */
    private static final int MAX_LOOPS = 64;

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final ChannelConfig config = channel.config();
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final ExtendedHandle handle = (ExtendedHandle) Transport.READ_BUFFERS.newHandle();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    /** One read loop as the channels run it: a read of {@code bytes} (at most what the buffer holds). */
    private void readLoop(int bytes) {
        handle.reset(config);
        ByteBuf buf = handle.allocate(alloc);
        try {
            int read = Math.min(bytes, buf.writableBytes());
            handle.attemptedBytesRead(buf.writableBytes());
            buf.writerIndex(buf.writerIndex() + read);
            handle.lastBytesRead(read);
            handle.incMessagesRead(1);
        } finally {
            buf.release();
        }
        handle.readComplete();
    }

    @Test
    void aFullBulkReadLandsOnACacheLineInABufferLargerThanTheRead() {
        for (int i = 0; i < MAX_LOOPS && handle.guess() < Transport.MAX_READ_BYTES; i++) {
            readLoop(Integer.MAX_VALUE);
        }
        assertEquals(Transport.MAX_READ_BYTES, handle.guess(), "a stream that fills every read reaches the cap");
        ByteBuf buf = handle.allocate(alloc);
        try {
            assertTrue(buf.hasMemoryAddress(), "reads go to direct buffers");
            assertEquals(0, (buf.memoryAddress() + buf.writerIndex()) % ReadBuffers.CACHE_LINE, "read starts on a cache line");
            assertEquals(buf.readerIndex(), buf.writerIndex(), "nothing readable before the read");
            assertTrue(buf.writableBytes() >= Transport.MAX_READ_BYTES, "room for the whole read: " + buf.writableBytes());
            // Asking for exactly 256 KiB got a 256 KiB allocator segment, which made the kernel's copies slower.
            assertTrue(buf.capacity() > Transport.MAX_READ_BYTES, "buffer larger than the read: " + buf.capacity());
        } finally {
            buf.release();
        }
    }

    @Test
    void smallRpcReadsKeepSmallBuffers() {
        for (int i = 0; i < MAX_LOOPS; i++) {
            readLoop(200);
        }
        ByteBuf buf = handle.allocate(alloc);
        try {
            assertTrue(buf.capacity() <= 1024, "RPC-sized reads shrink the buffer: " + buf.capacity());
            assertEquals(0, (buf.memoryAddress() + buf.writerIndex()) % ReadBuffers.CACHE_LINE);
        } finally {
            buf.release();
        }
    }
}
