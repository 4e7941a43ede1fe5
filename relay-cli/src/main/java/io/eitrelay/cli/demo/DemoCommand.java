package io.eitrelay.cli.demo;

import io.eitrelay.cli.ExitCodes;
import io.eitrelay.cli.stunnel.StunnelConfigException;
import io.eitrelay.cli.stunnel.StunnelFile;
import io.eitrelay.cli.stunnel.StunnelTranslator;
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
import java.time.Instant;
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
 * endpoint verifying it (configured from a stunnel file, as mount helpers do, and presenting a client
 * certificate), random data pushed through both ways at once and checked.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a client relay -> server relay -> echo pair on loopback with throwaway certificates, "
                + "push data both ways and report TLS parameters and throughput.")
public final class DemoCommand implements Callable<Integer> {
    static final String SERVER_NAME = "demo.eit-relay.test";
    private static final long MIB = 1024 * 1024;
    private static final Duration LEAF_VALIDITY = Duration.ofDays(365);

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
            // Leaves valid past the relay's expiry-warning horizon: a throwaway demo has nothing to renew.
            Instant now = Instant.now();
            IssuedCertificate server = ca.leaf(SERVER_NAME).dns(SERVER_NAME).ip(InetAddress.getLoopbackAddress())
                    .validity(now.minus(Duration.ofHours(1)), now.plus(LEAF_VALIDITY)).issue();
            Path caFile = IssuedCertificate.writeCertificate(ca.certificate(), dir.resolve("ca.crt"));
            KeyPairFiles serverFiles = new KeyPairFiles(server.writeCertificate(dir.resolve("server.crt")),
                    server.writeKey(dir.resolve("server.key"), KeyFormat.PKCS8));
            IssuedCertificate client = ca.leaf("demo-client").validity(now.minus(Duration.ofHours(1)), now.plus(LEAF_VALIDITY)).issue();
            KeyPairFiles clientFiles = new KeyPairFiles(client.writeCertificate(dir.resolve("client.crt")),
                    client.writeKey(dir.resolve("client.key"), KeyFormat.TRADITIONAL));
            RuntimeOptions runtime = new RuntimeOptions(transport, provider, Duration.ofSeconds(1));
            // The server end asks for a client certificate from the CA, as the storage servers do.
            try (Relay serverRelay = Relay.start(new RelayConfig(List.of(endpoint("server", Mode.SERVER, echo.port(),
                         TlsSettings.defaults().withKeyPair(serverFiles).withCaFile(caFile))), runtime));
                 Relay clientRelay = Relay.start(new RelayConfig(List.of(
                         clientFromStunnelFile(dir, port(serverRelay), caFile, clientFiles)), runtime))) {
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
        out.println("eit-relay demo: throwaway CA, server certificate for " + SERVER_NAME + " and client certificate"
                + " generated in memory (PEM copies in a private temp dir, deleted on exit)");
        out.printf(Locale.ROOT, "  path          you -> client relay 127.0.0.1:%d =TLS=> server relay 127.0.0.1:%d -> echo 127.0.0.1:%d%n",
                port(client), port(server), echoPort);
        out.println("  transport     " + client.transport().displayName());
        out.println("  TLS provider  " + client.tlsProvider());
        out.println("  client end    configured from an efs-utils style stunnel file (the drop-in's parser), "
                + "client certificate presented");
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

    /**
     * The client end is configured the way mount helpers configure stunnel: an efs-utils style file
     * (client certificate with a traditional key, CA file, checkHost, verify = 2) read by the drop-in's parser.
     * Packaging's class-data archive is recorded from this run, so the drop-in's start-up path is in it.
     */
    private static EndpointConfig clientFromStunnelFile(Path dir, int serverPort, Path caFile, KeyPairFiles files)
            throws IOException, StunnelConfigException {
        Path file = Files.writeString(dir.resolve("stunnel-demo.conf"), String.join("\n",
                "fips = no", "foreground = quiet", "socket = l:SO_REUSEADDR=yes", "[client]", "client = yes",
                "accept = 127.0.0.1:20049", "connect = 127.0.0.1:" + serverPort, "renegotiation = no", "TIMEOUTbusy = 20",
                "TIMEOUTidle = 70", "delay = yes", "verify = 2", "CAfile = " + caFile,
                "cert = " + files.certificateChain(), "key = " + files.privateKey(), "checkHost = " + SERVER_NAME,
                "libwrap = no"));
        EndpointConfig endpoint = StunnelTranslator.translate(StunnelFile.read(file)).relay().endpoints().get(0);
        // Any free port rather than efs-utils' 20049, which a real tunnel may hold; and the drop-in admits only
        // NFS-client-like peers (privileged port or root), which the demo's own load is not.
        return endpoint.withListen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withSocket(SocketOptions.defaults());
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
