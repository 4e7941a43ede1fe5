package io.eitrelay.cli;

import io.eitrelay.core.config.FamilyPreference;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.LocalAccess;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The standalone relay's flags, as picocli fills them. {@link FlagsToConfig} turns them into records. */
final class RelayFlags {
    @Option(names = "--listen", paramLabel = "IP:PORT", converter = Converters.ListenConverter.class,
            description = "Local address to accept on (repeat with --target for several endpoints).")
    List<InetSocketAddress> listen = new ArrayList<>();

    @Option(names = "--target", paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
            description = "Where each connection goes; the name is resolved at every connection.")
    List<HostPort> target = new ArrayList<>();

    @Option(names = "--server", description = "Server mode: TLS in, plain out (default: client mode, plain in, TLS out).")
    boolean server;

    @Mixin
    TlsFlags tls = new TlsFlags();

    @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "TCP connect to the target (default: ${DEFAULT-VALUE}).", defaultValue = "10s")
    Duration connectTimeout;

    @Option(names = "--handshake-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "TLS handshake (default: ${DEFAULT-VALUE}).", defaultValue = "10s")
    Duration handshakeTimeout;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Close a connection idle in both directions this long; 0 disables (default: ${DEFAULT-VALUE}).",
            defaultValue = "12h")
    Duration idleTimeout;

    @Option(names = "--dead-target-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            defaultValue = "30s", description = "A target that stops answering (link down, host gone) is detected within "
            + "this bound, idle or not (TCP keepalive and TCP_USER_TIMEOUT), and its connection closed so the NFS client "
            + "reconnects; 3s to 1h (default: ${DEFAULT-VALUE}).")
    Duration deadTargetTimeout;

    @Option(names = "--prefer-family", paramLabel = "ipv4|ipv6", defaultValue = "ipv4",
            description = "A target name with both A and AAAA answers: try this family's addresses first, then the "
                    + "other's if none connects (default: ${DEFAULT-VALUE}).")
    FamilyPreference preferFamily;

    @Option(names = "--rpc-framing", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Follow ONC-RPC record marks on the plaintext side (RFC 5531 §11): a stream that is not "
                    + "record-marked, or a record over --max-record-size, closes that connection; RPC calls are "
                    + "timed per procedure. On by default; --no-rpc-framing relays any byte stream.")
    boolean rpcFraming;

    @Option(names = "--max-record-size", paramLabel = "BYTES", defaultValue = "1114112",
            description = "Largest ONC-RPC record accepted with --rpc-framing (default: ${DEFAULT-VALUE} = 1 MiB + 64 KiB).")
    int maxRecordSize;

    @Option(names = "--local-access", paramLabel = "any|privileged", defaultValue = "any",
            description = "Who may connect to a client-mode listener: any (default) or privileged: a source port "
                    + "below 1024 or a socket owned by root, as the kernel NFS client connects; others are refused "
                    + "and logged with their uid.")
    LocalAccess localAccess;

    @Option(names = "--metrics-listen", paramLabel = "IP:PORT", converter = Converters.ListenConverter.class,
            description = "Serve Prometheus metrics at http://IP:PORT/metrics (loopback only unless --metrics-allow-remote).")
    InetSocketAddress metricsListen;

    @Option(names = "--metrics-allow-remote", description = "Allow --metrics-listen on a non-loopback address.")
    boolean metricsAllowRemote;

    @Option(names = "--fips", description = "FIPS-approved algorithms only: TLS 1.2 with AES-GCM suites, P-256/P-384 key "
            + "exchange (needs the OpenSSL provider). On by itself on a host booted in FIPS mode.")
    boolean fips;

    @Mixin
    RuntimeFlags runtime = new RuntimeFlags();
}
