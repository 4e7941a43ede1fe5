package io.eitrelay.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Stand-ins for mount.nfs, mount.nfs4 and umount, first in PATH: this host's kernel has no NFS client
 * (KernelClientIT boots one under QEMU). mount.nfs records its arguments and adds the line the kernel
 * would add to /proc/mounts ({@code addr=} from the source, the options given); umount takes it out. A
 * mount point named {@code refused} fails as a server refusing the export does.
 */
final class FakeMountPrograms {
    static final String REFUSED = "refused";

    private FakeMountPrograms() {
    }

    /** Writes the programs into {@code bin}; {@code mounts} is the table, {@code calls} the argument log. */
    static void install(Path bin, Path mounts, Path calls) throws IOException {
        Files.createDirectories(bin);
        Files.writeString(mounts, "");
        Files.writeString(calls, "");
        String lock = mounts + ".lock";
        String mount = String.join("\n", "#!/bin/bash",
                "echo \"$(basename \"$0\") $*\" >> '" + calls + "'",
                "src=\"$1\"; dir=\"$2\"; shift 2; opts=\"\"",
                "while (($#)); do [[ \"$1\" == -o ]] && opts=\"$2\"; shift; done",
                "if [[ \"$(basename \"$dir\")\" == " + REFUSED + " ]]; then",
                "  echo \"mount.nfs: access denied by server while mounting $src\" >&2; exit 32",
                "fi",
                "addr=\"${src%%:/*}\"; addr=\"${addr#[}\"; addr=\"${addr%]}\"",
                "type=nfs4; [[ \"$(basename \"$0\")\" == mount.nfs ]] && type=nfs",
                "flock '" + lock + "' bash -c \"echo '$src $dir $type rw,$opts,addr=$addr 0 0' >> '" + mounts + "'\"", "");
        String umount = String.join("\n", "#!/bin/bash",
                "dir=\"${@: -1}\"",
                "grep -q \" $dir \" '" + mounts + "' || { echo \"umount: $dir: not mounted.\" >&2; exit 32; }",
                "flock '" + lock + "' bash -c \"grep -v ' $dir ' '" + mounts + "' > '" + mounts + ".new'; mv '" + mounts
                        + ".new' '" + mounts + "'\"", "");
        for (var program : List.of(List.of("mount.nfs", mount), List.of("mount.nfs4", mount), List.of("umount", umount))) {
            Path file = bin.resolve(program.get(0));
            Files.writeString(file, program.get(1));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
