package io.eitrelay.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.eitrelay.core.pki.IssuedCertificate;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.cert.ocsp.jcajce.JcaBasicOCSPRespBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * A real OCSP responder on loopback (RFC 6960 over HTTP POST), built with Bouncy Castle, answering for
 * the certificates of one CA: good unless told otherwise per serial. It can also answer wrongly in the
 * ways a broken or hostile responder would (error status, garbage, stale, wrong signer) and hold its
 * answers back until released, for tests of what the relay does with each.
 */
public final class OcspResponder implements AutoCloseable {
    /** What the responder says about a serial. */
    public enum Answer { GOOD, REVOKED, UNKNOWN, TRY_LATER, GARBAGE, HTTP_ERROR, STALE, WRONG_SIGNER }

    private final HttpServer server;
    private final X509Certificate issuer;
    private final PrivateKey issuerKey;
    private final Map<BigInteger, Answer> answers = new ConcurrentHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();
    private volatile IssuedCertificate delegate;
    private volatile CountDownLatch hold = new CountDownLatch(0);

    public OcspResponder(X509Certificate issuer, PrivateKey issuerKey) throws IOException {
        this.issuer = issuer;
        this.issuerKey = issuerKey;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "ocsp-responder");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/ocsp";
    }

    public void answer(X509Certificate certificate, Answer answer) {
        answers.put(certificate.getSerialNumber(), answer);
    }

    /** Signs from now on with a delegated responder certificate (included in each response). */
    public void signWith(IssuedCertificate delegated) {
        this.delegate = delegated;
    }

    /** Holds every answer until {@code latch} opens (at most 30 s). */
    public void holdUntil(CountDownLatch latch) {
        this.hold = latch;
    }

    public int queries() {
        return queries.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            queries.incrementAndGet();
            hold.await(30, TimeUnit.SECONDS);
            OCSPReq request = new OCSPReq(exchange.getRequestBody().readNBytes(64 * 1024));
            Answer answer = Answer.GOOD;
            for (Req one : request.getRequestList()) {
                answer = answers.getOrDefault(one.getCertID().getSerialNumber(), Answer.GOOD);
            }
            if (answer == Answer.HTTP_ERROR) {
                exchange.sendResponseHeaders(500, -1);
                return;
            }
            byte[] body = answer == Answer.GARBAGE ? "not an OCSP response".getBytes(java.nio.charset.StandardCharsets.US_ASCII)
                    : answer == Answer.TRY_LATER ? new OCSPRespBuilder().build(OCSPRespBuilder.TRY_LATER, null).getEncoded()
                    : respond(request, answer);
            exchange.getResponseHeaders().set("Content-Type", "application/ocsp-response");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IOException("test responder failed: " + e, e);
        }
    }

    private byte[] respond(OCSPReq request, Answer answer) throws Exception {
        IssuedCertificate delegated = delegate;
        PublicKey signerPublic = delegated != null ? delegated.certificate().getPublicKey() : issuer.getPublicKey();
        PrivateKey signerKey = delegated != null ? delegated.privateKey() : issuerKey;
        if (answer == Answer.WRONG_SIGNER) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            signerKey = generator.generateKeyPair().getPrivate();
        }
        BasicOCSPRespBuilder builder = new JcaBasicOCSPRespBuilder(signerPublic,
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1));
        Instant now = Instant.now();
        for (Req one : request.getRequestList()) {
            CertificateStatus status = switch (answer) {
                case REVOKED -> new RevokedStatus(Date.from(now.minus(Duration.ofHours(1))), CRLReason.keyCompromise);
                case UNKNOWN -> new UnknownStatus();
                default -> CertificateStatus.GOOD;
            };
            Instant thisUpdate = answer == Answer.STALE ? now.minus(Duration.ofDays(2)) : now.minus(Duration.ofMinutes(5));
            Instant nextUpdate = answer == Answer.STALE ? now.minus(Duration.ofDays(1)) : now.plus(Duration.ofHours(1));
            builder.addResponse(one.getCertID(), status, Date.from(thisUpdate), Date.from(nextUpdate));
        }
        X509CertificateHolder[] chain = delegated != null
                ? new X509CertificateHolder[] {new JcaX509CertificateHolder(delegated.certificate())} : null;
        return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL,
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signerKey), chain, new Date())).getEncoded();
    }

    @Override
    public void close() {
        hold = new CountDownLatch(0);
        server.stop(0);
    }
}
