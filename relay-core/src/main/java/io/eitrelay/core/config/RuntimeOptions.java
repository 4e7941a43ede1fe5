package io.eitrelay.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Process-wide choices.
 *
 * @param transport     AUTO picks epoll when the native transport loads, else NIO
 * @param provider      AUTO picks OpenSSL (BoringSSL) when it loads, else the JDK provider
 * @param shutdownGrace how long a graceful stop lets open connections finish
 */
public record RuntimeOptions(TransportChoice transport, ProviderChoice provider, Duration shutdownGrace) {
    public enum TransportChoice { AUTO, EPOLL, NIO }

    public enum ProviderChoice { AUTO, OPENSSL, JDK }

    public RuntimeOptions {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    }

    public static RuntimeOptions defaults() {
        return new RuntimeOptions(TransportChoice.AUTO, ProviderChoice.AUTO, Duration.ofSeconds(5));
    }
}
