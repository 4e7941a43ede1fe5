package io.eitrelay.cli;

import io.eitrelay.cli.daemon.ControlClient;
import io.eitrelay.cli.daemon.ControlProtocol;
import io.eitrelay.cli.daemon.ControlProtocol.Reply;
import io.eitrelay.cli.daemon.HealthChecks;
import io.eitrelay.cli.mount.MountOptions;
import io.eitrelay.cli.mount.MountSpec;
import io.eitrelay.cli.mount.Programs;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code eit-relay mount [-o OPTIONS] SERVER:/PATH MOUNTPOINT} (also {@code mount.eit}, so that
 * {@code mount -t eit} works): claims a local endpoint in the running daemon, checks that the server
 * answers RPC through it, then runs mount.nfs4 (or mount.nfs for NFSv3) against that endpoint. A
 * failed mount gives its endpoint back at once. Exit codes are mount(8)'s: 1 bad usage, 32 failure
 * (or mount.nfs's own).
 */
@Command(name = "mount", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Mount an NFS export through the eit-relay daemon (TLS), or directly with -o notls.",
                "Options (-o, comma-separated): tls (default) | notls, vers=3|4|4.0|4.1|4.2 (default 4.1), "
                        + "tls_version=1.2|1.3, cafile=FILE, checkhost=NAME, cert=FILE, key=FILE, port_scheme=efs|alinas "
                        + "(default efs: 127.0.0.1:20049-21048; alinas: 127.0.i.j:12049), port=N and mountport=N (the "
                        + "server's NFS and MOUNT ports); any other option goes to mount.nfs as given.", ""})
final class MountCommand implements Callable<Integer> {
    /** mount(8)'s "incorrect invocation" and "mount failure". */
    static final int EX_USAGE = 1;
    static final int EX_FAIL = 32;
    /** The server must answer an RPC NULL through the new endpoint within this, or the mount is not tried. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);
    /** A relay failure this much older than the readiness check began is another connection's. */
    private static final long LAST_FAILURE_SLACK_MILLIS = 1000;

    @Option(names = "-o", paramLabel = "OPTIONS", description = "Mount options, comma-separated (repeatable).")
    List<String> options = new ArrayList<>();

    @Option(names = "-v", description = "Verbose: say which endpoint was chosen; passed to mount.nfs.")
    boolean verbose;

    @Option(names = "-n", description = "Passed to mount.nfs: do not update /etc/mtab.")
    boolean noMtab;

    @Option(names = "-s", description = "Passed to mount.nfs: tolerate sloppy mount options.")
    boolean sloppy;

    @Mixin
    ControlSocketFlag control;

    @Parameters(index = "0", paramLabel = "SERVER:/PATH", description = "The export, as for mount.nfs.")
    String what;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", description = "An existing directory.")
    Path mountPoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        MountOptions parsed;
        MountSpec export;
        try {
            parsed = MountOptions.parse(options);
            export = MountSpec.parse(what);
        } catch (IllegalArgumentException e) {
            err.println("eit-relay mount: " + e.getMessage());
            return EX_USAGE;
        }
        if (!Files.isDirectory(mountPoint)) {
            err.println("eit-relay mount: mount point " + mountPoint + " does not exist or is not a directory");
            return EX_FAIL;
        }
        String helper = parsed.major() == 3 ? "mount.nfs" : "mount.nfs4";
        Path helperPath = Programs.find(helper);
        if (helperPath == null) {
            err.println("eit-relay mount: " + helper + " not found in PATH or /sbin (Debian: apt-get install nfs-common)");
            return EX_FAIL;
        }
        if (!parsed.tls()) {
            Reply plain = request(List.of("plain-check", export.server()), true);
            if (plain != null && !plain.ok()) {
                err.println("eit-relay mount: " + plain.text().strip());
                return EX_FAIL;
            }
            try {
                return Programs.run(helperCommand(helperPath, export.on(export.server()), parsed.direct()));
            } finally {
                if (plain != null) {
                    request(List.of("plain-done", export.server()), true);
                }
            }
        }
        return throughRelay(parsed, export, helperPath, out, err);
    }

    private int throughRelay(MountOptions parsed, MountSpec export, Path helper, PrintWriter out, PrintWriter err)
            throws IOException, InterruptedException {
        List<String> claim = new ArrayList<>(List.of("claim", Path.of("").toAbsolutePath().toString(), parsed.scheme().word(),
                parsed.separateMountEndpoint() ? String.valueOf(parsed.serverMountPort()) : "-"));
        claim.addAll(relayFlags(parsed, export));
        Reply claimed;
        try {
            claimed = ControlClient.send(control.path, claim);
        } catch (IOException e) {
            err.println("eit-relay mount: " + e.getMessage());
            return EX_FAIL;
        }
        if (!claimed.ok()) {
            err.println("eit-relay mount: " + claimed.text().strip());
            return EX_FAIL;
        }
        String[] fields = claimed.text().strip().split(" ");
        String name = fields[0];
        InetAddress address = InetAddress.getByName(fields[1]); // a literal from the daemon
        int port = Integer.parseInt(fields[2]);
        int mountPort = Integer.parseInt(fields[3]);
        if (verbose) {
            out.println("eit-relay mount: " + export.server() + " through " + fields[1] + ":" + port
                    + (mountPort != port ? " (MOUNT through port " + mountPort + ")" : "") + ", endpoint [" + name + "]");
            out.flush();
        }
        for (int local : mountPort == port ? List.of(port) : List.of(port, mountPort)) {
            String endpoint = ControlProtocol.mountEndpointName(new InetSocketAddress(address, local));
            HealthChecks.Health ready = HealthChecks.probe(new InetSocketAddress(address, local), READY_TIMEOUT);
            if (!ready.ok()) {
                String why = relayReason(endpoint, ready).orElse(ready.detail() + "; the TLS error, if any, is in the daemon's log");
                request(List.of("release", name), false);
                err.println("eit-relay mount: " + export.target(local == port ? parsed.serverPort() : parsed.serverMountPort())
                        + " does not answer through the relay (" + why + "). Nothing was mounted.");
                return EX_FAIL;
            }
        }
        int code = Programs.run(helperCommand(helper, export.on(fields[1]), parsed.throughRelay(port, mountPort)));
        request(List.of(code == 0 ? "confirm" : "release", name), false);
        return code;
    }

    /**
     * Why the relay ended the readiness check's connection, when the daemon saw it fail during the check:
     * the client side only sees a reset or a timeout.
     */
    private java.util.Optional<String> relayReason(String endpoint, HealthChecks.Health check) {
        Reply last;
        try {
            last = ControlClient.send(control.path, List.of("last-failure", endpoint));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
        String[] fields = last.text().strip().split(" ", 2);
        if (!last.ok() || fields.length < 2) {
            return java.util.Optional.empty();
        }
        long millisAgo = Long.parseLong(fields[0]);
        boolean duringCheck = millisAgo <= Math.round(check.millis()) + LAST_FAILURE_SLACK_MILLIS;
        return duringCheck ? java.util.Optional.of(fields[1]) : java.util.Optional.empty();
    }

    /** The NFS endpoint's relay flags: the server, and how its certificate is checked. */
    private static List<String> relayFlags(MountOptions parsed, MountSpec export) {
        List<String> flags = new ArrayList<>(List.of("--target", export.target(parsed.serverPort())));
        addIf(flags, "--cafile", parsed.caFile());
        addIf(flags, "--check-host", parsed.checkHost());
        addIf(flags, "--tls-version", parsed.tlsVersion());
        addIf(flags, "--cert", parsed.cert());
        addIf(flags, "--key", parsed.key());
        return flags;
    }

    private static void addIf(List<String> flags, String flag, String value) {
        if (value != null) {
            flags.add(flag);
            flags.add(value);
        }
    }

    private List<String> helperCommand(Path helper, String source, String nfsOptions) {
        List<String> command = new ArrayList<>(List.of(helper.toString(), source, mountPoint.toString()));
        if (verbose) {
            command.add("-v");
        }
        if (noMtab) {
            command.add("-n");
        }
        if (sloppy) {
            command.add("-s");
        }
        command.add("-o");
        command.add(nfsOptions);
        return command;
    }

    /** A request whose failure to reach the daemon is not the user's business; null when no daemon answers. */
    private Reply request(List<String> request, boolean quiet) {
        try {
            return ControlClient.send(control.path, request);
        } catch (IOException e) {
            if (!quiet) {
                spec.commandLine().getErr().println("eit-relay mount: " + e.getMessage());
            }
            return null;
        }
    }
}
