package io.eitrelay.core.config;

import java.util.EnumSet;
import java.util.Set;

/**
 * The AEAD cipher suites the relay can be configured with, each under its IANA name (what JSSE and
 * Netty take) and its OpenSSL name (what stunnel configs carry). CBC and other non-AEAD suites are
 * deliberately absent, so they cannot be configured at all.
 */
public enum CipherSuite {
    // TLS 1.3 (RFC 8446 §B.4). BoringSSL always enables these three and ignores selection among them.
    TLS_AES_128_GCM_SHA256("TLS_AES_128_GCM_SHA256", TlsVersion.TLS_1_3, true),
    TLS_AES_256_GCM_SHA384("TLS_AES_256_GCM_SHA384", TlsVersion.TLS_1_3, true),
    TLS_CHACHA20_POLY1305_SHA256("TLS_CHACHA20_POLY1305_SHA256", TlsVersion.TLS_1_3, true),
    // TLS 1.2 with forward secrecy: the default set.
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256("ECDHE-ECDSA-AES128-GCM-SHA256", TlsVersion.TLS_1_2, true),
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384("ECDHE-ECDSA-AES256-GCM-SHA384", TlsVersion.TLS_1_2, true),
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256("ECDHE-RSA-AES128-GCM-SHA256", TlsVersion.TLS_1_2, true),
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384("ECDHE-RSA-AES256-GCM-SHA384", TlsVersion.TLS_1_2, true),
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256("ECDHE-ECDSA-CHACHA20-POLY1305", TlsVersion.TLS_1_2, true),
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256("ECDHE-RSA-CHACHA20-POLY1305", TlsVersion.TLS_1_2, true),
    // TLS 1.2 AEAD without forward secrecy: only when named (alinas writes AES256-GCM-SHA384).
    TLS_RSA_WITH_AES_128_GCM_SHA256("AES128-GCM-SHA256", TlsVersion.TLS_1_2, false),
    TLS_RSA_WITH_AES_256_GCM_SHA384("AES256-GCM-SHA384", TlsVersion.TLS_1_2, false);

    private final String openSslName;
    private final TlsVersion version;
    private final boolean inDefaultSet;

    CipherSuite(String openSslName, TlsVersion version, boolean inDefaultSet) {
        this.openSslName = openSslName;
        this.version = version;
        this.inDefaultSet = inDefaultSet;
    }

    /** The IANA / JSSE name, e.g. {@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}. */
    public String ianaName() {
        return name();
    }

    /** The OpenSSL name, e.g. {@code ECDHE-RSA-AES128-GCM-SHA256}; TLS 1.3 suites use the IANA name. */
    public String openSslName() {
        return openSslName;
    }

    public TlsVersion version() {
        return version;
    }

    /** AEAD suites with forward secrecy, in preference order. */
    public static Set<CipherSuite> defaults() {
        Set<CipherSuite> set = EnumSet.noneOf(CipherSuite.class);
        for (CipherSuite suite : values()) {
            if (suite.inDefaultSet) {
                set.add(suite);
            }
        }
        return set;
    }
}
