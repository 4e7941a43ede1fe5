package io.eitrelay.core.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLEngine;

/**
 * The TLS handler of a client-mode connection to the target, refusing renegotiation with either
 * provider. Netty lets a BoringSSL client renegotiate once, for servers that ask for a client
 * certificate that way; we never do (a peer asking is refused, as stunnel's {@code renegotiation = no}).
 */
public final class ClientEngines {
    private static final String BORINGSSL = "BoringSSL";
    private ClientEngines() {
    }

    /** @param tasks runs the engine's delegated tasks (see {@link HandshakeTasks}); null: the event loop */
    public static SslHandler newHandler(SslContext context, ByteBufAllocator alloc, String peerHost, int peerPort,
                                        Executor tasks) {
        if (context instanceof JdkSslContext) {
            // The JDK engine has no such setting: wrapped.
            SSLEngine engine = new NoRenegotiationEngine(context.newEngine(alloc, peerHost, peerPort));
            return tasks == null ? new SslHandler(engine) : new SslHandler(engine, tasks);
        }
        SslHandler handler = tasks == null ? context.newHandler(alloc, peerHost, peerPort)
                : context.newHandler(alloc, peerHost, peerPort, tasks);
        if (handler.engine() instanceof ReferenceCountedOpenSslEngine openSsl && BORINGSSL.equals(OpenSsl.versionString())) {
            // Set before the handshake starts (the channel is not connected yet). A HelloRequest is then
            // answered with a fatal no_renegotiation alert. (OpenSSL proper would need SSL_OP_NO_RENEGOTIATION;
            // the BoringSSL build is the one shipped.)
            try {
                SSL.setRenegotiateMode(openSsl.sslPointer(), SSL.SSL_RENEGOTIATE_NEVER);
            } catch (Exception e) {
                ReferenceCountUtil.release(openSsl);
                throw new IllegalStateException("cannot turn TLS renegotiation off: " + e.getMessage(), e);
            }
        }
        return handler;
    }
}
