package io.eitrelay.cli;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.RelayConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether the host runs in FIPS mode (booted with {@code fips=1}: the kernel says so in
 * /proc/sys/crypto/fips_enabled). Such a host gets the FIPS policy whatever the configuration says:
 * efs-utils writes {@code fips = no} even there (efs-utils #65).
 */
public final class HostFips {
    static final Path FLAG = Path.of("/proc/sys/crypto/fips_enabled");

    private HostFips() {
    }

    /** "1" in {@code flag}; absent or unreadable (no such kernel support) means no. */
    public static boolean enabled(Path flag) {
        try {
            return Files.readString(flag, StandardCharsets.US_ASCII).trim().equals("1");
        } catch (IOException e) {
            return false;
        }
    }

    public static boolean enabled() {
        return enabled(FLAG);
    }

    /** {@code config} with the FIPS policy on every endpoint when {@code fips}; unchanged otherwise. */
    public static RelayConfig apply(RelayConfig config, boolean fips) {
        if (!fips) {
            return config;
        }
        List<EndpointConfig> endpoints = config.endpoints().stream()
                .map(e -> e.withTls(e.tls().withFipsApproved(true))).toList();
        return new RelayConfig(endpoints, config.runtime());
    }
}
