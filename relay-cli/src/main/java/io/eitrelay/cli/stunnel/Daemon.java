package io.eitrelay.cli.stunnel;

import io.eitrelay.cli.ExitCodes;
import io.eitrelay.cli.Main;
import io.eitrelay.core.transport.JdkDescriptors;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * stunnel's daemon mode ({@code foreground} absent or {@code no}), which AZNFS relies on: every listener
 * is bound before the command returns, the command exits 0 with no output at all, and the relay keeps
 * running in its own session. A JVM cannot fork, so the process the helper started launches the relay
 * as a child in a new session ({@code setsid}), waits for it to report "bound" on a pipe, and exits;
 * a child that fails instead has its stunnel-style messages and exit code passed on.
 */
final class Daemon {
    static final String CHILD_FLAG = "--stunnel-daemon-child";
    static final String READY = "eit-relay: bound";

    private Daemon() {
    }

    static int launch(Path config, PrintWriter err) {
        List<String> command = new ArrayList<>();
        command.add("setsid");
        // The launcher passes the java it used (a symlink named stunnel when started as stunnel), so the
        // relay process keeps the name helpers look for in ps and ss.
        command.add(System.getProperty("eitrelay.java", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (JdkDescriptors.available()) {
            // Started with -cp, the child does not read the jar manifest's Add-Exports: say it here.
            command.add("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.add(CHILD_FLAG);
        command.add(config.toAbsolutePath().toString());
        try {
            Process child = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                // Blocks until the child has bound everything (READY) or has exited (EOF).
                if (READY.equals(out.readLine())) {
                    return ExitCodes.OK;
                }
            }
            String messages = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = child.waitFor();
            err.print(messages);
            err.flush();
            return code == 0 ? ExitCodes.RUNTIME_FAILURE : code;
        } catch (IOException e) {
            err.println("[!] cannot start the relay process: " + e.getMessage());
            err.flush();
            return ExitCodes.RUNTIME_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.RUNTIME_FAILURE;
        }
    }

    /** In the child, once bound and the pid file is written: tell the parent, then let go of its pipes. */
    static void reportReady() {
        System.out.println(READY);
        System.out.flush();
        System.out.close();
        System.err.close();
    }
}
