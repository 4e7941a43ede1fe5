package io.eitrelay.cli;

import io.eitrelay.cli.daemon.ControlClient;
import io.eitrelay.cli.daemon.ControlProtocol.Reply;
import io.eitrelay.cli.mount.Programs;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
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
 * {@code eit-relay umount MOUNTPOINT}: umount(8), then the daemon is asked to look at the mount table
 * now. The endpoint goes once no mount has used it for the daemon's grace period (it would anyway, at
 * its next look): never while the kernel still has it mounted.
 */
@Command(name = "umount", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Unmount, and let the eit-relay daemon release the mount's endpoint after its grace period.", ""})
final class UmountCommand implements Callable<Integer> {
    @Option(names = "-f", description = "Passed to umount: force (an unreachable NFS server).")
    boolean force;

    @Option(names = "-l", description = "Passed to umount: lazy.")
    boolean lazy;

    @Option(names = "-v", description = "Verbose: also say what happens to the endpoints.")
    boolean verbose;

    @Mixin
    ControlSocketFlag control;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT")
    Path mountPoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Path umount = Programs.find("umount");
        if (umount == null) {
            err.println("eit-relay umount: umount not found in PATH or /sbin");
            return MountCommand.EX_FAIL;
        }
        List<String> command = new ArrayList<>(List.of(umount.toString()));
        if (force) {
            command.add("-f");
        }
        if (lazy) {
            command.add("-l");
        }
        command.add(mountPoint.toString());
        int code = Programs.run(command);
        if (code != 0) {
            return code;
        }
        try {
            Reply swept = ControlClient.send(control.path, List.of("sweep"));
            if (verbose) {
                spec.commandLine().getOut().print(swept.text());
                spec.commandLine().getOut().flush();
            }
        } catch (IOException e) {
            if (verbose) {
                err.println("eit-relay umount: " + e.getMessage()); // a plain mount needs no daemon
            }
        }
        return 0;
    }
}
