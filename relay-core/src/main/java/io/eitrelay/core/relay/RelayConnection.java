package io.eitrelay.core.relay;

import io.eitrelay.core.EndpointStats;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.Mode;
import io.eitrelay.core.config.SocketOptions;
import io.eitrelay.core.tls.SessionResumption;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One relayed connection: the accepted (frontend) channel and the channel to the target (backend).
 * Both are registered on the frontend's event loop, so every method here runs on that one thread and
 * needs no locking.
 *
 * <p>It records the first reason the pair failed and logs exactly one line for it when both channels
 * are closed; nothing it does touches the listener or any other connection.
 */
final class RelayConnection {
    private static final Logger log = LoggerFactory.getLogger(RelayConnection.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final EndpointRuntime endpoint;
    /** The endpoint's counters, or for the relay's own health probe its own ({@link EndpointRuntime#probeStarting}). */
    private final EndpointStats stats;
    private final boolean probe;
    private final Generation generation;
    private final Channel frontend;
    private final long id = IDS.incrementAndGet();
    private final long startNanos = System.nanoTime();
    private Channel backend;
    private long tlsStartNanos;
    private String failure;
    private boolean frontendInputDone;
    private boolean backendInputDone;
    private boolean finished;
    private boolean halfClosed;
    private boolean relaying;
    private boolean frontendEndedEarly;
    private boolean backendEndedEarly;
    /** Which side ended the stream first (FIN or close), for the closing line: "the client" or "the target". */
    private String endedFirst;
    private long bytesToTarget;
    private long bytesFromTarget;
    /** Read before the other side was ready; bounded by one read each, since AUTO_READ is off. */
    private final List<Object> heldFromFrontend = new ArrayList<>();
    private final List<Object> heldFromBackend = new ArrayList<>();

    RelayConnection(EndpointRuntime endpoint, Generation generation, Channel frontend, EndpointStats stats) {
        this.endpoint = endpoint;
        this.stats = stats;
        this.probe = stats != endpoint.stats();
        this.generation = generation;
        this.frontend = frontend;
        this.tlsStartNanos = startNanos;
        stats.connectionOpened();
        frontend.closeFuture().addListener(f -> maybeFinish());
        if (!probe && log.isDebugEnabled()) {
            log.debug("[{}] #{} accepted from {} on {}", config().name(), id, frontend.remoteAddress(), frontend.localAddress());
        }
    }

    EndpointConfig config() {
        return generation.config();
    }

    Generation generation() {
        return generation;
    }

    EndpointStats stats() {
        return stats;
    }

    /** The frontend is ready (accepted; TLS handshake done in server mode): open the target side. */
    void dial() {
        generation.dialer().connect(frontend.eventLoop(), config().target(),
                endpoint.initializer().backend(this)).addListener(f -> {
                    if (!f.isSuccess()) {
                        fail(f.cause().getMessage());
                    } else if (!probe && log.isDebugEnabled()) {
                        Channel channel = (Channel) f.getNow();
                        log.debug("[{}] #{} connected to {} ({}) from {}", config().name(), id, config().target(),
                                channel.remoteAddress(), channel.localAddress());
                    }
                });
    }

    void backendRegistered(Channel channel) {
        backend = channel;
        channel.closeFuture().addListener(f -> maybeFinish());
        if (!frontend.isActive()) {
            channel.close();
        }
    }

    /**
     * Both sides are ready: swap the gate handlers for relay handlers and start reading both ways.
     * Messages the gates held (read before the other side was up) are forwarded first.
     */
    void established() {
        if (relaying || !frontend.isActive() || backend == null || !backend.isActive()) {
            closeBoth();
            return;
        }
        relaying = true;
        RelayInitializer init = endpoint.initializer();
        init.startRelaying(frontend, backend, this, true, drain(heldFromFrontend));
        init.startRelaying(backend, frontend, this, false, drain(heldFromBackend));
        if (frontendEndedEarly) {
            inputEnded(frontend);
        }
        if (backendEndedEarly) {
            inputEnded(backend);
        }
        SslHandler tls = (config().mode() == Mode.CLIENT ? backend : frontend).pipeline().get(SslHandler.class);
        String tlsInfo = "";
        if (tls != null) {
            SSLSession session = tls.engine().getSession();
            SessionResumption resumption = SessionResumption.of(tls.engine());
            stats.tlsEstablished(session.getProtocol(), session.getCipherSuite(), System.nanoTime() - tlsStartNanos,
                    resumption);
            java.util.Optional<java.security.cert.X509Certificate> peer = peerCertificate(session);
            peer.ifPresent(certificate -> endpoint.certificateSeen(certificate, false));
            tlsInfo = " " + session.getProtocol() + " " + session.getCipherSuite() + (resumption == SessionResumption.RESUMED ? " resumed" : "")
                    + peer.map(x509 -> " peer "
                    + x509.getSubjectX500Principal().getName() + " (expires " + x509.getNotAfter().toInstant() + ")")
                    .orElse("");
        }
        if (probe || endpoint.logConnectionLine(false, log, frontend.eventLoop())) {
            log.atLevel(probe ? Level.DEBUG : Level.INFO).log("[{}] #{} {} -> {} ({}) established{}", config().name(), id,
                    frontend.remoteAddress(), config().target(), backend.remoteAddress(), tlsInfo);
        }
    }

    /** The peer's leaf certificate, when it presented one (a server endpoint may not ask clients for one). */
    private static java.util.Optional<java.security.cert.X509Certificate> peerCertificate(SSLSession session) {
        try {
            java.security.cert.Certificate[] chain = session.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate x509) {
                return java.util.Optional.of(x509);
            }
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            // none presented
        }
        return java.util.Optional.empty();
    }

    /** The TCP connection to the target is up and its TLS handshake begins now (client mode). */
    void tlsStarted() {
        tlsStartNanos = System.nanoTime();
    }

    /** A TLS handshake on either side failed: counted by category; the caller fails the connection. */
    void handshakeFailed(Throwable cause) {
        stats.handshakeFailed(io.eitrelay.core.tls.TlsFailures.category(cause));
    }

    /** A gate handler read {@code msg} before the pair was established. */
    void hold(boolean fromFrontend, Object msg) {
        if (finished) {
            ReferenceCountUtil.release(msg);
        } else {
            (fromFrontend ? heldFromFrontend : heldFromBackend).add(msg);
        }
    }

    /** A gate saw EOF before the pair was established. */
    void inputEndedEarly(boolean fromFrontend) {
        endedBy(fromFrontend ? frontend : backend);
        if (relaying) {
            inputEnded(fromFrontend ? frontend : backend);
        } else if (fromFrontend) {
            frontendEndedEarly = true;
        } else {
            backendEndedEarly = true;
        }
    }

    private static List<Object> drain(List<Object> held) {
        List<Object> copy = List.copyOf(held);
        held.clear();
        return copy;
    }

    void countBytes(boolean fromFrontend, int bytes) {
        if (fromFrontend) {
            bytesToTarget += bytes;
            stats.toTarget(bytes);
        } else {
            bytesFromTarget += bytes;
            stats.fromTarget(bytes);
        }
    }

    /** Closes both channels; the first reason given is the one logged. */
    void fail(String reason) {
        recordFailure(reason == null ? "unknown error" : reason);
        closeBoth();
    }

    /** The first reason is the one logged; a probe's is handed to its health check before anything closes. */
    private void recordFailure(String reason) {
        if (failure == null) {
            failure = reason;
            stats.failureSeen(reason);
            if (probe) {
                endpoint.probeFailed(frontend.remoteAddress(), reason);
            }
        }
    }

    /**
     * The target stopped answering (link cut, host gone): the kernel gave up on it within the dead-target
     * bound. The client gets a reset so the NFS client reconnects at once instead of retransmitting into
     * a connection that will never answer.
     */
    void targetSilent(Channel backendChannel) {
        if (failure == null) {
            stats.targetSilent();
        }
        SocketOptions socket = config().socket();
        reset(backendChannel, "target stopped answering: no acknowledgement or keepalive reply within "
                + (socket.tcpUserTimeout().isZero() ? socket.keepAliveBound() : socket.tcpUserTimeout()).toSeconds()
                + " s (dead-target bound)");
        backendChannel.close();
    }

    /**
     * A reset on one side becomes a reset on the other: SO_LINGER 0 makes close() send RST, so the
     * kernel NFS client (or the server) learns at once that the stream is gone instead of waiting.
     */
    void reset(Channel side, String reason) {
        recordFailure(reason);
        Channel other = partnerOf(side);
        if (other != null && other.isOpen()) {
            // Straight to the socket: through the pipeline, SslHandler would first send close_notify,
            // which the far side reads as an orderly end of stream instead of a reset.
            other.config().setOption(ChannelOption.SO_LINGER, 0);
            other.unsafe().close(other.voidPromise());
        }
        side.close();
    }

    /**
     * Half-close: the peer on {@code side} sent FIN. Once everything read from it has been written to
     * the partner, FIN the partner's output too (plain TCP shutdown below any TLS layer: Netty's engines
     * close both directions on close_notify, which would cut the reply still flowing back). When both
     * directions have ended, the pair closes.
     */
    void inputEnded(Channel side) {
        endedBy(side);
        if (side == frontend) {
            if (frontendInputDone) {
                return;
            }
            frontendInputDone = true;
        } else {
            if (backendInputDone) {
                return;
            }
            backendInputDone = true;
        }
        Channel other = partnerOf(side);
        if (frontendInputDone && backendInputDone) {
            closeAfterFlush(frontend);
            closeAfterFlush(backend);
        } else if (other != null && other.isActive()) {
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess() && other instanceof DuplexChannel duplex) {
                    duplex.shutdownOutput();
                    config().timeouts().closing().ifPresent(this::closeWithin);
                } else {
                    fail("could not pass on the half-close: " + f.cause());
                }
            });
        }
    }

    /**
     * stunnel's TIMEOUTclose, once one direction has ended: its transfer loop then waits this long
     * (not TIMEOUTidle) for the other, so 0 closes the pair as soon as what was read is written. Here:
     * the frontend's idle timer, which sees both directions, is swapped for one of this length.
     */
    private void closeWithin(java.time.Duration closing) {
        halfClosed = true;
        if (closing.isZero()) {
            closeAfterFlush(frontend);
            closeAfterFlush(backend);
            return;
        }
        IdleStateHandler timer = new IdleStateHandler(0, 0, closing.toMillis(), TimeUnit.MILLISECONDS);
        if (frontend.pipeline().get(RelayInitializer.IDLE) != null) {
            frontend.pipeline().replace(RelayInitializer.IDLE, RelayInitializer.IDLE, timer);
        } else {
            frontend.pipeline().addFirst(RelayInitializer.IDLE, timer);
        }
    }

    /** The frontend's idle timer fired: TIMEOUTidle, or TIMEOUTclose after a half-close. */
    void idle() {
        fail(halfClosed
                ? "close timeout: half-closed and no data for " + config().timeouts().closing().orElseThrow().toMillis() + " ms"
                : "idle timeout: no data in either direction for " + config().timeouts().idle().toMillis() + " ms");
    }

    /** One side closed: flush what it sent to the partner, then close the partner. */
    void sideClosed(Channel side) {
        Channel other = partnerOf(side);
        if (other != null) {
            closeAfterFlush(other);
        }
    }

    /** A FIN from {@code side}; a close without one first is the relay's own (shutdown, removal, timeout). */
    private void endedBy(Channel side) {
        if (endedFirst == null) {
            endedFirst = side == frontend ? "the client" : "the target";
        }
    }

    private void closeBoth() {
        frontend.close();
        if (backend != null) {
            backend.close();
        }
    }

    private static void closeAfterFlush(Channel channel) {
        if (channel != null && channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else if (channel != null) {
            channel.close();
        }
    }

    private Channel partnerOf(Channel side) {
        return side == frontend ? backend : frontend;
    }

    private void maybeFinish() {
        if (finished || frontend.isOpen() || (backend != null && backend.isOpen())) {
            return;
        }
        finished = true;
        heldFromFrontend.forEach(ReferenceCountUtil::release);
        heldFromBackend.forEach(ReferenceCountUtil::release);
        heldFromFrontend.clear();
        heldFromBackend.clear();
        stats.connectionClosed(failure != null);
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        // As stunnel's closing line at its default level (LOG5 "Connection closed: N byte(s) sent to TLS, M
        // byte(s) sent to socket"): what moved, so a hung or cut mount shows which way data stopped.
        if (!probe && !endpoint.logConnectionLine(failure != null, log, frontend.eventLoop())) {
            return;
        }
        if (failure != null) {
            log.atLevel(probe ? Level.DEBUG : Level.WARN).log("[{}] #{} {} -> {} closed after {} ms, {} bytes to target, "
                    + "{} from it: {}", config().name(), id, frontend.remoteAddress(), config().target(), millis,
                    bytesToTarget, bytesFromTarget, failure);
        } else {
            log.atLevel(probe ? Level.DEBUG : Level.INFO).log("[{}] #{} {} -> {} closed after {} ms, {} bytes to target, "
                    + "{} from it, ended by {}", config().name(), id, frontend.remoteAddress(), config().target(), millis,
                    bytesToTarget, bytesFromTarget, endedFirst == null ? "the relay" : endedFirst);
        }
    }
}
