package io.eitrelay.cli.mount;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code -o} options of {@code eit-relay mount}: ours are taken out, every other one goes to
 * mount.nfs as written (nfs(5)). Ours, with their defaults:
 * <ul>
 *   <li>{@code tls} (default) / {@code notls}: through the relay, or straight to the server as plain NFS;</li>
 *   <li>{@code vers=} / {@code nfsvers=} 3, 4, 4.0, 4.1 or 4.2 (default 4.1, as efs-utils);</li>
 *   <li>{@code tls_version=1.2|1.3} (default: both), {@code cafile=} (default: the system trust store),
 *       {@code checkhost=} (default: the server name), {@code cert=} and {@code key=} (a client certificate);</li>
 *   <li>{@code port_scheme=efs|alinas} (default efs): where the local endpoint goes ({@link PortScheme});</li>
 *   <li>{@code port=} and {@code mountport=}: the <em>server's</em> NFS port (default 2049) and MOUNT port
 *       (NFSv3; default: the NFS port, as alinas serves it); the local ones are chosen here.</li>
 * </ul>
 * Options that would send NFS around the relay are refused with TLS: {@code proto=udp},
 * {@code mountproto=udp}, {@code addr=}, {@code mountaddr=}, and {@code lock} with NFSv3 (NLM goes
 * through the portmapper, beside the tunnel).
 */
public record MountOptions(boolean tls, String version, String tlsVersion, String caFile, String checkHost, String cert,
                           String key, PortScheme scheme, int serverPort, int serverMountPort, List<String> passThrough) {
    public static final int NFS_PORT = 2049;
    public static final String DEFAULT_VERSION = "4.1";
    private static final int MAX_LENGTH = 8192;
    private static final List<String> VERSIONS = List.of("3", "4", "4.0", "4.1", "4.2");
    private static final List<String> TLS_ONLY = List.of("tls_version", "cafile", "checkhost", "cert", "key", "port_scheme");

    public MountOptions {
        passThrough = List.copyOf(passThrough);
    }

    /** NFS major version: 3 or 4. */
    public int major() {
        return version.startsWith("3") ? 3 : 4;
    }

    /** True when MOUNT calls need their own endpoint (NFSv3, server MOUNT port not the NFS port). */
    public boolean separateMountEndpoint() {
        return major() == 3 && serverMountPort != serverPort;
    }

    /** Parses the comma-separated option strings of every {@code -o}; IllegalArgumentException names the bad one. */
    public static MountOptions parse(List<String> optionStrings) {
        Map<String, String> ours = new LinkedHashMap<>();
        List<String> passThrough = new ArrayList<>();
        Boolean tls = null;
        boolean lock = false;
        int length = 0;
        for (String options : optionStrings) {
            length += options.length();
            if (length > MAX_LENGTH) {
                throw new IllegalArgumentException("-o: options over " + MAX_LENGTH + " characters");
            }
            for (String option : options.split(",", -1)) {
                if (option.isEmpty() || option.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
                    throw new IllegalArgumentException("-o '" + options + "': empty option or a space or control character");
                }
                int equals = option.indexOf('=');
                String name = (equals < 0 ? option : option.substring(0, equals)).toLowerCase(Locale.ROOT);
                String value = equals < 0 ? null : option.substring(equals + 1);
                switch (name) {
                    case "tls", "notls" -> {
                        boolean wanted = name.equals("tls");
                        noValue(option, value);
                        if (tls != null && tls != wanted) {
                            throw new IllegalArgumentException("-o: both tls and notls given");
                        }
                        tls = wanted;
                    }
                    case "vers", "nfsvers", "tls_version", "cafile", "checkhost", "cert", "key", "port_scheme", "port",
                         "mountport" -> {
                        String key = name.equals("nfsvers") ? "vers" : name;
                        if (value == null || value.isEmpty()) {
                            throw new IllegalArgumentException("-o " + option + ": " + name + "= needs a value");
                        }
                        if (ours.containsKey(key) && !ours.get(key).equals(value)) {
                            throw new IllegalArgumentException("-o: " + name + "=" + value + " contradicts " + key + "=" + ours.get(key));
                        }
                        ours.put(key, value);
                    }
                    default -> {
                        if (name.equals("lock")) {
                            lock = true;
                        }
                        passThrough.add(option);
                    }
                }
            }
        }
        boolean encrypted = tls == null || tls;
        String version = ours.getOrDefault("vers", DEFAULT_VERSION);
        if (!VERSIONS.contains(version)) {
            throw new IllegalArgumentException("-o vers=" + version + ": expected one of " + String.join(", ", VERSIONS));
        }
        String tlsVersion = ours.get("tls_version");
        if (tlsVersion != null && !tlsVersion.equals("1.2") && !tlsVersion.equals("1.3")) {
            throw new IllegalArgumentException("-o tls_version=" + tlsVersion + ": expected 1.2 or 1.3");
        }
        PortScheme scheme = PortScheme.parse(ours.getOrDefault("port_scheme", "efs"));
        int serverPort = port(ours, "port", NFS_PORT);
        int serverMountPort = port(ours, "mountport", serverPort);
        if (ours.containsKey("mountport") && version.startsWith("4")) {
            throw new IllegalArgumentException("-o mountport=" + ours.get("mountport") + ": NFSv4 has no MOUNT service (vers="
                    + version + ")");
        }
        if (encrypted) {
            refuseBypass(passThrough, version, lock);
        } else {
            for (String key : TLS_ONLY) {
                if (ours.containsKey(key)) {
                    throw new IllegalArgumentException("-o " + key + "=" + ours.get(key) + " needs tls, but notls is given");
                }
            }
            for (String key : List.of("port", "mountport")) { // the kernel's own meaning: the server's ports
                if (ours.containsKey(key)) {
                    passThrough.add(key + "=" + ours.get(key));
                }
            }
        }
        return new MountOptions(encrypted, version, tlsVersion, ours.get("cafile"), ours.get("checkhost"), ours.get("cert"),
                ours.get("key"), scheme, serverPort, serverMountPort, passThrough);
    }

    /**
     * The options mount.nfs gets for a mount through local endpoint ports {@code port} / {@code mountPort}
     * (NFSv3): ours replaced by what they mean to the kernel; the MOUNT and NFS calls over TCP, no NLM.
     */
    public String throughRelay(int port, int mountPort) {
        List<String> out = new ArrayList<>(passThrough);
        out.add("vers=" + version);
        out.add("port=" + port);
        if (major() == 3) {
            out.add("mountport=" + mountPort);
            addUnlessSet(out, "proto", "proto=tcp");
            addUnlessSet(out, "mountproto", "mountproto=tcp");
            addUnlessSet(out, "nolock", "nolock");
        }
        return String.join(",", out);
    }

    /** The options for a plain ({@code notls}) mount straight to the server. */
    public String direct() {
        List<String> out = new ArrayList<>(passThrough);
        out.add("vers=" + version);
        return String.join(",", out);
    }

    private static void addUnlessSet(List<String> options, String name, String option) {
        if (options.stream().noneMatch(o -> o.equalsIgnoreCase(name) || o.toLowerCase(Locale.ROOT).startsWith(name + "="))) {
            options.add(option);
        }
    }

    private static void refuseBypass(List<String> passThrough, String version, boolean lock) {
        for (String option : passThrough) {
            String lower = option.toLowerCase(Locale.ROOT);
            if (lower.equals("proto=udp") || lower.equals("mountproto=udp") || lower.equals("udp")) {
                throw new IllegalArgumentException("-o " + option + ": the TLS relay carries TCP only");
            }
            if (lower.startsWith("addr=") || lower.startsWith("mountaddr=")) {
                throw new IllegalArgumentException("-o " + option + ": the relay chooses the address NFS goes to");
            }
        }
        if (lock && version.equals("3")) {
            throw new IllegalArgumentException("-o lock: NFSv3 locking (NLM) would go to the server beside the TLS tunnel; "
                    + "use nolock or NFSv4");
        }
    }

    private static int port(Map<String, String> ours, String name, int otherwise) {
        String value = ours.get(name);
        if (value == null) {
            return otherwise;
        }
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-o " + name + "=" + value + ": expected the server's port, 1..65535");
    }

    private static void noValue(String option, String value) {
        if (value != null) {
            throw new IllegalArgumentException("-o " + option + ": takes no value");
        }
    }
}
