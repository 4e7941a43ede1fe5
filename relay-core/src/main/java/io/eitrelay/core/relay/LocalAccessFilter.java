package io.eitrelay.core.relay;

import io.eitrelay.core.access.SocketOwners;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ipfilter.AbstractRemoteAddressFilter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of an accepted connection under {@link io.eitrelay.core.config.LocalAccess#PRIVILEGED}:
 * admits a privileged source port or a socket owned by root, closes anything else before a byte is
 * relayed, counts it and logs it once with the peer's uid.
 */
final class LocalAccessFilter extends AbstractRemoteAddressFilter<InetSocketAddress> {
    private static final Logger log = LoggerFactory.getLogger(LocalAccessFilter.class);
    /** Ports below this need CAP_NET_BIND_SERVICE: the kernel NFS client's "resvport" range. */
    static final int PRIVILEGED_PORT_LIMIT = 1024;
    private static final int ROOT_UID = 0;

    private final EndpointRuntime endpoint;
    private String owner = "unknown";

    LocalAccessFilter(EndpointRuntime endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    protected boolean accept(ChannelHandlerContext ctx, InetSocketAddress remote) {
        if (remote.getPort() < PRIVILEGED_PORT_LIMIT) {
            return true;
        }
        try {
            OptionalInt uid = SocketOwners.uidOf(remote, (InetSocketAddress) ctx.channel().localAddress());
            owner = uid.isPresent() ? "uid " + uid.getAsInt() : "an owner not in the socket table";
            return uid.isPresent() && uid.getAsInt() == ROOT_UID;
        } catch (IOException e) {
            owner = "an owner that could not be read (" + e.getMessage() + ")";
            return false;
        }
    }

    @Override
    protected ChannelFuture channelRejected(ChannelHandlerContext ctx, InetSocketAddress remote) {
        endpoint.stats().connectionRefused();
        if (!endpoint.logConnectionLine(true, log, ctx.channel().eventLoop())) {
            return null;
        }
        log.warn("[{}] refused a connection from {}:{} owned by {}: local access is for privileged source "
                + "ports (< {}) or root only, as the kernel NFS client connects", endpoint.config().name(),
                remote.getAddress().getHostAddress(), remote.getPort(), owner, PRIVILEGED_PORT_LIMIT);
        return null;
    }
}
