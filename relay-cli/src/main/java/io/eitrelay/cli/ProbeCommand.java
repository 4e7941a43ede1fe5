package io.eitrelay.cli;

import io.eitrelay.core.Relay;
import io.eitrelay.core.RelayStartException;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.config.Mode;
import io.eitrelay.core.config.RecordFraming;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.core.config.SocketOptions;
import io.eitrelay.core.config.Timeouts;
import io.eitrelay.core.config.TlsSettings;
import io.eitrelay.core.tls.TlsConfigException;
import io.eitrelay.probe.nfs.ProbeRunner;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code eit-relay probe} (also {@code bin/nfs-probe}): asks an NFS server, directly or through TLS,
 * whether it answers correctly, and how fast. With {@code --tls} the probe goes through an in-process
 * client relay built from the same flags as {@code eit-relay}, so it checks exactly what the relay would.
 */
@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"ONC-RPC/NFS health check: NULL pings, NFSv4 COMPOUND(PUTROOTFH, GETATTR), NFSv3 MOUNT MNT "
                + "then GETATTR/FSINFO of the export root, UMNT. Prints each probe's latency and a min/median/p99 summary.",
                "Exit 0 when every probe got a correct answer, 1 otherwise, 2 on bad flags."})
final class ProbeCommand implements Callable<Integer> {
    @Option(names = "--target", required = true, paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
            description = "NFS server (or a relay in front of it).")
    HostPort target;

    @Option(names = "--mount-port", paramLabel = "PORT", description = "MOUNT port on the same host (NFSv3; no portmapper).")
    Integer mountPort;

    @Option(names = "--export", defaultValue = "/", paramLabel = "PATH", description = "Export to mount (NFSv3; default: ${DEFAULT-VALUE}).")
    String export;

    @Option(names = "--nfs-version", defaultValue = "4", paramLabel = "3|4", description = "NFS version (default: ${DEFAULT-VALUE}).")
    int nfsVersion;

    @Option(names = "--count", defaultValue = "1", paramLabel = "N", description = "Rounds of probes (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--timeout", defaultValue = "5s", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Connect and per-reply timeout (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--tls", description = "Speak TLS to the target (through an in-process client relay).")
    boolean tls;

    @Mixin
    TlsFlags tlsFlags = new TlsFlags();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        if (nfsVersion != 3 && nfsVersion != 4) {
            throw new IllegalArgumentException("--nfs-version must be 3 or 4 but was " + nfsVersion);
        }
        if (count < 1 || count > 1_000_000) {
            throw new IllegalArgumentException("--count must be 1..1000000 but was " + count);
        }
        if (nfsVersion == 3 && mountPort == null) {
            throw new IllegalArgumentException("--nfs-version 3 needs --mount-port (the MOUNT service's port; no portmapper lookup)");
        }
        if (timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--timeout must be positive but was " + timeout);
        }
        List<HostPort> targets = new ArrayList<>(List.of(target));
        if (nfsVersion == 3) {
            targets.add(new HostPort(target.host(), mountPort));
        }
        Relay relay = null;
        List<InetSocketAddress> addresses = new ArrayList<>();
        try {
            if (tls) {
                relay = Relay.start(tunnel(targets));
                relay.endpoints().forEach(e -> addresses.add(e.boundAddress()));
            } else {
                for (HostPort hostPort : targets) {
                    addresses.add(new InetSocketAddress(InetAddress.getByName(hostPort.host()), hostPort.port()));
                }
            }
            boolean ok = ProbeRunner.run(new ProbeRunner.Plan(addresses.get(0), nfsVersion == 3 ? addresses.get(1) : null,
                    export, nfsVersion, count, (int) timeout.toMillis()), out);
            return ok ? ExitCodes.OK : ExitCodes.RUNTIME_FAILURE;
        } catch (UnknownHostException e) {
            spec.commandLine().getErr().println("eit-relay probe: cannot resolve " + target.host());
            return ExitCodes.RUNTIME_FAILURE;
        } catch (TlsConfigException e) {
            spec.commandLine().getErr().println("eit-relay probe: " + e.getMessage());
            return ExitCodes.CONFIG_ERROR;
        } catch (RelayStartException e) {
            spec.commandLine().getErr().println("eit-relay probe: " + e.getMessage());
            return ExitCodes.RUNTIME_FAILURE;
        } finally {
            if (relay != null) {
                relay.stop(Duration.ZERO);
            }
        }
    }

    /** One client-mode endpoint per target port, on ephemeral loopback ports. */
    private RelayConfig tunnel(List<HostPort> targets) {
        TlsSettings settings = FlagsToConfig.tls(tlsFlags, Mode.CLIENT);
        List<EndpointConfig> endpoints = new ArrayList<>();
        for (HostPort hostPort : targets) {
            endpoints.add(new EndpointConfig("probe-" + hostPort.port(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    hostPort, Mode.CLIENT, settings, new Timeouts(timeout, timeout, Duration.ZERO), SocketOptions.defaults(),
                    RecordFraming.on(RecordFraming.DEFAULT_MAX_RECORD)));
        }
        return new RelayConfig(endpoints, RuntimeOptions.defaults());
    }
}
