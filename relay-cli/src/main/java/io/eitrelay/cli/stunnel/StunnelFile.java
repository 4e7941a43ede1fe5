package io.eitrelay.cli.stunnel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A stunnel configuration file as written: the global section and the {@code [service]} sections, each
 * option with its line number. Syntax as stunnel 5 reads it: {@code key = value} with optional spaces,
 * option names case-insensitive, {@code ;} and {@code #} start comment lines, no trailing newline needed.
 */
public record StunnelFile(Path path, List<Option> global, List<Service> services) {
    /** One {@code key = value} line; {@code key} is lower-cased, {@code text} is the line as written. */
    public record Option(String key, String value, int line, String text) { }

    public record Service(String name, int line, List<Option> options) { }

    /** Bounds the input: a helper-written file is a few hundred bytes. */
    static final long MAX_FILE_BYTES = 1 << 20;

    public static StunnelFile read(Path path) throws StunnelConfigException {
        String content;
        try {
            if (Files.size(path) > MAX_FILE_BYTES) {
                throw new StunnelConfigException(path, "file larger than " + MAX_FILE_BYTES + " bytes");
            }
            content = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StunnelConfigException(path, "cannot read: " + e.getMessage());
        }
        return parse(path, content);
    }

    static StunnelFile parse(Path path, String content) throws StunnelConfigException {
        List<Option> global = new ArrayList<>();
        List<Service> services = new ArrayList<>();
        List<Option> current = global;
        String[] lines = content.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String text = lines[i].strip();
            if (text.isEmpty() || text.startsWith(";") || text.startsWith("#")) {
                continue;
            }
            if (text.startsWith("[")) {
                if (!text.endsWith("]") || text.length() < 3) {
                    throw new StunnelConfigException(path, number, text, "Invalid service name");
                }
                String name = text.substring(1, text.length() - 1).strip();
                for (Service existing : services) {
                    if (existing.name().equals(name)) {
                        throw new StunnelConfigException(path, number, text, "Duplicate service name");
                    }
                }
                current = new ArrayList<>();
                services.add(new Service(name, number, current));
                continue;
            }
            int equals = text.indexOf('=');
            if (equals <= 0) {
                throw new StunnelConfigException(path, number, text, "No '=' found");
            }
            String key = text.substring(0, equals).strip().toLowerCase(Locale.ROOT);
            String value = text.substring(equals + 1).strip();
            current.add(new Option(key, value, number, text));
        }
        return new StunnelFile(path, List.copyOf(global), services.stream()
                .map(s -> new Service(s.name(), s.line(), List.copyOf(s.options()))).toList());
    }
}
