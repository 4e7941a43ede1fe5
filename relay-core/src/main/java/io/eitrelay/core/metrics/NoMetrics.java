package io.eitrelay.core.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * The registry of a relay started without one (no {@code --metrics}): every meter it hands out is
 * Micrometer's no-op meter. An empty {@link CompositeMeterRegistry} records nothing either, but each of its
 * meters walks its (empty) member map on every call, allocating an iterator: once per RPC call for the
 * procedure timer and once per read for the byte counters, the largest allocation left on the small-call
 * path (benchmarks/TUNING.md entry 14). The relay's own counters ({@link io.eitrelay.core.EndpointStats})
 * count either way.
 */
public final class NoMetrics {
    private NoMetrics() {
    }

    public static MeterRegistry registry() {
        CompositeMeterRegistry registry = new CompositeMeterRegistry();
        registry.config().meterFilter(MeterFilter.deny());
        return registry;
    }
}
