package io.eitrelay.cli;

import io.eitrelay.cli.daemon.ControlServer;
import io.eitrelay.cli.daemon.RelayDaemon;
import io.eitrelay.core.Relay;
import io.eitrelay.core.RelayStartException;
import io.eitrelay.core.config.RelayConfig;
import io.eitrelay.core.config.RuntimeOptions;
import io.eitrelay.core.tls.TlsConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
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
    static final String DEFAULT_STATE = "/var/lib/eit-relay/endpoints";

    @Option(names = "--control", paramLabel = "PATH", defaultValue = DEFAULT_CONTROL,
            description = "Control socket (Unix domain, mode 0600; default: ${DEFAULT-VALUE}).")
    Path control;

    @Option(names = "--state", paramLabel = "FILE", defaultValue = DEFAULT_STATE,
            description = "Where endpoints are saved for a restart (default: ${DEFAULT-VALUE}).")
    Path state;

    @Option(names = "--metrics-listen", paramLabel = "IP:PORT", converter = Converters.ListenConverter.class,
            description = "Serve Prometheus metrics on http://IP:PORT/metrics (loopback only).")
    java.net.InetSocketAddress metricsListen;

    @Mixin
    RuntimeFlags runtimeFlags = new RuntimeFlags();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (metricsListen != null && !metricsListen.getAddress().isLoopbackAddress()) {
            err.println("eit-relay daemon: --metrics-listen must be a loopback address");
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
        RelayDaemon daemon = new RelayDaemon(relay, state.toAbsolutePath());
        ControlServer server;
        try {
            daemon.restore();
            server = ControlServer.start(control.toAbsolutePath(), daemon::handle);
        } catch (IOException e) {
            err.println("eit-relay daemon: " + e.getMessage());
            relay.stop(Duration.ZERO);
            lifecycle.abandon();
            MetricsServer.closeQuietly(metrics);
            return ExitCodes.RUNTIME_FAILURE;
        }
        lifecycle.afterStop(server::close);
        if (metrics != null) {
            lifecycle.afterStop(metrics::close);
        }
        LoggerFactory.getLogger(DaemonCommand.class).info("eit-relay daemon: control socket {}, state {}",
                control.toAbsolutePath(), state.toAbsolutePath());
        lifecycle.started(relay);
        lifecycle.awaitStop();
        return ExitCodes.OK;
    }
}
