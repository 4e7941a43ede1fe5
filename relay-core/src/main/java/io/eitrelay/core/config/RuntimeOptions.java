package io.eitrelay.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Process-wide choices.
 *
 * @param transport     AUTO picks epoll when the native transport loads, else NIO
 * @param provider      AUTO picks OpenSSL (BoringSSL) when it loads, else the JDK provider
 * @param shutdownGrace how long a graceful stop lets open connections finish
 * @param tlsFileCheck  how often the certificate, key and CA files are checked for changes on disk,
 *                      which are applied once a change has stayed the same for one interval and the
 *                      files load; zero: only on SIGHUP ({@code reload})
 */
public record RuntimeOptions(TransportChoice transport, ProviderChoice provider, Duration shutdownGrace,
                             Duration tlsFileCheck) {
    /** Every second: a rotated certificate is in use within about two, and three small files are cheap to read. */
    public static final Duration DEFAULT_TLS_FILE_CHECK = Duration.ofSeconds(1);

    public enum TransportChoice { AUTO, EPOLL, NIO }

    public enum ProviderChoice { AUTO, OPENSSL, JDK }

    public RuntimeOptions {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(tlsFileCheck, "tlsFileCheck");
        if (tlsFileCheck.isNegative()) {
            throw new IllegalArgumentException("tlsFileCheck must not be negative but was " + tlsFileCheck);
        }
    }

    /** Files reloaded on request only (embedded use, tests). */
    public RuntimeOptions(TransportChoice transport, ProviderChoice provider, Duration shutdownGrace) {
        this(transport, provider, shutdownGrace, Duration.ZERO);
    }

    /** What both front ends run with: files checked every {@link #DEFAULT_TLS_FILE_CHECK}. */
    public static RuntimeOptions defaults() {
        return new RuntimeOptions(TransportChoice.AUTO, ProviderChoice.AUTO, Duration.ofSeconds(5), DEFAULT_TLS_FILE_CHECK);
    }

    public RuntimeOptions withTlsFileCheck(Duration interval) {
        return new RuntimeOptions(transport, provider, shutdownGrace, interval);
    }
}
