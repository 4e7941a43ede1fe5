package io.eitrelay.cli;

import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Flags for the whole process, not one endpoint: the standalone relay's and the daemon's. */
final class RuntimeFlags {
    @Option(names = "--transport", paramLabel = "auto|epoll|nio", defaultValue = "auto",
            description = "Socket implementation (default: ${DEFAULT-VALUE}: epoll when available).")
    TransportChoice transport;

    @Option(names = "--tls-provider", paramLabel = "auto|openssl|jdk", defaultValue = "auto",
            description = "TLS implementation (default: ${DEFAULT-VALUE}: OpenSSL/BoringSSL when available).")
    ProviderChoice provider;

    @Option(names = "--tls-file-check", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            defaultValue = "1s", description = "Check --cert, --key and --cafile for changes this often and reload them "
            + "once a change holds still and loads (a half-written file keeps the running ones); 0 reloads on SIGHUP "
            + "only (default: ${DEFAULT-VALUE}).")
    Duration tlsFileCheck;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            defaultValue = "5s", description = "On SIGTERM, let open connections finish this long (default: ${DEFAULT-VALUE}).")
    Duration shutdownGrace;

    @Option(names = "--log-level", paramLabel = "error|warn|info|debug", converter = Converters.LogLevelConverter.class,
            defaultValue = "${env:EIT_RELAY_LOG_LEVEL:-info}", description = "Log from this level up (default: "
            + "$EIT_RELAY_LOG_LEVEL or info). debug adds each connection's accept and target connect, and lifts the "
            + "per-endpoint limit on connection lines; a running daemon switches with 'eit-relay ctl log-level LEVEL'.")
    LogLevel logLevel;

    RuntimeOptions toOptions() {
        return new RuntimeOptions(transport, provider, shutdownGrace, tlsFileCheck);
    }
}
