package io.eitrelay.core.config;

import java.util.List;
import java.util.Objects;

/**
 * The whole configuration of a relay process: built once by a front end (command-line flags or a
 * stunnel file), immutable afterwards. Nothing in relay-core parses strings. The front ends require at
 * least one endpoint; a daemon starts with none and adds them at run time ({@code Relay#add}).
 */
public record RelayConfig(List<EndpointConfig> endpoints, RuntimeOptions runtime) {
    public RelayConfig {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(runtime, "runtime");
    }
}
