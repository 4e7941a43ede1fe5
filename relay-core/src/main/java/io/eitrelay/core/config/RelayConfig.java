package io.eitrelay.core.config;

import java.util.List;
import java.util.Objects;

/**
 * The whole configuration of a relay process: built once by a front end (command-line flags or a
 * stunnel file), immutable afterwards. Nothing in relay-core parses strings.
 */
public record RelayConfig(List<EndpointConfig> endpoints, RuntimeOptions runtime) {
    public RelayConfig {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(runtime, "runtime");
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one endpoint is required");
        }
    }
}
