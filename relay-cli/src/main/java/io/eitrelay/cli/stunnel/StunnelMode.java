package io.eitrelay.cli.stunnel;

import io.eitrelay.cli.ExitCodes;
import io.eitrelay.cli.Lifecycle;
import io.eitrelay.cli.VersionProvider;
import io.eitrelay.core.ListenSockets;
import io.eitrelay.core.Relay;
import io.eitrelay.core.RelayStartException;
import io.eitrelay.core.tls.TlsConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code eit-relay file.conf}: run a stunnel configuration, honouring the process contract mount
 * helpers rely on (stunnel-contract.md §3): messages on stderr in stunnel's words, exit 1 on any
 * start-up failure, pid file after binding, clean stop on SIGTERM/SIGINT with exit 0.
 */
public final class StunnelMode {
    /** The stunnel version reported: above the 5.40 AZNFS requires, the one the contract was taken from. */
    public static final String STUNNEL_VERSION = "5.68";

    /** Internal: marks the relay process that daemon mode starts. */
    public static final String DAEMON_CHILD_FLAG = Daemon.CHILD_FLAG;

    private StunnelMode() {
    }

    public static int version(PrintWriter err) {
        err.println(banner());
        err.println("eit-relay " + VersionProvider.version() + ": a stunnel drop-in for NFS encryption in transit (Java "
                + Runtime.version() + ")");
        err.flush();
        return ExitCodes.OK;
    }

    public static int help(PrintWriter err) {
        err.println(banner());
        err.print(StunnelKeys.helpText());
        err.flush();
        return ExitCodes.OK;
    }

    private static String banner() {
        return "stunnel " + STUNNEL_VERSION + " on x86_64-pc-linux-gnu platform (eit-relay " + VersionProvider.version() + ")";
    }

    public static int run(Path file, PrintWriter err) throws InterruptedException {
        return run(file, err, false);
    }

    /** The relay process of daemon mode, started by {@link Daemon#launch}. */
    public static int runDaemonChild(Path file, PrintWriter err) throws InterruptedException {
        return run(file, err, true);
    }

    private static int run(Path file, PrintWriter err, boolean daemonChild) throws InterruptedException {
        StunnelSettings settings;
        try {
            settings = StunnelTranslator.translate(StunnelFile.read(file));
        } catch (StunnelConfigException e) {
            return configFailed(err, e.getMessage());
        }
        if (settings.foreground() == StunnelSettings.Foreground.NO && !daemonChild) {
            return Daemon.launch(file, err);
        }
        // Signals first (a helper that sees the port may at once send SIGHUP or SIGTERM), then the
        // listeners, before logging, Netty and TLS load: the port answers the helper's probes ~100 ms sooner.
        Lifecycle lifecycle = new Lifecycle(relay -> reload(file, relay));
        lifecycle.install(StunnelLog::reopen);
        ListenSockets sockets = ListenSockets.bind(settings.relay());
        try {
            StunnelLog.configure(settings.debugLevel(), settings.foreground() == StunnelSettings.Foreground.YES,
                    settings.output().orElse(null));
        } catch (IOException e) {
            sockets.close();
            lifecycle.abandon();
            return configFailed(err, "output = " + settings.output().orElse(null) + ": " + e.getMessage());
        }
        Relay relay;
        try {
            relay = Relay.start(settings.relay(), sockets);
        } catch (TlsConfigException e) {
            lifecycle.abandon();
            return configFailed(err, e.getMessage());
        } catch (RelayStartException e) {
            lifecycle.abandon();
            err.println("[.] " + e.getMessage());
            err.println("[!] Binding service [" + e.endpointName() + "] failed");
            err.flush();
            return ExitCodes.RUNTIME_FAILURE;
        }
        if (settings.pidFile().isPresent()) {
            try {
                lifecycle.afterStop(PidFile.write(settings.pidFile().get())::remove);
            } catch (IOException e) {
                lifecycle.abandon();
                relay.stop(java.time.Duration.ZERO);
                return configFailed(err, "pid = " + settings.pidFile().get() + ": cannot write: " + e.getMessage());
            }
        }
        lifecycle.started(relay);
        if (daemonChild) {
            Daemon.reportReady();
        }
        lifecycle.awaitStop();
        return ExitCodes.OK;
    }

    /**
     * SIGHUP: read the file again and rebuild the TLS contexts; rotated cert/key/CAfile take effect for
     * new connections, open ones keep flowing. A file that no longer parses or loads is logged and the
     * running configuration kept, as stunnel does.
     */
    private static void reload(Path file, Relay relay) {
        try {
            StunnelSettings settings = StunnelTranslator.translate(StunnelFile.read(file));
            relay.reload(settings.relay());
            StunnelLog.changeLevel(settings.debugLevel());
        } catch (StunnelConfigException | TlsConfigException | IllegalArgumentException e) {
            // Looked up here, not in a static field: the first logger initialises SLF4J, which start-up defers.
            Logger log = LoggerFactory.getLogger(StunnelMode.class);
            log.error("reload of {} failed, keeping the running configuration: {}", file, e.getMessage());
        }
    }

    /** {@code eit-relay --check file.conf}: parse, translate and load every certificate and key; bind nothing. */
    public static int check(Path file, PrintWriter out, PrintWriter err) {
        try {
            StunnelSettings settings = StunnelTranslator.translate(StunnelFile.read(file));
            Relay.check(settings.relay());
            out.println("eit-relay: " + file + ": configuration OK (" + settings.relay().endpoints().size() + " service"
                    + (settings.relay().endpoints().size() == 1 ? "" : "s") + ")");
            out.flush();
            return ExitCodes.OK;
        } catch (StunnelConfigException | TlsConfigException e) {
            return configFailed(err, e.getMessage());
        }
    }

    private static int configFailed(PrintWriter err, String message) {
        err.println("[!] " + message);
        err.println("[!] Configuration failed");
        err.flush();
        return ExitCodes.RUNTIME_FAILURE;
    }
}
