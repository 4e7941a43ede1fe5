package io.eitrelay.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * CI does not measure (shared 2-core machines are too noisy), but it runs every benchmark, with every
 * parameter, once and briefly, so none can rot: a failing set-up, handshake or transfer fails here,
 * and each must report a positive rate (bytes moved where it counts bytes).
 */
class BenchmarksRunOnceIT {
    /** Benchmark methods times their parameter combinations, as declared in the classes. */
    static final Map<String, Integer> EXPECTED_RUNS = Map.of(
            "io.eitrelay.core.relay.FramingBenchmark", 2 * 4,
            "io.eitrelay.bench.TlsBenchmark", 2 * 2 * 4 * 4,
            "io.eitrelay.bench.RelayPairBenchmark", 4 * 2);

    @Test
    void everyBenchmarkRunsOnceAndReportsAPositiveRate() throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("io\\.eitrelay\\..*Benchmark\\..*")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .build()).run();
        Map<String, Integer> runs = new TreeMap<>();
        for (RunResult run : results) {
            String method = run.getParams().getBenchmark();
            runs.merge(method.substring(0, method.lastIndexOf('.')), 1, Integer::sum);
            Result<?> primary = run.getPrimaryResult();
            assertTrue(primary.getScore() > 0, method + " " + run.getParams() + ": " + primary);
            Result<?> bytes = run.getSecondaryResults().get("bytes");
            if (bytes != null) {
                assertTrue(bytes.getScore() > 0, method + " " + run.getParams() + " moved no bytes");
            }
        }
        assertEquals(new TreeMap<>(EXPECTED_RUNS), runs);
    }
}
