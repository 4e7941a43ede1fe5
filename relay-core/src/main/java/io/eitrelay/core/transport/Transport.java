package io.eitrelay.core.transport;

import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.config.SocketOptions;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.ThreadFactory;
import jdk.net.ExtendedSocketOptions;

/**
 * The socket implementation: Linux epoll when the native library loads, else Java NIO.
 *
 * <p>Sockets are opened with the address family of the address they bind or connect to, so an IPv4
 * listener is an IPv4 socket: `ss` shows {@code 127.0.0.1:PORT}, not {@code [::ffff:127.0.0.1]:PORT},
 * which AZNFS's port grep depends on (stunnel-contract.md §1).
 */
public enum Transport {
    EPOLL("epoll") {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            // Netty's default array holds 4096 events (48 KB, zeroed, so resident) per loop; a storage
            // endpoint's loop watches a listener and a few connections. Readiness beyond this many is
            // simply picked up by the next epoll_wait.
            return EpollIoHandler.newFactory(EPOLL_MAX_EVENTS, DefaultSelectStrategyFactory.INSTANCE);
        }

        @Override
        public ServerChannel newServerChannel(InetAddress bindAddress) {
            return new EpollServerSocketChannel(familyOf(bindAddress));
        }

        @Override
        public ServerChannel adoptServerChannel(java.nio.channels.ServerSocketChannel listening) throws IOException {
            // Netty's accept loop runs until EAGAIN: a blocking descriptor would stall the event loop.
            listening.configureBlocking(false);
            return new EpollServerSocketChannel(JdkDescriptors.of(listening));
        }

        @Override
        public SocketChannel newSocketChannel(InetAddress remote) {
            return new EpollSocketChannel(familyOf(remote));
        }

        @Override
        public void prepare(Channel channel) {
            super.prepare(channel);
            EpollHalfCloseWorkaround.apply(channel);
        }

        @Override
        public void applyUpstreamOptions(Bootstrap bootstrap, SocketOptions options) {
            if (options.keepAlive()) {
                bootstrap.option(EpollChannelOption.TCP_KEEPIDLE, (int) options.keepAliveIdle().toSeconds());
                bootstrap.option(EpollChannelOption.TCP_KEEPINTVL, (int) options.keepAliveInterval().toSeconds());
                bootstrap.option(EpollChannelOption.TCP_KEEPCNT, options.keepAliveCount());
            }
            if (!options.tcpUserTimeout().isZero()) {
                bootstrap.option(EpollChannelOption.TCP_USER_TIMEOUT, (int) options.tcpUserTimeout().toMillis());
            }
        }
    },
    NIO("nio") {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        public ServerChannel newServerChannel(InetAddress bindAddress) {
            return new NioServerSocketChannel(SelectorProvider.provider(), familyOf(bindAddress));
        }

        @Override
        public ServerChannel adoptServerChannel(java.nio.channels.ServerSocketChannel listening) {
            return new NioServerSocketChannel(listening);
        }

        @Override
        public SocketChannel newSocketChannel(InetAddress remote) {
            return new NioSocketChannel(SelectorProvider.provider(), familyOf(remote));
        }

        @Override
        public void applyUpstreamOptions(Bootstrap bootstrap, SocketOptions options) {
            // The JDK exposes the keepalive timers (jdk.net.ExtendedSocketOptions, Linux) but not
            // TCP_USER_TIMEOUT: over NIO a target that stops acknowledging data is noticed by keepalive
            // only once the unacknowledged data has been retransmitted out (tcp_retries2, ~15 min).
            if (options.keepAlive()) {
                bootstrap.option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), (int) options.keepAliveIdle().toSeconds());
                bootstrap.option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL),
                        (int) options.keepAliveInterval().toSeconds());
                bootstrap.option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), options.keepAliveCount());
            }
        }
    };

    /** Ready events one epoll_wait returns at most, per event loop. */
    static final int EPOLL_MAX_EVENTS = 256;

    private final String displayName;

    Transport(String displayName) {
        this.displayName = displayName;
    }

    /**
     * The largest read from a relayed socket. Netty sizes each channel's reads adaptively (a read that
     * fills the buffer makes the next one larger, reads well short of it make it smaller), so RPC
     * traffic keeps small buffers; a bulk stream reads up to 256 KiB per system call instead of Netty's
     * default cap of 64 KiB: a quarter of the reads, and more TLS records handed to the engine per read
     * (benchmarks/TUNING.md entry 9). Buffers come from the pooled allocator, a cache line larger than
     * the read ({@link ReadBuffers}), and are released once written to the partner.
     */
    static final int MAX_READ_BYTES = 256 * 1024;
    static final RecvByteBufAllocator READ_BUFFERS = new ReadBuffers(new AdaptiveRecvByteBufAllocator(
            AdaptiveRecvByteBufAllocator.DEFAULT_MINIMUM, AdaptiveRecvByteBufAllocator.DEFAULT_INITIAL, MAX_READ_BYTES));

    abstract IoHandlerFactory ioHandlerFactory();

    public abstract ServerChannel newServerChannel(InetAddress bindAddress);

    /**
     * Takes over a listener the JDK bound ({@link #adoptsJdkListeners}): from now on the returned channel
     * owns the socket, and closing it closes the socket.
     */
    public abstract ServerChannel adoptServerChannel(java.nio.channels.ServerSocketChannel listening) throws IOException;

    public abstract SocketChannel newSocketChannel(InetAddress remote);

    /** Called once per relayed channel on its event loop, after registration. */
    public void prepare(Channel channel) {
        channel.config().setRecvByteBufAllocator(READ_BUFFERS);
    }

    /** Options only this transport can set on the connection to the target. */
    public abstract void applyUpstreamOptions(Bootstrap bootstrap, SocketOptions options);

    /** An event loop group of {@code threads} threads (one per endpoint in the relay). */
    public EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, ioHandlerFactory());
    }

    public String displayName() {
        return displayName;
    }

    /** Resolves AUTO; an explicit EPOLL on a machine without it fails with the loader's reason. */
    public static Transport select(TransportChoice choice) {
        switch (choice) {
            case NIO:
                return NIO;
            case EPOLL:
                Epoll.ensureAvailability();
                return EPOLL;
            default:
                return Epoll.isAvailable() ? EPOLL : NIO;
        }
    }

    /**
     * True when whichever transport {@code choice} ends up selecting can adopt a listener the JDK bound,
     * decided without loading the epoll library: NIO always can, epoll when the descriptor is readable.
     */
    public static boolean adoptsJdkListeners(TransportChoice choice) {
        return choice == TransportChoice.NIO || JdkDescriptors.available();
    }

    private static SocketProtocolFamily familyOf(InetAddress address) {
        return address instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
    }
}
