package io.eitrelay.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --control}: the daemon's socket, for the commands that talk to a running daemon (mixin). */
final class ControlSocketFlag {
    @Option(names = "--control", paramLabel = "PATH", defaultValue = DaemonCommand.CONTROL_DEFAULT_VALUE,
            description = "The daemon's control socket (default: $EIT_RELAY_CONTROL or " + DaemonCommand.DEFAULT_CONTROL + ").")
    Path path;
}
