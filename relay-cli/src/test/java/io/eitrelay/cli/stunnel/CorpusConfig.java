package io.eitrelay.cli.stunnel;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** A corpus file with some options' values replaced (paths and addresses that exist in the test). */
final class CorpusConfig {
    private CorpusConfig() {
    }

    static String substitute(String name, Map<String, String> values) throws Exception {
        String text = Files.readString(StunnelCorpusTest.corpus(name), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int equals = line.indexOf('=');
            if (equals > 0) {
                String key = line.substring(0, equals).strip().toLowerCase(Locale.ROOT);
                for (Map.Entry<String, String> entry : values.entrySet()) {
                    if (entry.getKey().toLowerCase(Locale.ROOT).equals(key)) {
                        line = line.substring(0, equals + 1) + " " + entry.getValue();
                    }
                }
            }
            out.append(line);
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }
}
