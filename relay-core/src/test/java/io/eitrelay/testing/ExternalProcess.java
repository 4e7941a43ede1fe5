package io.eitrelay.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real peer program (stunnel4, openssl) run by a test, its output in a file. A missing program
 * fails the test with the package to install; tests never skip silently.
 */
public final class ExternalProcess implements AutoCloseable {
    private final Process process;
    private final Path output;

    private ExternalProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** The absolute path of {@code program} on PATH, or a failed test naming the Debian package. */
    public static String require(String program, String debianPackage) {
        // PATH, then the sbin directories a non-login root shell may lack (rpcbind lives in /usr/sbin).
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin:/usr/local/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return fail(program + " not found on PATH: install the Debian package '" + debianPackage
                + "' (scripts/test installs everything the tests need)");
    }

    public static ExternalProcess start(List<String> command, Path output) throws IOException {
        return start(command, output, java.util.Map.of());
    }

    /** With {@code environment} added to this process's own. */
    public static ExternalProcess start(List<String> command, Path output, java.util.Map<String, String> environment)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().putAll(environment);
        return new ExternalProcess(builder.start(), output);
    }

    public Process process() {
        return process;
    }

    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** Waits until something accepts on 127.0.0.1:{@code port}; fails with the program's output otherwise. */
    public void awaitListening(int port, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("process exited with " + process.exitValue() + " before listening on " + port + ":\n" + output());
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        fail("nothing listening on " + port + " after " + millis + " ms:\n" + output());
    }

    /** Waits until the output contains {@code text}; returns whether it did. */
    public boolean awaitOutput(String text, long millis) throws InterruptedException {
        return Eventually.within(millis, () -> output().contains(text));
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
