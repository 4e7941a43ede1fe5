package io.eitrelay.bench.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load generator behind benchmarks/compare.sh:
 * {@code java -cp benchmarks.jar io.eitrelay.bench.load.LoadTool server|ping|idle ...}.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        subcommands = {LoadTool.Server.class, LoadTool.Ping.class, LoadTool.Idle.class},
        description = "ONC-RPC load for tunnel comparisons (server, ping-pong latency, idle connections).")
public final class LoadTool {
    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadTool()).execute(args));
    }

    @Command(name = "server", description = "Answer calls on 127.0.0.1:PORT until killed.")
    static final class Server implements Callable<Integer> {
        @Option(names = "--port", required = true)
        int port;

        @Override
        public Integer call() throws Exception {
            try (LoadServer server = new LoadServer(port)) {
                System.out.println("listening on 127.0.0.1:" + server.port());
                Thread.sleep(Long.MAX_VALUE);
            }
            return 0;
        }
    }

    @Command(name = "ping", description = "Small calls on one connection; prints latency percentiles in microseconds.")
    static final class Ping implements Callable<Integer> {
        @Option(names = "--port", required = true)
        int port;
        @Option(names = "--calls", defaultValue = "20000")
        int calls;
        @Option(names = "--warmup", defaultValue = "2000", description = "Calls sent first and not counted.")
        int warmup;
        @Option(names = "--in-flight", defaultValue = "1")
        int inFlight;
        @Option(names = "--call-bytes", defaultValue = "200", description = "Call size on the wire, record mark included.")
        int callBytes;
        @Option(names = "--reply-bytes", defaultValue = "100", description = "Reply size on the wire, record mark included.")
        int replyBytes;

        @Override
        public Integer call() throws Exception {
            byte[] call = RpcMessages.call(RpcMessages.PROC_NULL, callBytes, replyBytes);
            try (LoadClient client = new LoadClient(port)) {
                client.calls(call, warmup, inFlight);
                long[] nanos = client.calls(call, calls, inFlight);
                Arrays.sort(nanos);
                System.out.printf(Locale.ROOT, "p50_us=%.1f p99_us=%.1f mean_us=%.1f calls=%d in_flight=%d%n",
                        percentile(nanos, 0.50) / 1e3, percentile(nanos, 0.99) / 1e3,
                        Arrays.stream(nanos).average().orElse(0) / 1e3, calls, inFlight);
            }
            return 0;
        }
    }

    @Command(name = "idle", description = "Open N connections, one call on each, then hold them until stdin closes.")
    static final class Idle implements Callable<Integer> {
        @Option(names = "--port", description = "Open all connections to this port.")
        Integer port;
        @Option(names = "--ports-file", description = "Or one connection per port listed in this file (one per line).")
        Path portsFile;
        @Option(names = "--connections", defaultValue = "1000")
        int connections;

        @Override
        public Integer call() throws Exception {
            byte[] call = RpcMessages.call(RpcMessages.PROC_NULL, RpcMessages.MIN_CALL_BYTES, RpcMessages.MIN_REPLY_BYTES);
            List<Integer> ports = new ArrayList<>();
            if (portsFile != null) {
                for (String line : Files.readAllLines(portsFile)) {
                    if (!line.isBlank()) {
                        ports.add(Integer.parseInt(line.strip()));
                    }
                }
            } else if (port != null) {
                ports.addAll(Collections.nCopies(connections, port));
            } else {
                throw new CommandLine.ParameterException(new CommandLine(this), "give --port or --ports-file");
            }
            List<LoadClient> open = new ArrayList<>();
            try {
                for (int p : ports) {
                    LoadClient client = new LoadClient(p);
                    open.add(client);
                    client.call(call);
                }
                System.out.println("holding " + open.size() + " connections");
                System.out.flush();
                System.in.read(); // until the caller closes our stdin
            } finally {
                for (LoadClient client : open) {
                    client.close();
                }
            }
            return 0;
        }
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
