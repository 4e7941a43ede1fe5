package io.eitrelay.core.transport;

import io.netty.channel.Channel;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.Native;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works around a Netty 4.2.18 epoll bug that loses data after a half-close.
 *
 * <p>When a channel's interest set becomes empty (input shut down by the peer's FIN, nothing pending
 * to write), {@code EpollIoHandler} removes the fd from epoll (EPOLL_CTL_DEL) but keeps the
 * registration marked as added. The next time a write hits EAGAIN, asking for EPOLLOUT is an
 * EPOLL_CTL_MOD on an fd epoll no longer knows: ENOENT, thrown as an unchecked exception, which Netty
 * answers by shutting the channel's output. The reply to a client that half-closed is cut short.
 *
 * <p>Adding EPOLLERR to the interest set keeps it from ever becoming empty, so the fd stays
 * registered. The kernel reports EPOLLERR whether asked or not (epoll_ctl(2)), so this changes no
 * event delivery. {@code setFlag} is protected, hence reflection; if it is unavailable (another
 * Netty version) the relay logs once and runs without the workaround.
 */
final class EpollHalfCloseWorkaround {
    private static final Logger log = LoggerFactory.getLogger(EpollHalfCloseWorkaround.class);
    private static final Method SET_FLAG = findSetFlag();

    private EpollHalfCloseWorkaround() {
    }

    static void apply(Channel channel) {
        if (SET_FLAG == null || !(channel instanceof AbstractEpollStreamChannel)) {
            return;
        }
        try {
            SET_FLAG.invoke(channel, Native.EPOLLERR);
        } catch (IllegalAccessException | InvocationTargetException e) {
            channel.pipeline().fireExceptionCaught(e.getCause() == null ? e : e.getCause());
        }
    }

    private static Method findSetFlag() {
        try {
            // Declared on the package-private AbstractEpollChannel, superclass of AbstractEpollStreamChannel.
            Method method = AbstractEpollStreamChannel.class.getSuperclass().getDeclaredMethod("setFlag", int.class);
            method.setAccessible(true);
            return method;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("epoll half-close workaround unavailable ({}); a reply after a client's half-close may be cut", e.toString());
            return null;
        }
    }
}
