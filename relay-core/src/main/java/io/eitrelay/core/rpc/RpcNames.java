package io.eitrelay.core.rpc;

import java.util.List;

/**
 * Names for metric tags: ONC-RPC programs (RFC 5531 registry), NFSv3 procedures (RFC 1813 §3),
 * NFSv4 procedures (RFC 7530 §16: NULL and COMPOUND), MOUNT v3 (RFC 1813 §5). Anything else is
 * "unknown" / "other", so a peer cannot blow up the number of time series.
 */
public final class RpcNames {
    public static final int PROGRAM_NFS = 100_003;
    public static final int PROGRAM_MOUNT = 100_005;
    public static final String UNKNOWN = "unknown";
    public static final String OTHER = "other";

    private static final List<String> NFS3 = List.of("NULL", "GETATTR", "SETATTR", "LOOKUP", "ACCESS", "READLINK",
            "READ", "WRITE", "CREATE", "MKDIR", "SYMLINK", "MKNOD", "REMOVE", "RMDIR", "RENAME", "LINK", "READDIR",
            "READDIRPLUS", "FSSTAT", "FSINFO", "PATHCONF", "COMMIT");
    private static final List<String> NFS4 = List.of("NULL", "COMPOUND");
    private static final List<String> MOUNT3 = List.of("NULL", "MNT", "DUMP", "UMNT", "UMNTALL", "EXPORT");

    private RpcNames() {
    }

    public static String program(int program) {
        return switch (program) {
            case PROGRAM_NFS -> "NFS";
            case PROGRAM_MOUNT -> "MOUNT";
            default -> UNKNOWN;
        };
    }

    /** The version tag: a number for known programs, else "unknown" (bounded cardinality). */
    public static String version(int program, int version) {
        boolean known = (program == PROGRAM_NFS && (version == 3 || version == 4))
                || (program == PROGRAM_MOUNT && version == 3);
        return known ? Integer.toString(version) : UNKNOWN;
    }

    public static String procedure(int program, int version, int procedure) {
        List<String> names = program == PROGRAM_NFS && version == 3 ? NFS3
                : program == PROGRAM_NFS && version == 4 ? NFS4
                : program == PROGRAM_MOUNT && version == 3 ? MOUNT3 : List.of();
        return procedure >= 0 && procedure < names.size() ? names.get(procedure) : OTHER;
    }
}
