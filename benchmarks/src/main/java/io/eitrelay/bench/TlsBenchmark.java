package io.eitrelay.bench;

import io.eitrelay.core.config.CipherSuite;
import io.eitrelay.core.config.RecordFraming;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.TlsSettings;
import io.eitrelay.core.tls.TlsContexts;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How fast does each TLS provider seal and open the relay's records? Two engines of the chosen
 * provider complete a real handshake in memory (the relay's own TlsContexts, so the same settings),
 * then each operation moves one {@code chunkBytes} plaintext chunk. The {@code bytes} counter is the
 * plaintext rate; compare it with {@code openssl speed -evp aes-128-gcm} (the AES-GCM floor).
 *
 * <p>BoringSSL cannot be told which TLS 1.3 suite to use (it picks AES-128-GCM on AES hardware), so
 * for {@code TLS_AES_256_GCM_SHA384} with OPENSSL the server engine is the JDK's, offering only that
 * suite: {@link #seal} still measures BoringSSL alone; {@link #sealAndOpen} is then mixed.
 */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class TlsBenchmark {
    @Param({"OPENSSL", "JDK"})
    ProviderChoice provider;

    @Param({"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"})
    CipherSuite suite;

    @Param({"1024", "16384", "65536", "1048576"})
    int chunkBytes;

    private BenchPki pki;
    private SSLEngine client;
    private SSLEngine server;
    private ByteBuffer plain;
    private ByteBuffer sealed;
    private ByteBuffer opened;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        BenchLogging.warningsOnly();
        pki = new BenchPki();
        TlsSettings tls = TlsSettings.defaults().withVersions(EnumSet.of(suite.version())).withCiphers(List.of(suite));
        SslProvider clientProvider = TlsContexts.selectProvider(provider);
        boolean boringTls13Aes256 = provider == ProviderChoice.OPENSSL && suite == CipherSuite.TLS_AES_256_GCM_SHA384;
        SslProvider serverProvider = boringTls13Aes256 ? SslProvider.JDK : clientProvider;
        SslContext clientContext = TlsContexts.forEndpoint(pki.client(443, tls, RecordFraming.off()), clientProvider);
        SslContext serverContext = TlsContexts.forEndpoint(pki.server(2049, tls, RecordFraming.off()), serverProvider);
        client = clientContext.newEngine(ByteBufAllocator.DEFAULT, BenchPki.SERVER_NAME, 443);
        server = serverContext.newEngine(ByteBufAllocator.DEFAULT);
        int records = chunkBytes / 16384 + 2;
        plain = ByteBuffer.allocateDirect(chunkBytes);
        byte[] random = new byte[chunkBytes];
        ThreadLocalRandom.current().nextBytes(random);
        plain.put(random).flip();
        sealed = ByteBuffer.allocateDirect(chunkBytes + records * client.getSession().getPacketBufferSize());
        opened = ByteBuffer.allocateDirect(chunkBytes + 2 * server.getSession().getApplicationBufferSize());
        handshake();
        String negotiated = client.getSession().getCipherSuite();
        if (!negotiated.equals(suite.ianaName())) {
            throw new IllegalStateException("negotiated " + negotiated + ", wanted " + suite.ianaName());
        }
    }

    /**
     * Both engines wrap and unwrap in turn until each has reported FINISHED (the scheme of Netty's own
     * SSLEngine tests): status polling alone is unreliable across providers before the first flight.
     */
    private void handshake() throws SSLException {
        ByteBuffer empty = ByteBuffer.allocate(0);
        ByteBuffer toServer = ByteBuffer.allocateDirect(1 << 17);
        ByteBuffer toClient = ByteBuffer.allocateDirect(1 << 17);
        ByteBuffer sink = ByteBuffer.allocateDirect(1 << 17);
        client.beginHandshake();
        server.beginHandshake();
        boolean clientDone = false;
        boolean serverDone = false;
        for (int round = 0; round < 100 && !(clientDone && serverDone); round++) {
            clientDone |= finished(client, client.wrap(empty, toServer));
            serverDone |= finished(server, server.wrap(empty, toClient));
            toServer.flip();
            toClient.flip();
            clientDone |= finished(client, client.unwrap(toClient, sink));
            sink.clear();
            serverDone |= finished(server, server.unwrap(toServer, sink));
            sink.clear();
            toServer.compact();
            toClient.compact();
        }
        if (!(clientDone && serverDone)) {
            throw new IllegalStateException("handshake did not finish in 100 rounds: client " + client.getHandshakeStatus()
                    + ", server " + server.getHandshakeStatus());
        }
    }

    private static boolean finished(SSLEngine engine, SSLEngineResult result) {
        if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
            for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                task.run();
            }
        }
        return result.getHandshakeStatus() == HandshakeStatus.FINISHED;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ReferenceCountUtil.release(client);
        ReferenceCountUtil.release(server);
        pki.close();
    }

    /** Encryption only: the client engine turns the chunk into TLS records. */
    @Benchmark
    public int seal(MovedBytes moved) throws SSLException {
        sealed.clear();
        int n = wrapAll();
        moved.bytes += chunkBytes;
        return n;
    }

    /** Both halves of the relay's work on one chunk: sealed by the client, opened by the server. */
    @Benchmark
    public int sealAndOpen(MovedBytes moved) throws SSLException {
        sealed.clear();
        wrapAll();
        sealed.flip();
        opened.clear();
        while (sealed.hasRemaining()) {
            SSLEngineResult result = server.unwrap(sealed, opened);
            if (result.getStatus() != SSLEngineResult.Status.OK) {
                throw new IllegalStateException("unwrap: " + result);
            }
        }
        moved.bytes += chunkBytes;
        return opened.position();
    }

    private int wrapAll() throws SSLException {
        plain.rewind();
        while (plain.hasRemaining()) {
            SSLEngineResult result = client.wrap(plain, sealed);
            if (result.getStatus() != SSLEngineResult.Status.OK) {
                throw new IllegalStateException("wrap: " + result);
            }
        }
        return sealed.position();
    }
}
