package io.eitrelay.cli.mount;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds mount(8)'s programs as mount does: PATH first, then the sbin directories it always searches. */
public final class Programs {
    private static final List<String> SBIN = List.of("/sbin", "/usr/sbin", "/usr/local/sbin");

    private Programs() {
    }

    /** The executable {@code name}, or null. */
    public static Path find(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(SBIN);
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Runs {@code command} with our stdin, stdout and stderr (the user sees mount.nfs's own words); its exit code. */
    public static int run(List<String> command) throws java.io.IOException, InterruptedException {
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }
}
