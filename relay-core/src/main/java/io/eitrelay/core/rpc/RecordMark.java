package io.eitrelay.core.rpc;

/**
 * ONC-RPC record marking over TCP (RFC 5531 §11): each record is sent as one or more fragments, each
 * preceded by a 4-byte big-endian mark whose high bit says "last fragment of this record" and whose
 * low 31 bits are the fragment's length.
 */
public final class RecordMark {
    /** Bytes in a record mark. */
    public static final int SIZE = 4;
    /** High bit of the mark: this fragment ends the record. */
    public static final int LAST_FRAGMENT = 0x8000_0000;
    /** Low 31 bits of the mark: the fragment length in bytes. */
    public static final int LENGTH_MASK = 0x7fff_ffff;
    /**
     * Default cap on a whole record: NFS rsize/wsize top out at 1 MiB of data, and the RPC header,
     * credentials and NFS arguments (a COMPOUND's other operations) fit in 64 KiB. efs-proxy caps at
     * 1 MiB + 4 KiB; oncrpc4j has no cap at all, which is the gap to avoid.
     */
    public static final int DEFAULT_MAX_RECORD = io.eitrelay.core.config.RecordFraming.DEFAULT_MAX_RECORD;

    private RecordMark() {
    }

    public static boolean isLastFragment(int mark) {
        return (mark & LAST_FRAGMENT) != 0;
    }

    public static int fragmentLength(int mark) {
        return mark & LENGTH_MASK;
    }

    public static int of(int length, boolean last) {
        if (length < 0) {
            throw new IllegalArgumentException("fragment length must not be negative: " + length);
        }
        return last ? length | LAST_FRAGMENT : length;
    }
}
