package io.eitrelay.core.rpc;

import java.util.HashMap;
import java.util.Map;

/**
 * Names an NFSv4 COMPOUND call by its main operation, read from the start of the call (RFC 7530 §16.2,
 * RFC 8881 §16.2): after the RPC header come the credential and verifier (RFC 5531 §9), the COMPOUND's
 * tag, minor version and operation count, then each operation number followed by its arguments. The
 * main operation is the first one that is not session or file-handle housekeeping (SEQUENCE, PUTFH,
 * PUTROOTFH, PUTPUBFH, SAVEFH, RESTOREFH), whose arguments are skipped; at most
 * {@link #MAX_OPERATIONS} operations are looked at, and any length that runs past the bytes captured
 * gives "COMPOUND" rather than a guess.
 */
public final class Nfs4Compound {
    /** Bytes of a call captured for this: AUTH_SYS credentials take up to 400 (RFC 5531 §8.2). */
    public static final int CAPTURE_BYTES = 640;
    public static final int MAX_OPERATIONS = 16;
    /** Opaque auth bodies are at most 400 bytes (RFC 5531 §8.2); nfs_fh4 at most 128 (RFC 7530 §4.2.1). */
    private static final int MAX_AUTH_BODY = 400;
    private static final int MAX_FILE_HANDLE = 128;
    private static final int MAX_TAG = 256;
    private static final int RPC_HEADER = 24;
    private static final int OP_GETFH = 10;
    private static final int OP_PUTFH = 22;
    private static final int OP_PUTPUBFH = 23;
    private static final int OP_PUTROOTFH = 24;
    private static final int OP_RESTOREFH = 31;
    private static final int OP_SAVEFH = 32;
    private static final int OP_SEQUENCE = 53;
    /** SEQUENCE4args: sessionid (16) + sequenceid + slotid + highest_slotid + cachethis (4 each), RFC 8881 §18.46. */
    private static final int SEQUENCE_ARGS = 32;
    private static final String[] NAMES = new String[76];
    private static final Map<String, Integer> NUMBERS = new HashMap<>();

    static {
        String[] names = {"ACCESS", "CLOSE", "COMMIT", "CREATE", "DELEGPURGE", "DELEGRETURN", "GETATTR", "GETFH",
            "LINK", "LOCK", "LOCKT", "LOCKU", "LOOKUP", "LOOKUPP", "NVERIFY", "OPEN", "OPENATTR", "OPEN_CONFIRM",
            "OPEN_DOWNGRADE", "PUTFH", "PUTPUBFH", "PUTROOTFH", "READ", "READDIR", "READLINK", "REMOVE", "RENAME",
            "RENEW", "RESTOREFH", "SAVEFH", "SECINFO", "SETATTR", "SETCLIENTID", "SETCLIENTID_CONFIRM", "VERIFY",
            "WRITE", "RELEASE_LOCKOWNER", "BACKCHANNEL_CTL", "BIND_CONN_TO_SESSION", "EXCHANGE_ID",
            "CREATE_SESSION", "DESTROY_SESSION", "FREE_STATEID", "GET_DIR_DELEGATION", "GETDEVICEINFO",
            "GETDEVICELIST", "LAYOUTCOMMIT", "LAYOUTGET", "LAYOUTRETURN", "SECINFO_NO_NAME", "SEQUENCE", "SET_SSV",
            "TEST_STATEID", "WANT_DELEGATION", "DESTROY_CLIENTID", "RECLAIM_COMPLETE", "ALLOCATE", "COPY",
            "COPY_NOTIFY", "DEALLOCATE", "IO_ADVISE", "LAYOUTERROR", "LAYOUTSTATS", "OFFLOAD_CANCEL",
            "OFFLOAD_STATUS", "READ_PLUS", "SEEK", "WRITE_SAME", "CLONE", "GETXATTR", "SETXATTR", "LISTXATTRS",
            "REMOVEXATTR"};
        for (int i = 0; i < names.length; i++) {
            NAMES[i + 3] = names[i]; // ACCESS is operation 3 (RFC 7530 §16.2.1)
            NUMBERS.put(names[i], i + 3);
        }
    }

    private Nfs4Compound() {
    }

    /** The operation's name, or "other" for numbers outside the NFSv4.0-4.2 registries. */
    public static String operationName(int op) {
        return op >= 0 && op < NAMES.length && NAMES[op] != null ? NAMES[op] : RpcNames.OTHER;
    }

    /** For tests: the number of a named operation. */
    static int operation(String name) {
        return NUMBERS.get(name);
    }

    /** The main operation of the COMPOUND call whose first {@code length} bytes are {@code call}. */
    public static String mainOperation(byte[] call, int length) {
        Cursor c = new Cursor(call, length, RPC_HEADER);
        if (!c.skipOpaque(MAX_AUTH_BODY, 4) || !c.skipOpaque(MAX_AUTH_BODY, 4) || !c.skipOpaque(MAX_TAG, 0)) {
            return "COMPOUND";
        }
        if (!c.skip(4)) { // minorversion
            return "COMPOUND";
        }
        int count = c.readInt();
        if (count < 0) {
            return "COMPOUND";
        }
        String last = "COMPOUND";
        for (int i = 0; i < Math.min(count, MAX_OPERATIONS); i++) {
            int op = c.readInt();
            if (op < 0) {
                return last;
            }
            boolean skipped;
            switch (op) {
                case OP_SEQUENCE:
                    skipped = c.skip(SEQUENCE_ARGS);
                    break;
                case OP_PUTFH:
                    skipped = c.skipOpaque(MAX_FILE_HANDLE, 0);
                    break;
                case OP_PUTROOTFH, OP_PUTPUBFH, OP_SAVEFH, OP_RESTOREFH, OP_GETFH:
                    skipped = true;
                    break;
                default:
                    return operationName(op);
            }
            last = operationName(op);
            if (!skipped) {
                return last;
            }
        }
        return last;
    }

    /** Reads big-endian XDR words from a captured prefix; -1 once past its end. */
    private static final class Cursor {
        private final byte[] bytes;
        private final int length;
        private int pos;

        Cursor(byte[] bytes, int length, int pos) {
            this.bytes = bytes;
            this.length = length;
            this.pos = pos;
        }

        int readInt() {
            if (pos + 4 > length) {
                pos = length + 1;
                return -1;
            }
            int v = ((bytes[pos] & 0xff) << 24) | ((bytes[pos + 1] & 0xff) << 16) | ((bytes[pos + 2] & 0xff) << 8)
                    | (bytes[pos + 3] & 0xff);
            pos += 4;
            return v;
        }

        boolean skip(int n) {
            pos += n;
            return pos <= length;
        }

        /** {@code prefixWords} words (e.g. an auth flavor), then a length-prefixed opaque padded to 4 bytes. */
        boolean skipOpaque(int max, int prefixBytes) {
            if (!skip(prefixBytes)) {
                return false;
            }
            int n = readInt();
            if (n < 0 || n > max) {
                return false;
            }
            return skip((n + 3) & ~3);
        }
    }
}
