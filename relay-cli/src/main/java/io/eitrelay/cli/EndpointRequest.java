package io.eitrelay.cli;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.RelayConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One endpoint for a running daemon, in the standalone relay's own flags ({@code --listen --target
 * --cafile ...}) plus a name: the daemon's control channel and its state file speak this, so there is
 * one front end for flags, not two. Relative file names are the caller's, resolved against its directory.
 * Process-wide flags (transport, provider, metrics) are the daemon's and refused here.
 */
@Command(name = "add")
public final class EndpointRequest {
    private static final List<String> DAEMON_WIDE = List.of("--transport", "--tls-provider", "--metrics-listen",
            "--metrics-allow-remote", "--shutdown-grace", "--tls-file-check",
            "--log-level");

    @Mixin
    RelayFlags flags = new RelayFlags();

    @Option(names = "--name", paramLabel = "NAME", description = "Endpoint name (default: its listen address).")
    String name;

    private EndpointRequest() {
    }

    /** The endpoint {@code args} describe; IllegalArgumentException naming the flag and value otherwise. */
    public static EndpointConfig parse(List<String> args, Path cwd) {
        for (String arg : args) {
            for (String flag : DAEMON_WIDE) {
                if (arg.equals(flag) || arg.startsWith(flag + "=")) {
                    throw new IllegalArgumentException(flag + " is set for the whole daemon, not per endpoint");
                }
            }
        }
        EndpointRequest request = new EndpointRequest();
        StringWriter errors = new StringWriter();
        CommandLine line = new CommandLine(request).setCaseInsensitiveEnumValuesAllowed(true)
                .registerConverter(Path.class, Converters::path).setErr(new PrintWriter(errors));
        try {
            line.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        TlsFlags tls = request.flags.tls;
        tls.caFile = absolute(cwd, tls.caFile);
        tls.cert = absolute(cwd, tls.cert);
        tls.key = absolute(cwd, tls.key);
        if (request.flags.listen.size() != 1) {
            throw new IllegalArgumentException("one --listen and one --target per endpoint, but there are "
                    + request.flags.listen.size() + " --listen");
        }
        RelayConfig config = FlagsToConfig.build(request.flags);
        EndpointConfig endpoint = config.endpoints().get(0);
        if (request.name != null) {
            if (request.name.isBlank() || !request.name.matches("[A-Za-z0-9._:\\[\\]@-]{1,64}")) {
                throw new IllegalArgumentException("--name '" + request.name
                        + "': 1 to 64 letters, digits and . _ : - @ [ ] only");
            }
            endpoint = endpoint.withName(request.name);
        }
        return endpoint;
    }

    private static Path absolute(Path cwd, Path file) {
        return file == null ? null : cwd.resolve(file).normalize();
    }
}
