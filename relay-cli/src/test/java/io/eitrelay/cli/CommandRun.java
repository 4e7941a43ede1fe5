package io.eitrelay.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One command run to its end as a user runs it (a directory, an environment), with what it printed. */
record CommandRun(int code, String out, String err) {
    private static final long LIMIT_SECONDS = 60;

    /** Runs {@code command} from {@code cwd} with {@code env} added; output kept in files under {@code scratch}. */
    static CommandRun run(Path scratch, Path cwd, Map<String, String> env, List<String> command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(scratch, "out", ".txt");
        Path err = Files.createTempFile(scratch, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not finish in " + LIMIT_SECONDS + " s: " + String.join(" ", command));
        }
        return new CommandRun(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
