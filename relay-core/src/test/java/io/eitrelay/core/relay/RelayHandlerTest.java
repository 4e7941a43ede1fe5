package io.eitrelay.core.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.eitrelay.core.EndpointStats;
import io.eitrelay.core.transport.Transport;
import io.eitrelay.testing.Configs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Read-after-write backpressure of one relay direction, on embedded channels. */
class RelayHandlerTest {
    /** Counts read() requests reaching the channel. */
    static final class ReadCounter extends ChannelOutboundHandlerAdapter {
        int reads;

        @Override
        public void read(ChannelHandlerContext ctx) {
            reads++;
            ctx.read();
        }
    }

    /** A partner socket that accepts writes but completes them only when told (a slow peer). */
    static final class HeldWrites extends ChannelOutboundHandlerAdapter {
        final List<ChannelPromise> promises = new ArrayList<>();
        final List<ByteBuf> written = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            written.add((ByteBuf) msg);
            promises.add(promise);
        }
    }

    @Test
    void nextReadWaitsUntilThePartnerHasTakenTheData() {
        EmbeddedChannel backend = new EmbeddedChannel();
        HeldWrites slowPeer = new HeldWrites();
        backend.pipeline().addFirst(slowPeer);
        EmbeddedChannel frontend = new EmbeddedChannel();
        frontend.config().setAutoRead(false);
        ReadCounter counter = new ReadCounter();
        frontend.pipeline().addFirst(counter);
        EndpointStats stats = new EndpointStats();
        EndpointRuntime endpoint = new EndpointRuntime(Configs.client(2049, java.nio.file.Path.of("unused-ca.pem")), null, Transport.NIO, stats, frontend.eventLoop());
        RelayConnection connection = new RelayConnection(endpoint, endpoint.current(), frontend, endpoint.stats());
        frontend.pipeline().addLast(new RelayHandler(connection, backend, true, List.of()));
        int readsAtStart = counter.reads;
        assertEquals(1, readsAtStart, "relaying starts with one read");

        frontend.writeInbound(Unpooled.copiedBuffer("call-1", StandardCharsets.US_ASCII),
                Unpooled.copiedBuffer("call-2", StandardCharsets.US_ASCII));
        backend.runPendingTasks();
        assertEquals(2, slowPeer.written.size(), "both reads of one loop are forwarded, in order");
        assertEquals("call-1", slowPeer.written.get(0).toString(StandardCharsets.US_ASCII));
        assertEquals(readsAtStart, counter.reads, "no further read while the partner has not taken the data");

        slowPeer.promises.get(0).setSuccess();
        frontend.runPendingTasks();
        assertEquals(readsAtStart, counter.reads, "still waiting: the last write of the batch is pending");

        slowPeer.promises.get(1).setSuccess();
        frontend.runPendingTasks();
        assertEquals(readsAtStart + 1, counter.reads, "the next read follows the completed write");
        assertEquals(12, stats.bytesToTarget());
        slowPeer.written.forEach(ByteBuf::release);
    }

    @Test
    void failedWriteClosesBothSides() {
        EmbeddedChannel backend = new EmbeddedChannel();
        HeldWrites slowPeer = new HeldWrites();
        backend.pipeline().addFirst(slowPeer);
        EmbeddedChannel frontend = new EmbeddedChannel();
        frontend.config().setAutoRead(false);
        EndpointRuntime endpoint = new EndpointRuntime(Configs.client(2049, java.nio.file.Path.of("unused-ca.pem")),
                null, Transport.NIO, new EndpointStats(), frontend.eventLoop());
        RelayConnection connection = new RelayConnection(endpoint, endpoint.current(), frontend, endpoint.stats());
        connection.backendRegistered(backend);
        frontend.pipeline().addLast(new RelayHandler(connection, backend, true, List.of()));

        frontend.writeInbound(Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII));
        slowPeer.promises.get(0).setFailure(new java.io.IOException("Broken pipe"));
        frontend.runPendingTasks();
        backend.runPendingTasks();
        assertFalse(frontend.isOpen());
        assertFalse(backend.isOpen());
        slowPeer.written.forEach(ByteBuf::release);
    }
}
