package io.eitrelay.core.relay;

import io.eitrelay.core.config.FamilyPreference;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.SocketOptions;
import io.eitrelay.core.config.Timeouts;
import io.eitrelay.core.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Opens the connection to the target. The name is resolved for every connection (stunnel
 * {@code delay = yes}) so a server that moved is found (the JVM's address cache is bounded by the
 * front ends, see relay-cli's Main); resolution blocks in the system resolver, so it runs on a small
 * shared pool, never on an event loop. Each address the name resolves to is tried in turn, the
 * preferred family first, each under the connect timeout: a server reachable over one family only
 * is still reached.
 */
final class TargetDialer {
    private static final int RESOLVER_THREADS = 4;
    private static final int RESOLVER_QUEUE = 1024;
    private static final ExecutorService RESOLVER = newResolverPool();

    private final Transport transport;
    private final Timeouts timeouts;
    private final SocketOptions socketOptions;

    TargetDialer(Transport transport, Timeouts timeouts, SocketOptions socketOptions) {
        this.transport = transport;
        this.timeouts = timeouts;
        this.socketOptions = socketOptions;
    }

    Future<Channel> connect(EventLoop loop, HostPort target, ChannelHandler initializer) {
        Promise<Channel> promise = loop.newPromise();
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(target.host());
        if (literal != null) {
            try {
                tryAddresses(loop, List.of(InetAddress.getByAddress(literal)), 0, target, initializer, promise, "");
            } catch (UnknownHostException e) {
                promise.tryFailure(e);
            }
            return promise;
        }
        try {
            RESOLVER.execute(() -> {
                try {
                    List<InetAddress> addresses = preferred(InetAddress.getAllByName(target.host()),
                            socketOptions.preferFamily());
                    loop.execute(() -> tryAddresses(loop, addresses, 0, target, initializer, promise, ""));
                } catch (UnknownHostException e) {
                    promise.tryFailure(new UnknownHostException("cannot resolve target " + target + ": " + e.getMessage()));
                }
            });
        } catch (RejectedExecutionException e) {
            promise.tryFailure(new UnknownHostException("cannot resolve target " + target + ": resolver busy"));
        }
        return promise;
    }

    private void tryAddresses(EventLoop loop, List<InetAddress> addresses, int index, HostPort target,
                              ChannelHandler initializer, Promise<Channel> promise, String errors) {
        InetAddress address = addresses.get(index);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory((ChannelFactory<Channel>) () -> transport.newSocketChannel(address))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, socketOptions.keepAlive())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeouts.connect().toMillis()))
                .handler(initializer);
        transport.applyUpstreamOptions(bootstrap, socketOptions);
        bootstrap.connect(new InetSocketAddress(address, target.port())).addListener(f -> {
            if (f.isSuccess()) {
                promise.trySuccess(((io.netty.channel.ChannelFuture) f).channel());
                return;
            }
            String error = errors + (errors.isEmpty() ? "" : "; ") + address.getHostAddress() + ": "
                    + Failures.describe(f.cause());
            if (index + 1 < addresses.size()) {
                tryAddresses(loop, addresses, index + 1, target, initializer, promise, error);
            } else {
                promise.tryFailure(new java.net.ConnectException("cannot connect to target " + target + " (" + error + ")"));
            }
        });
    }

    /** The resolver's order within each family is kept; the preferred family goes first. */
    static List<InetAddress> preferred(InetAddress[] addresses, FamilyPreference family) {
        Class<? extends InetAddress> first = family == FamilyPreference.IPV6 ? Inet6Address.class : Inet4Address.class;
        List<InetAddress> ordered = new ArrayList<>(Arrays.asList(addresses));
        ordered.sort(Comparator.comparing(address -> first.isInstance(address) ? 0 : 1));
        return List.copyOf(ordered);
    }

    private static ExecutorService newResolverPool() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(RESOLVER_THREADS, RESOLVER_THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(RESOLVER_QUEUE), runnable -> {
                    Thread thread = new Thread(runnable, "eit-relay-resolver");
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
