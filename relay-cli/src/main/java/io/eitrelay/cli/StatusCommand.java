package io.eitrelay.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code eit-relay status [--json]}: the daemon's endpoints, their targets, connections, bytes and TLS state. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Show the endpoints of the running eit-relay daemon.", ""})
final class StatusCommand implements Callable<Integer> {
    @Mixin
    ControlSocketFlag control;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<String> request = new ArrayList<>(List.of("status"));
        if (json) {
            request.add("--json");
        }
        return CtlCommand.send(control.path, request, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
