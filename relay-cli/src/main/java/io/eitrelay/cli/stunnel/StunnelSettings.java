package io.eitrelay.cli.stunnel;

import io.eitrelay.core.config.RelayConfig;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a stunnel file means: the relay's config records (the same the flags build), plus what the
 * process itself does with pid file, log output and foreground mode.
 */
public record StunnelSettings(RelayConfig relay, Foreground foreground, Optional<Path> pidFile,
                              Optional<Path> output, int debugLevel) {
    /** stunnel's {@code foreground}: yes logs to stderr too; quiet writes nothing to stderr; no forks. */
    public enum Foreground { YES, QUIET, NO }

    /** syslog levels as stunnel names them (0 emerg .. 7 debug); stunnel's default is 5 (notice). */
    public static final int DEFAULT_DEBUG = 5;
}
