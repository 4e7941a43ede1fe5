package io.eitrelay.cli.stunnel;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.eitrelay.cli.FuzzValues;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * A stunnel file is untrusted input: any file either gives a configuration or one clear error naming
 * the file and, for a line's fault, that line; never an exception of another kind or a hang. Generated
 * from the real vocabulary (every key, with values that are valid, borderline or garbage) so that the
 * interesting paths are reached, not just "unknown option". The command line: FlagsFuzzTest.
 */
class StunnelFuzzTest {
    private static final List<String> KEYS = List.of("debug", "fips", "foreground", "output", "pid", "socket", "accept",
            "CAfile", "cert", "checkHost", "checkIP", "ciphers", "client", "connect", "delay", "key", "libwrap", "OCSPaia",
            "renegotiation", "sni", "sslVersion", "sslVersionMax", "sslVersionMin", "TIMEOUTbusy", "TIMEOUTclose",
            "TIMEOUTconnect", "TIMEOUTidle", "verify", "verifyChain", "verifyPeer", "CAFILE", "timeoutidle", "bogus", "");
    private static final List<String> LINES = List.of("[efs]", "[nfs mount]", "[]", "[x", "x]", "# comment", "; comment",
            "", "   ", "key", "= value", "[efs]\u0000", "\uFEFFclient = yes");
    private static final List<String> ENDINGS = List.of("\n", "\r\n", "\n\n");
    private static final Pattern LINE_NUMBER = Pattern.compile("^(.*?):(\\d+): ");

    @Test
    void anyStunnelFileGivesAConfigOrOneErrorNamingTheFileAndLine() {
        Path file = Path.of("/etc/stunnel/fuzz.conf");
        qt().withExamples(2000)
                .forAll(lists().of(line()).ofSizeBetween(0, 14), integers().between(0, ENDINGS.size() - 1),
                        integers().between(0, 1))
                .checkAssert((lines, ending, trailing) -> {
                    String content = String.join(ENDINGS.get(ending), lines) + (trailing == 1 ? "\n" : "");
                    try {
                        StunnelTranslator.translate(StunnelFile.parse(file, content));
                    } catch (StunnelConfigException e) {
                        String message = e.getMessage();
                        assertTrue(message.startsWith(file.toString()), message);
                        Matcher m = LINE_NUMBER.matcher(message);
                        if (m.find()) {
                            int number = Integer.parseInt(m.group(2));
                            int count = content.split("\r\n|\n", -1).length;
                            assertTrue(number >= 1 && number <= count, number + " out of 1.." + count + ": " + message);
                        }
                    } catch (RuntimeException e) {
                        throw new AssertionError("a " + e + " escaped for:\n" + content, e);
                    }
                });
    }

    private static Gen<String> line() {
        Gen<String> option = integers().between(0, KEYS.size() - 1).zip(integers().between(0, FuzzValues.VALUES.size() - 1),
                integers().between(0, 2), (k, v, spacing) -> KEYS.get(k) + List.of(" = ", "=", "  =\t").get(spacing) + FuzzValues.VALUES.get(v));
        Gen<String> other = integers().between(0, LINES.size() - 1).map(LINES::get);
        return integers().between(0, 9).zip(option, other, (pick, o, l) -> pick < 8 ? o : l);
    }
}
