package io.eitrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;

/**
 * A command line is untrusted input: any one (with --check, so nothing starts) either validates or exits
 * 2 with one {@code eit-relay: } message; never another exit code, an exception or a stack trace.
 * Generated from every flag and values that are valid, borderline or garbage (stunnel files:
 * StunnelFuzzTest).
 */
class FlagsFuzzTest {
    private static final List<String> LINES = List.of("[efs]", "[nfs mount]", "[]", "[x", "x]", "# comment", "; comment",
            "", "   ", "key", "= value", "[efs]\u0000", "\uFEFFclient = yes");

    @TempDir
    Path dir;

    @Test
    void anyCommandLineChecksOkOrExitsTwoWithOneMessage() throws Exception {
        Path pem = Files.writeString(dir.resolve("not-a-cert.pem"), "garbage\n", StandardCharsets.US_ASCII);
        List<String> values = new ArrayList<>(FuzzValues.VALUES.subList(0, FuzzValues.VALUES.size() - 1));
        values.add(pem.toString());
        List<String> flags = List.of("--listen", "--target", "--server", "--cafile", "--check-host", "--check-ip", "--sni",
                "--cert", "--key", "--tls-version", "--ciphers", "--no-verify", "--connect-timeout", "--handshake-timeout",
                "--idle-timeout", "--dead-target-timeout", "--prefer-family", "--rpc-framing", "--no-rpc-framing",
                "--max-record-size", "--local-access", "--metrics-listen", "--transport", "--tls-provider",
                "--tls-file-check", "--shutdown-grace", "--bogus", "-x");
        Gen<String> arg = integers().between(0, flags.size() + values.size() - 1)
                .map(i -> i < flags.size() ? flags.get(i) : values.get(i - flags.size()));
        qt().withExamples(1500)
                .forAll(lists().of(arg).ofSizeBetween(0, 10))
                .checkAssert(args -> {
                    // --check last: "--check FILE" alone is the stunnel-file check, another contract.
                    List<String> argv = new ArrayList<>(args);
                    argv.add("--check");
                    CliRun run = CliRun.of(argv.toArray(String[]::new));
                    String shown = String.join(" ", argv) + "\n" + run.err();
                    assertTrue(List.of(0, ExitCodes.CONFIG_ERROR).contains(run.exitCode()), "exit " + run.exitCode() + ": " + shown);
                    assertFalse(run.err().contains("\tat ") || run.err().contains("Exception"), shown);
                    if (run.exitCode() != 0) {
                        assertTrue(run.err().startsWith("eit-relay: "), shown);
                    } else {
                        assertEquals("", run.err(), shown);
                    }
                });
    }
}
