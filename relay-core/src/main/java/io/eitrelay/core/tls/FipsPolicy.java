package io.eitrelay.core.tls;

import io.eitrelay.core.config.CipherSuite;
import io.eitrelay.core.config.TlsSettings;
import io.eitrelay.core.config.TlsVersion;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * FIPS-approved algorithms only (NIST SP 800-52r2: AES-GCM suites, ECDHE over P-256/P-384), as
 * {@code fips = yes} or a host booted with fips_enabled asks. What the TLS library here can and cannot
 * honour decides the shape:
 * <ul>
 * <li>BoringSSL (netty-tcnative) always enables TLS 1.3's ChaCha20-Poly1305 suite, so TLS 1.3 is left
 *     out and TLS 1.2 carries the connection with its AES-GCM suites;</li>
 * <li>key-exchange groups are set per context through tcnative's GROUPS option; the JDK provider on
 *     Java 17 has only a process-wide setting, so the policy refuses it with a message.</li>
 * </ul>
 * This restricts algorithms; it does not make the library a FIPS 140 validated module, and the start-up
 * line says so.
 */
public final class FipsPolicy {
    /** The approved groups, in OpenSSL's names (RFC 8422 secp256r1 and secp384r1). */
    static final String[] GROUPS = {"P-256", "P-384"};

    private FipsPolicy() {
    }

    /** The settings narrowed to what the policy allows with {@code provider}, or why it cannot be honoured. */
    static TlsSettings restrict(TlsSettings tls, SslProvider provider) throws TlsConfigException {
        if (provider == SslProvider.JDK) {
            throw new TlsConfigException("FIPS policy (fips = yes, or the host's fips_enabled) needs the OpenSSL "
                    + "TLS provider: the JDK provider on Java 17 cannot limit key exchange to P-256/P-384 per endpoint");
        }
        if (!tls.versions().contains(TlsVersion.TLS_1_2)) {
            throw new TlsConfigException("FIPS policy: TLS 1.3 cannot be limited to AES-GCM by BoringSSL, and TLS 1.2 "
                    + "is not allowed here; allow TLS 1.2 (sslVersion / --tls-version)");
        }
        List<CipherSuite> approved = tls.ciphers().stream().filter(FipsPolicy::approved).toList();
        if (approved.isEmpty()) {
            throw new TlsConfigException("FIPS policy: none of the configured ciphers is a FIPS-approved TLS 1.2 "
                    + "suite (ECDHE with AES-GCM, or AES-GCM)");
        }
        return tls.withVersions(EnumSet.of(TlsVersion.TLS_1_2)).withCiphers(approved);
    }

    static void applyGroups(SslContextBuilder builder) {
        builder.option(OpenSslContextOption.GROUPS, GROUPS.clone());
    }

    static boolean approved(CipherSuite suite) {
        return suite.version() == TlsVersion.TLS_1_2 && suite.ianaName().contains("_AES_") && suite.ianaName().contains("_GCM_");
    }

    /** The start-up line: what is enforced and what it is not. */
    public static String describe(Set<TlsVersion> versions) {
        return "FIPS policy: TLS 1.2 with AES-GCM suites and P-256/P-384 key exchange only"
                + (versions.contains(TlsVersion.TLS_1_3) ? " (TLS 1.3 left out: BoringSSL cannot exclude ChaCha20 there)" : "")
                + "; the TLS library is BoringSSL, not a FIPS 140 validated module";
    }
}
