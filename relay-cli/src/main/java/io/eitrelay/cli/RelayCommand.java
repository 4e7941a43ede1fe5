package io.eitrelay.cli;

import io.eitrelay.cli.daemon.HealthChecks;
import io.eitrelay.core.Relay;
import io.eitrelay.core.RelayStartException;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.metrics.NoMetrics;
import io.eitrelay.core.tls.TlsConfigException;
import io.eitrelay.cli.demo.DemoCommand;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code eit-relay --listen ... --target ...}: run the relay until SIGTERM/SIGINT; or {@code --check} it. */
@Command(name = "eit-relay", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"TLS relay for NFS encryption in transit, a drop-in for stunnel.",
                "Client mode (default): plain ONC-RPC in on --listen, TLS out to --target.",
                "Server mode (--server): TLS in on --listen, plain out to --target.", ""},
        footer = {"", "Exit codes: 0 ok, 1 runtime failure (e.g. address in use), 2 usage or configuration error."},
        subcommands = {DemoCommand.class, ProbeCommand.class, DaemonCommand.class, StatusCommand.class,
                MountCommand.class, UmountCommand.class})
final class RelayCommand implements Callable<Integer> {
    @Mixin
    RelayFlags flags = new RelayFlags();

    @Option(names = "--check", description = "Validate flags, load certificates and keys, then exit (0 ok, 2 with the reason).")
    boolean check;

    @Option(names = "--probe-interval", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            defaultValue = "0s", description = "Health probe (an RPC NULL call through each client endpoint; a log line "
            + "when its result changes, the eitrelay_health gauge) every DURATION; 0 disables (default: ${DEFAULT-VALUE}).")
    Duration probeInterval;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        flags.runtime.logLevel.apply();
        RelayConfig config;
        try {
            config = FlagsToConfig.build(flags);
        } catch (IllegalArgumentException e) {
            err.println("eit-relay: " + e.getMessage());
            return ExitCodes.CONFIG_ERROR;
        }
        if (flags.metricsListen != null && !flags.metricsListen.getAddress().isLoopbackAddress() && !flags.metricsAllowRemote) {
            err.println("eit-relay: --metrics-listen " + flags.metricsListen.getAddress().getHostAddress() + ":"
                    + flags.metricsListen.getPort() + " is not a loopback address; metrics reveal traffic and "
                    + "endpoints, add --metrics-allow-remote to serve them there anyway");
            return ExitCodes.CONFIG_ERROR;
        }
        if (probeInterval.isNegative()) {
            err.println("eit-relay: --probe-interval must not be negative: " + probeInterval);
            return ExitCodes.CONFIG_ERROR;
        }
        if (check) {
            try {
                Relay.check(config);
            } catch (TlsConfigException e) {
                err.println("eit-relay: " + e.getMessage());
                return ExitCodes.CONFIG_ERROR;
            }
            spec.commandLine().getOut().println("eit-relay: configuration OK (" + config.endpoints().size()
                    + " endpoint" + (config.endpoints().size() == 1 ? "" : "s") + ")");
            return ExitCodes.OK;
        }
        return run(config, flags.metricsListen, err);
    }

    private int run(RelayConfig config, java.net.InetSocketAddress metricsListen, PrintWriter err)
            throws InterruptedException {
        MetricsServer metrics = null;
        if (metricsListen != null) {
            try {
                metrics = new MetricsServer(metricsListen);
            } catch (java.io.IOException e) {
                err.println("eit-relay: --metrics-listen " + metricsListen + ": " + e.getMessage());
                return ExitCodes.RUNTIME_FAILURE;
            }
        }
        // SIGHUP: load certificates, keys and CA files again (rotation) for new connections.
        Lifecycle lifecycle = new Lifecycle(relay -> {
            try {
                relay.reload(config);
            } catch (TlsConfigException | IllegalArgumentException e) {
                org.slf4j.LoggerFactory.getLogger(RelayCommand.class)
                        .error("reload failed, keeping the running configuration: {}", e.getMessage());
            }
        });
        lifecycle.install(null);
        Relay relay;
        try {
            relay = metrics == null ? Relay.start(config) : Relay.start(config, metrics.registry());
        } catch (TlsConfigException e) {
            lifecycle.abandon();
            err.println("eit-relay: " + e.getMessage());
            MetricsServer.closeQuietly(metrics);
            return ExitCodes.CONFIG_ERROR;
        } catch (RelayStartException e) {
            lifecycle.abandon();
            err.println("eit-relay: " + e.getMessage());
            MetricsServer.closeQuietly(metrics);
            return ExitCodes.RUNTIME_FAILURE;
        }
        if (!probeInterval.isZero()) {
            HealthChecks health = new HealthChecks(HealthChecks.TIMEOUT, metrics == null ? NoMetrics.registry() : metrics.registry());
            lifecycle.afterStop(health::close);
            health.schedule(lifecycle.timers("eit-relay-health-timer"), probeInterval, relay::endpoints);
        }
        lifecycle.started(relay);
        lifecycle.awaitStop();
        return ExitCodes.OK;
    }
}
