package io.eitrelay.cli.demo;

import io.eitrelay.cli.ExitCodes;
import io.eitrelay.core.EndpointStats;
import io.eitrelay.core.Relay;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.Mode;
import io.eitrelay.core.config.PeerCheck;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.core.config.RuntimeOptions.ProviderChoice;
import io.eitrelay.core.config.RuntimeOptions.TransportChoice;
import io.eitrelay.core.config.SocketOptions;
import io.eitrelay.core.config.Timeouts;
import io.eitrelay.core.config.TlsSettings;
import io.eitrelay.core.pki.CertificateAuthority;
import io.eitrelay.core.pki.IssuedCertificate;
import io.eitrelay.core.pki.IssuedCertificate.KeyFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code eit-relay demo}: the whole data path on this machine with nothing to set up. A throwaway
 * CA and server certificate, a server-mode endpoint in front of an echo target, a client-mode
 * endpoint verifying it, random data pushed through both ways at once and checked.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a client relay -> server relay -> echo pair on loopback with throwaway certificates, "
                + "push data both ways and report TLS parameters and throughput.")
public final class DemoCommand implements Callable<Integer> {
    static final String SERVER_NAME = "demo.eit-relay.test";
    private static final long MIB = 1024 * 1024;

    @Option(names = "--size-mib", defaultValue = "256", paramLabel = "N",
            description = "MiB to push each way (default: ${DEFAULT-VALUE}).")
    int sizeMib;

    @Option(names = "--transport", defaultValue = "auto", paramLabel = "auto|epoll|nio")
    TransportChoice transport;

    @Option(names = "--tls-provider", defaultValue = "auto", paramLabel = "auto|openssl|jdk")
    ProviderChoice provider;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (sizeMib < 1 || sizeMib > 64 * 1024) {
            throw new IllegalArgumentException("--size-mib must be 1..65536 but was " + sizeMib);
        }
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        PrintWriter out = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("eit-relay-demo-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        try (EchoTarget echo = new EchoTarget()) {
            CertificateAuthority ca = CertificateAuthority.create("eit-relay demo CA");
            IssuedCertificate server = ca.leaf(SERVER_NAME).dns(SERVER_NAME).ip(InetAddress.getLoopbackAddress()).issue();
            Path caFile = IssuedCertificate.writeCertificate(ca.certificate(), dir.resolve("ca.crt"));
            KeyPairFiles serverFiles = new KeyPairFiles(server.writeCertificate(dir.resolve("server.crt")),
                    server.writeKey(dir.resolve("server.key"), KeyFormat.PKCS8));
            RuntimeOptions runtime = new RuntimeOptions(transport, provider, Duration.ofSeconds(1));
            try (Relay serverRelay = Relay.start(new RelayConfig(List.of(endpoint("server", Mode.SERVER, echo.port(),
                         TlsSettings.defaults().withKeyPair(serverFiles))), runtime));
                 Relay clientRelay = Relay.start(new RelayConfig(List.of(endpoint("client", Mode.CLIENT,
                         port(serverRelay), TlsSettings.defaults().withCaFile(caFile)
                                 .withPeerCheck(new PeerCheck.Host(SERVER_NAME)))), runtime))) {
                long cpuBefore = processCpuNanos();
                DemoTransfer.Result result = DemoTransfer.run(port(clientRelay), sizeMib * MIB);
                long cpu = processCpuNanos() - cpuBefore;
                EndpointStats stats = clientRelay.endpoints().get(0).stats();
                report(out, clientRelay, serverRelay, echo.port(), stats, result, cpu);
                return result.identical() ? ExitCodes.OK : ExitCodes.RUNTIME_FAILURE;
            }
        } finally {
            deleteTree(dir);
        }
    }

    private void report(PrintWriter out, Relay client, Relay server, int echoPort, EndpointStats stats,
                        DemoTransfer.Result result, long cpuNanos) {
        double seconds = result.nanos() / 1e9;
        double mibEach = result.bytes() / (double) MIB;
        out.println("eit-relay demo: throwaway CA and server certificate for " + SERVER_NAME
                + " generated in memory (PEM copies in a private temp dir, deleted on exit)");
        out.printf(Locale.ROOT, "  path          you -> client relay 127.0.0.1:%d =TLS=> server relay 127.0.0.1:%d -> echo 127.0.0.1:%d%n",
                port(client), port(server), echoPort);
        out.println("  transport     " + client.transport().displayName());
        out.println("  TLS provider  " + client.tlsProvider());
        out.println("  TLS           " + stats.lastTlsProtocol() + " " + stats.lastTlsCipher()
                + ", server certificate verified (CA chain + host name " + SERVER_NAME + ")");
        out.printf(Locale.ROOT, "  moved         %.0f MiB up and %.0f MiB down at once in %.2f s: %.0f MiB/s each way, %.0f MiB/s total%n",
                mibEach, mibEach, seconds, mibEach / seconds, 2 * mibEach / seconds);
        out.printf(Locale.ROOT, "  relay bytes   %d to target, %d from target in %d + %d ONC-RPC records (client endpoint counters)%n",
                stats.bytesToTarget(), stats.bytesFromTarget(), stats.recordsToTarget(), stats.recordsFromTarget());
        out.printf(Locale.ROOT, "  CPU           %.2f s for the whole process (both relays, echo and load generator)%n", cpuNanos / 1e9);
        out.println("  check         " + (result.identical() ? "SHA-256 of data sent and data received identical"
                : "MISMATCH: the data that came back differs from what was sent"));
        out.flush();
    }

    private static EndpointConfig endpoint(String name, Mode mode, int targetPort, TlsSettings tls) {
        return new EndpointConfig(name, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new HostPort("127.0.0.1", targetPort), mode, tls, Timeouts.defaults(), SocketOptions.defaults(),
                io.eitrelay.core.config.RecordFraming.on(io.eitrelay.core.config.RecordFraming.DEFAULT_MAX_RECORD));
    }

    private static int port(Relay relay) {
        return relay.endpoints().get(0).boundAddress().getPort();
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
