package io.eitrelay.cli;

import io.eitrelay.cli.daemon.ControlClient;
import io.eitrelay.cli.daemon.ControlProtocol.Reply;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code eit-relay ctl [--control PATH] add|remove|status|log-level ...}: one request to the running daemon. The
 * words after the request are passed on untouched (an {@code add} takes the standalone relay's flags), so
 * this is parsed by hand rather than by picocli, which would claim them.
 */
final class CtlCommand {
    static final String NAME = "ctl";
    private static final String USAGE = "usage: eit-relay ctl [--control PATH] add --listen IP:PORT --target HOST:PORT "
            + "[--name NAME] [relay flags]... | remove NAME | status [--json] | log-level [error|warn|info|debug]";

    private CtlCommand() {
    }

    static int run(List<String> args, PrintWriter out, PrintWriter err) {
        String fromEnvironment = System.getenv("EIT_RELAY_CONTROL");
        Path control = Path.of(fromEnvironment == null || fromEnvironment.isEmpty() ? DaemonCommand.DEFAULT_CONTROL
                : fromEnvironment);
        List<String> rest = new ArrayList<>(args);
        if (rest.size() >= 2 && rest.get(0).equals("--control")) {
            control = Path.of(rest.get(1));
            rest = rest.subList(2, rest.size());
        } else if (!rest.isEmpty() && rest.get(0).startsWith("--control=")) {
            control = Path.of(rest.get(0).substring("--control=".length()));
            rest = rest.subList(1, rest.size());
        }
        if (rest.isEmpty() || rest.get(0).startsWith("-")) {
            err.println("eit-relay ctl: " + USAGE);
            return ExitCodes.CONFIG_ERROR;
        }
        List<String> request = new ArrayList<>(rest);
        if (request.get(0).equals("add")) {
            request.add(1, Path.of("").toAbsolutePath().toString()); // relative file names are ours
        }
        return send(control, request, out, err);
    }

    static int send(Path control, List<String> request, PrintWriter out, PrintWriter err) {
        Reply reply;
        try {
            reply = ControlClient.send(control, request);
        } catch (IOException | IllegalArgumentException e) {
            err.println("eit-relay: " + e.getMessage());
            return ExitCodes.RUNTIME_FAILURE;
        }
        if (!reply.ok()) {
            err.println("eit-relay: " + reply.text().strip());
            return ExitCodes.CONFIG_ERROR;
        }
        out.print(reply.text());
        out.flush();
        return ExitCodes.OK;
    }
}
