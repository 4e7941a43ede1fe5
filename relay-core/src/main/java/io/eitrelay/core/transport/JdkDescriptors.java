package io.eitrelay.core.transport;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.channels.ServerSocketChannel;

/**
 * The file descriptor of a listener the JDK bound, so that Netty's epoll transport can take it over
 * ({@code EpollServerSocketChannel(int fd)}). The JDK has no public accessor; its channels implement
 * {@code sun.nio.ch.SelChImpl#getFDVal}, which is readable when java.base exports {@code sun.nio.ch} to
 * this code: {@code eit-relay.jar}'s manifest says so ({@code Add-Exports}), a program embedding
 * relay-core passes {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}. Without the export the
 * relay binds its listeners with Netty instead, later in start-up.
 */
public final class JdkDescriptors {
    private static final String INTERNAL_PACKAGE = "sun.nio.ch";
    private static final Method GET_FD_VAL = lookup();

    private JdkDescriptors() {
    }

    /** True when {@link #of} can read descriptors in this JVM. */
    public static boolean available() {
        return GET_FD_VAL != null;
    }

    /** The descriptor of {@code channel}; the channel keeps owning it until the caller hands it on. */
    static int of(ServerSocketChannel channel) {
        if (GET_FD_VAL == null || !GET_FD_VAL.getDeclaringClass().isInstance(channel)) {
            throw new IllegalStateException("the descriptor of " + channel + " is not readable");
        }
        try {
            return (Integer) GET_FD_VAL.invoke(channel);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("the descriptor of " + channel + " is not readable", e);
        }
    }

    private static Method lookup() {
        if (!Object.class.getModule().isExported(INTERNAL_PACKAGE, JdkDescriptors.class.getModule())) {
            return null;
        }
        try {
            return Class.forName(INTERNAL_PACKAGE + ".SelChImpl").getMethod("getFDVal");
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
