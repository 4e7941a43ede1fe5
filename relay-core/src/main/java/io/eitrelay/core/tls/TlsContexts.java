package io.eitrelay.core.tls;

import io.eitrelay.core.config.CipherSuite;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.Mode;
import io.eitrelay.core.config.PeerCheck;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.TlsSettings;
import io.eitrelay.core.config.TlsVersion;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Builds the immutable {@link SslContext} of an endpoint from its {@link TlsSettings}. */
public final class TlsContexts {
    private static final String IN_MEMORY_KEY_STORE = "JKS";
    private static final String JDK_REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    static {
        // BoringSSL never renegotiates, as server or client. The JDK provider, our fallback, accepts a
        // client's TLS 1.2 renegotiation request unless this is set, and reads it once, when its TLS
        // classes load: so set it before any is used, unless the user chose otherwise.
        if (System.getProperty(JDK_REJECT_RENEGOTIATION) == null) {
            System.setProperty(JDK_REJECT_RENEGOTIATION, "true");
        }
    }

    private TlsContexts() {
    }

    /** Resolves AUTO to OpenSSL (BoringSSL via netty-tcnative) when it loads, else the JDK provider. */
    public static SslProvider selectProvider(ProviderChoice choice) {
        switch (choice) {
            case JDK:
                return SslProvider.JDK;
            case OPENSSL:
                OpenSsl.ensureAvailability();
                return SslProvider.OPENSSL;
            default:
                return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        }
    }

    public static String describe(SslProvider provider) {
        return provider == SslProvider.JDK ? "JDK" : "OpenSSL (" + OpenSsl.versionString() + ")";
    }

    /**
     * The context for the TLS side of the endpoint: a client context toward the target in client
     * mode, a server context for accepted connections in server mode. Loads every file now, so a
     * bad certificate fails at start-up (and with {@code --check}), not at the first connection.
     */
    public static SslContext forEndpoint(EndpointConfig endpoint, SslProvider provider) throws TlsConfigException {
        TlsSettings tls = endpoint.tls().fipsApproved() ? FipsPolicy.restrict(endpoint.tls(), provider) : endpoint.tls();
        SslContextBuilder builder;
        if (endpoint.mode() == Mode.CLIENT) {
            builder = SslContextBuilder.forClient()
                    // Identity is checked by PeerTrustManager, which can name checkHost/checkIP.
                    .endpointIdentificationAlgorithm(null)
                    .trustManager(clientTrust(tls, endpoint.target().host()));
            if (tls.keyPair().isPresent()) {
                KeyPairFiles files = tls.keyPair().get();
                X509Certificate[] chain = readChain(files);
                builder.keyManager(readMatchingKey(files, chain), chain);
            }
        } else {
            KeyPairFiles files = tls.keyPair().orElseThrow(
                    () -> new TlsConfigException("server mode needs a certificate and key"));
            X509Certificate[] chain = readChain(files);
            builder = SslContextBuilder.forServer(readMatchingKey(files, chain), chain);
            if (tls.caFile().isPresent() && tls.verifyPeer()) {
                // A CA file on a server endpoint means: only clients with a certificate from it.
                builder.clientAuth(ClientAuth.REQUIRE)
                        .trustManager(new PeerTrustManager(caTrust(tls.caFile().get()),
                                new PeerCheck.ChainOnly(), tls.ocsp(), Clock.systemUTC()));
            }
        }
        // Netty puts our key into an in-memory KeyStore that is never written anywhere. The default type,
        // PKCS12, encrypts the key with 10,000 PBKDF2 rounds on the way in, ~200 ms of a drop-in's
        // start-up while the JIT is cold (helpers probe the port 50 ms apart); JKS protects it cheaply.
        builder.keyStoreType(IN_MEMORY_KEY_STORE)
                .sslProvider(provider)
                .protocols(tls.versions().stream().sorted().map(TlsVersion::protocolName).toList())
                .ciphers(cipherNames(tls), SupportedCipherSuiteFilter.INSTANCE);
        if (tls.fipsApproved()) {
            FipsPolicy.applyGroups(builder);
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsConfigException("TLS context for endpoint " + endpoint.name() + ": " + e.getMessage(), e);
        }
    }

    /** The certificate this endpoint presents, if any (for the expiry gauge and warnings). */
    public static java.util.Optional<X509Certificate> ownCertificate(EndpointConfig endpoint) throws TlsConfigException {
        if (endpoint.tls().keyPair().isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(readChain(endpoint.tls().keyPair().get())[0]);
    }

    /** TLS 1.3 suites must be listed for the JDK provider; stunnel's {@code ciphers} only covers TLS 1.2. */
    private static List<String> cipherNames(TlsSettings tls) {
        List<String> names = new ArrayList<>();
        boolean any13 = false;
        for (CipherSuite suite : tls.ciphers()) {
            if (tls.versions().contains(suite.version())) {
                names.add(suite.ianaName());
                any13 |= suite.version() == TlsVersion.TLS_1_3;
            }
        }
        if (tls.versions().contains(TlsVersion.TLS_1_3) && !any13) {
            for (CipherSuite suite : CipherSuite.values()) {
                if (suite.version() == TlsVersion.TLS_1_3) {
                    names.add(suite.ianaName());
                }
            }
        }
        return names;
    }

    private static TrustManager clientTrust(TlsSettings tls, String targetHost) throws TlsConfigException {
        if (!tls.verifyPeer()) {
            return InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0];
        }
        X509TrustManager chain = tls.caFile().isPresent() ? caTrust(tls.caFile().get()) : systemTrust();
        return new PeerTrustManager(chain, resolve(tls.peerCheck(), targetHost), tls.ocsp(), Clock.systemUTC());
    }

    /** The target's own identity: an IP literal is checked as an IP SAN, a name as a DNS SAN. */
    static PeerCheck resolve(PeerCheck check, String targetHost) throws TlsConfigException {
        if (!(check instanceof PeerCheck.TargetHost)) {
            return check;
        }
        if (NetUtil.isValidIpV4Address(targetHost) || NetUtil.isValidIpV6Address(targetHost)) {
            try {
                return new PeerCheck.Ip(InetAddress.getByName(targetHost));
            } catch (UnknownHostException e) {
                throw new TlsConfigException("target " + targetHost + " is not a valid IP address", e);
            }
        }
        return new PeerCheck.Host(targetHost);
    }

    static X509TrustManager caTrust(Path caFile) throws TlsConfigException {
        List<X509Certificate> anchors = PemFiles.readCertificates(caFile);
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < anchors.size(); i++) {
                store.setCertificateEntry("ca-" + i, anchors.get(i));
            }
            return x509(trustManagerFactory(store));
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new TlsConfigException(caFile + ": cannot use as trust anchors: " + e.getMessage(), e);
        }
    }

    private static X509TrustManager systemTrust() throws TlsConfigException {
        try {
            return x509(trustManagerFactory(null));
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException("system trust store: " + e.getMessage(), e);
        }
    }

    private static TrustManagerFactory trustManagerFactory(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory;
    }

    private static X509TrustManager x509(TrustManagerFactory factory) throws GeneralSecurityException {
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager available");
    }

    private static PrivateKey readMatchingKey(KeyPairFiles files, X509Certificate[] chain) throws TlsConfigException {
        PrivateKey key = PemFiles.readPrivateKey(files.privateKey());
        KeyPairCheck.requireMatch(key, chain[0], files);
        return key;
    }

    private static X509Certificate[] readChain(KeyPairFiles files) throws TlsConfigException {
        return PemFiles.readCertificates(files.certificateChain()).toArray(new X509Certificate[0]);
    }
}
