package io.eitrelay.core;

import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.transport.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The relay's event loops: one single-thread loop per storage endpoint, that is per target
 * {@code host:port}. Every listener relaying to that server, and all their connections, share it: a
 * host with a thousand mounts of one file system runs one thread for them, not a thousand (each
 * thread costs ~100 KB of stack and a 48 KB epoll event array, benchmarks/TUNING.md), while a busy
 * or stalled server still cannot hold up the loop of another.
 */
final class EventLoops {
    private final Transport transport;
    private final Map<String, EventLoopGroup> byTarget = new LinkedHashMap<>();

    EventLoops(Transport transport) {
        this.transport = transport;
    }

    /** The loop of {@code target}'s storage endpoint, started on first use. */
    synchronized EventLoopGroup forTarget(HostPort target) {
        return byTarget.computeIfAbsent(key(target), k -> transport.newGroup(1, new DefaultThreadFactory("eit-relay-" + k, true)));
    }

    /**
     * Stops {@code target}'s loop once nothing uses it any more (its last endpoint removed, or the add
     * that started it failed): a daemon whose mounts come and go across many servers keeps no idle thread
     * per server it ever served. The caller guarantees no listener of that target remains.
     */
    synchronized void release(HostPort target) {
        EventLoopGroup group = byTarget.remove(key(target));
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** True when both targets are served by one loop (the same storage endpoint). */
    boolean sameLoop(HostPort a, HostPort b) {
        return key(a).equals(key(b));
    }

    private static String key(HostPort target) {
        return target.host().toLowerCase(Locale.ROOT) + ":" + target.port();
    }

    /** Stops every loop, waiting up to five seconds in all. */
    synchronized void shutdown() {
        List<Future<?>> stopping = new ArrayList<>();
        for (EventLoopGroup group : byTarget.values()) {
            stopping.add(group.shutdownGracefully(0, 1, TimeUnit.SECONDS));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Future<?> future : stopping) {
            future.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        byTarget.clear();
    }
}
