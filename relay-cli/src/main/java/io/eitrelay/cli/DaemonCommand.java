package io.eitrelay.cli;

import io.eitrelay.cli.daemon.ControlServer;
import io.eitrelay.cli.daemon.HealthChecks;
import io.eitrelay.cli.daemon.RelayDaemon;
import io.eitrelay.cli.daemon.SystemdNotify;
import io.eitrelay.core.Relay;
import io.eitrelay.core.RelayStartException;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.metrics.NoMetrics;
import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.core.tls.TlsConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import org.slf4j.LoggerFactory;

/**
 * {@code eit-relay daemon}: one long-running relay for every endpoint on the host. Endpoints come and
 * go through the control socket ({@code eit-relay ctl}); they are saved, and a restarted daemon binds
 * them again on the same addresses and ports before it takes requests.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Run one relay for many endpoints, managed at run time through a control socket.", ""})
final class DaemonCommand implements Callable<Integer> {
    static final String DEFAULT_CONTROL = "/run/eit-relay/control.sock";
    /** Every command's default control socket: $EIT_RELAY_CONTROL, else the standard one (mount.eit has no flag for it). */
    static final String CONTROL_DEFAULT_VALUE = "${env:EIT_RELAY_CONTROL:-" + DEFAULT_CONTROL + "}";
    static final String DEFAULT_STATE = "/var/lib/eit-relay/endpoints";
    /** How often the mount table is read for endpoints no mount uses any more. */
    private static final long SWEEP_SECONDS = 2;

    @Option(names = "--control", paramLabel = "PATH", defaultValue = CONTROL_DEFAULT_VALUE,
            description = "Control socket (Unix domain, mode 0600; default: $EIT_RELAY_CONTROL or " + DEFAULT_CONTROL + ").")
    Path control;

    @Option(names = "--state", paramLabel = "FILE", defaultValue = DEFAULT_STATE,
            description = "Where endpoints are saved for a restart (default: ${DEFAULT-VALUE}).")
    Path state;

    @Option(names = "--metrics-listen", paramLabel = "IP:PORT", converter = Converters.ListenConverter.class,
            description = "Serve Prometheus metrics on http://IP:PORT/metrics (loopback only).")
    java.net.InetSocketAddress metricsListen;

    @Option(names = "--unmount-grace", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            defaultValue = "30s", description = "A mount's endpoint goes once no mount in the mount table has used it "
            + "for this long (default: ${DEFAULT-VALUE}).")
    Duration unmountGrace;

    @Option(names = "--probe-interval", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            defaultValue = "60s", description = "Health probe (an RPC NULL call through each client endpoint) every "
            + "DURATION; 0 disables (default: ${DEFAULT-VALUE}).")
    Duration probeInterval;

    @Option(names = "--mounts-table", paramLabel = "FILE", defaultValue = "/proc/mounts",
            description = "Where the kernel lists mounts (default: ${DEFAULT-VALUE}; another file for tests and containers).")
    Path mountsTable;

    @Mixin
    RuntimeFlags runtimeFlags = new RuntimeFlags();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        runtimeFlags.logLevel.apply();
        if (metricsListen != null && !metricsListen.getAddress().isLoopbackAddress()) {
            err.println("eit-relay daemon: --metrics-listen must be a loopback address");
            return ExitCodes.CONFIG_ERROR;
        }
        if (unmountGrace.isNegative() || probeInterval.isNegative()) {
            err.println("eit-relay daemon: --unmount-grace and --probe-interval must not be negative");
            return ExitCodes.CONFIG_ERROR;
        }
        MetricsServer metrics = metricsListen == null ? null : new MetricsServer(metricsListen);
        RuntimeOptions runtime = runtimeFlags.toOptions();
        Lifecycle lifecycle = new Lifecycle(relay -> {
            try {
                relay.reload(relay.config()); // SIGHUP: every endpoint's files read again
            } catch (TlsConfigException | IllegalArgumentException e) {
                LoggerFactory.getLogger(DaemonCommand.class).error("reload failed, keeping the running material: {}",
                        e.getMessage());
            }
        });
        lifecycle.install(null);
        Relay relay;
        try {
            RelayConfig empty = new RelayConfig(List.of(), runtime);
            relay = metrics == null ? Relay.start(empty) : Relay.start(empty, metrics.registry());
        } catch (TlsConfigException | RelayStartException e) {
            lifecycle.abandon();
            err.println("eit-relay daemon: " + e.getMessage());
            MetricsServer.closeQuietly(metrics);
            return ExitCodes.RUNTIME_FAILURE;
        }
        HealthChecks health = new HealthChecks(HealthChecks.TIMEOUT, metrics == null ? NoMetrics.registry() : metrics.registry());
        RelayDaemon daemon = new RelayDaemon(relay, state.toAbsolutePath(), mountsTable.toAbsolutePath(), unmountGrace, health);
        ControlServer server;
        try {
            daemon.restore();
            server = ControlServer.start(control.toAbsolutePath(), daemon::handle);
        } catch (IOException e) {
            err.println("eit-relay daemon: " + e.getMessage());
            relay.stop(Duration.ZERO);
            health.close();
            lifecycle.abandon();
            MetricsServer.closeQuietly(metrics);
            return ExitCodes.RUNTIME_FAILURE;
        }
        lifecycle.afterStop(server::close);
        ScheduledExecutorService timers = lifecycle.timers("eit-relay-daemon-timers");
        lifecycle.afterStop(health::close);
        timers.scheduleWithFixedDelay(() -> guarded(daemon::sweep), SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
        if (!probeInterval.isZero()) {
            health.schedule(timers, probeInterval, relay::endpoints);
        }
        if (metrics != null) {
            lifecycle.afterStop(metrics::close);
        }
        LoggerFactory.getLogger(DaemonCommand.class).info("eit-relay daemon: control socket {}, state {}",
                control.toAbsolutePath(), state.toAbsolutePath());
        lifecycle.started(relay);
        // Type=notify (packaging/eit-relay.service): the unit counts as started only now, with every saved
        // endpoint bound again and the control socket answering, so boot-time mounts ordered after it work.
        SystemdNotify.send(System.getenv(SystemdNotify.ENVIRONMENT),
                "READY=1\nSTATUS=" + relay.endpoints().size() + " endpoints, control socket " + control.toAbsolutePath())
                .ifPresent(why -> LoggerFactory.getLogger(DaemonCommand.class).warn("readiness not sent to systemd: {}", why));
        lifecycle.awaitStop();
        return ExitCodes.OK;
    }

    /** A timer task that fails is logged and runs again next time (a thrown exception would cancel it). */
    private static void guarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(DaemonCommand.class).error("daemon timer task failed", e);
        }
    }
}
