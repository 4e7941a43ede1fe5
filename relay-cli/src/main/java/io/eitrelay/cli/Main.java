package io.eitrelay.cli;

import io.eitrelay.cli.stunnel.StunnelMode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.Security;
import java.util.logging.Level;
import picocli.CommandLine;

/** Entry point; the only place that calls {@link System#exit}. */
public final class Main {
    private Main() {
    }

    /**
     * How long the JVM keeps a resolved target name. Targets are resolved at every new connection so
     * that a server that moved (a new DNS answer) is found; the JVM's default of 30 s would keep
     * sending reconnecting NFS clients to the old address for that long. Connections are few, so
     * lookups stay rare. A value the user set (java.security or -Dsun.net.inetaddr.ttl) wins.
     */
    static final String DNS_CACHE_SECONDS = "5";
    /** Words that are commands, not a stunnel file named so, when they come alone. */
    private static final java.util.Set<String> SUBCOMMANDS = java.util.Set.of("demo", "daemon", "status", "probe", "mount",
            "umount");

    public static void main(String[] args) {
        // Before anything touches java.util.logging (see RelayLogManager).
        System.setProperty("java.util.logging.manager", RelayLogManager.class.getName());
        // Before the first name lookup: the JVM reads the cache policy once.
        // The system property, not the security one it yields to: setting a security property raises a
        // JFR event whose set-up loads the System.Logger machinery and scans the jar (~25 ms before bind).
        if (Security.getProperty("networkaddress.cache.ttl") == null && System.getProperty("sun.net.inetaddr.ttl") == null) {
            System.setProperty("sun.net.inetaddr.ttl", DNS_CACHE_SECONDS);
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this directly). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs with the given output streams (tests capture them). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        // The stunnel contract: "-version", "-help" (single dash, on stderr) and "<file.conf>".
        if (args.length == 1 && args[0].equals("-version")) {
            return StunnelMode.version(err);
        }
        if (args.length == 1 && args[0].equals("-help")) {
            return StunnelMode.help(err);
        }
        if (args.length == 2 && args[0].equals("--check") && !args[1].startsWith("-")) {
            LogSetup.toStderr(Level.WARNING);
            return StunnelMode.check(Path.of(args[1]), out, err);
        }
        if (args.length == 2 && args[0].equals(StunnelMode.DAEMON_CHILD_FLAG)) {
            try {
                return StunnelMode.runDaemonChild(Path.of(args[1]), err);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCodes.RUNTIME_FAILURE;
            }
        }
        if (args.length == 1 && !args[0].startsWith("-") && !SUBCOMMANDS.contains(args[0])) {
            try {
                return StunnelMode.run(Path.of(args[0]), err);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCodes.RUNTIME_FAILURE;
            }
        }
        if (args.length >= 1 && args[0].equals(CtlCommand.NAME)) {
            return CtlCommand.run(java.util.List.of(args).subList(1, args.length), out, err);
        }
        LogSetup.toStderr(Level.INFO);
        CommandLine commandLine = new CommandLine(new RelayCommand()).setCaseInsensitiveEnumValuesAllowed(true)
                .registerConverter(Path.class, Converters::path).setOut(out).setErr(err);
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            e.getCommandLine().getErr().println("eit-relay: " + e.getMessage());
            e.getCommandLine().getErr().println("Try 'eit-relay --help'.");
            // mount(8)'s helpers answer bad usage with 1 (mount.nfs's EX_USAGE), not our 2.
            Object command = e.getCommandLine().getCommand();
            return command instanceof MountCommand || command instanceof UmountCommand ? MountCommand.EX_USAGE
                    : ExitCodes.CONFIG_ERROR;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                cmd.getErr().println("eit-relay: " + e.getMessage());
                return ExitCodes.CONFIG_ERROR;
            }
            cmd.getErr().println("eit-relay: " + e);
            return ExitCodes.RUNTIME_FAILURE;
        });
        return commandLine.execute(args);
    }
}
