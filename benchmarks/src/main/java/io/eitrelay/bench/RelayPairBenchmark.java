package io.eitrelay.bench;

import io.eitrelay.bench.load.LoadClient;
import io.eitrelay.bench.load.LoadServer;
import io.eitrelay.bench.load.RpcMessages;
import io.eitrelay.core.Relay;
import io.eitrelay.core.config.RecordFraming;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.core.config.TlsSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What does the relay add on a real socket path? In one JVM: an ONC-RPC load client -> relay in
 * client mode -> TLS -> relay in server mode -> load server, all on loopback, with the CLI's
 * defaults (record framing on, epoll and BoringSSL when available). {@code path=direct} is the same
 * load with no tunnel: the baseline the relay's cost is read against.
 *
 * <p>Bulk operations move {@link #BULK_BYTES} as 1 MiB records with up to 16 in flight, like an NFS
 * client's WRITE (calls big, replies small), READ (the reverse) or both at once; the {@code bytes}
 * counter gives the payload rate. Ping-pong is one 200-byte call and its 100-byte reply.
 */
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class RelayPairBenchmark {
    static final int RECORD_BYTES = 1 << 20;
    static final int BULK_BYTES = 64 << 20;
    static final int IN_FLIGHT = 16;

    @Param({"relay-pair", "direct"})
    String path;

    private BenchPki pki;
    private LoadServer target;
    private Relay serverRelay;
    private Relay clientRelay;
    private LoadClient load;
    private final byte[] writeCall = RpcMessages.call(RpcMessages.PROC_WRITE, RECORD_BYTES, 128);
    private final byte[] readCall = RpcMessages.call(RpcMessages.PROC_READ, 200, RECORD_BYTES);
    private final byte[] echoCall = RpcMessages.call(RpcMessages.PROC_WRITE, RECORD_BYTES, RECORD_BYTES);
    private final byte[] pingCall = RpcMessages.call(RpcMessages.PROC_NULL, 200, 100);

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        BenchLogging.warningsOnly();
        target = new LoadServer(0);
        int port = target.port();
        if (path.equals("relay-pair")) {
            pki = new BenchPki();
            RecordFraming framing = RecordFraming.on(RecordFraming.DEFAULT_MAX_RECORD);
            RuntimeOptions runtime = new RuntimeOptions(RuntimeOptions.TransportChoice.AUTO,
                    RuntimeOptions.ProviderChoice.AUTO, Duration.ZERO);
            serverRelay = Relay.start(new RelayConfig(List.of(pki.server(port, TlsSettings.defaults(), framing)), runtime));
            int serverPort = serverRelay.endpoints().get(0).boundAddress().getPort();
            clientRelay = Relay.start(new RelayConfig(List.of(pki.client(serverPort, TlsSettings.defaults(), framing)), runtime));
            port = clientRelay.endpoints().get(0).boundAddress().getPort();
        } else if (!path.equals("direct")) {
            throw new IllegalArgumentException("path must be relay-pair or direct: " + path);
        }
        load = new LoadClient(port);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        load.close();
        if (clientRelay != null) {
            clientRelay.stop(Duration.ZERO);
            serverRelay.stop(Duration.ZERO);
            pki.close();
        }
        target.close();
    }

    /** Toward the server: 1 MiB calls, small replies (NFS WRITE). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    public long bulkToServer(MovedBytes moved) throws Exception {
        load.calls(writeCall, BULK_BYTES / RECORD_BYTES, IN_FLIGHT);
        moved.bytes += BULK_BYTES;
        return BULK_BYTES;
    }

    /** Toward the client: small calls, 1 MiB replies (NFS READ). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    public long bulkFromServer(MovedBytes moved) throws Exception {
        load.calls(readCall, BULK_BYTES / RECORD_BYTES, IN_FLIGHT);
        moved.bytes += BULK_BYTES;
        return BULK_BYTES;
    }

    /** Both directions at once: 1 MiB calls answered by 1 MiB replies; counts the bytes of both. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    public long bulkBothWays(MovedBytes moved) throws Exception {
        load.calls(echoCall, BULK_BYTES / RECORD_BYTES, IN_FLIGHT);
        moved.bytes += 2L * BULK_BYTES;
        return BULK_BYTES;
    }

    /** One small call and its reply: the latency an NFS GETATTR sees from the tunnel. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long pingPong() throws Exception {
        return load.call(pingCall);
    }
}
