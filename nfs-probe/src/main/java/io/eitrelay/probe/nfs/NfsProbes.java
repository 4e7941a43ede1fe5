package io.eitrelay.probe.nfs;

import io.eitrelay.probe.rpc.Auth;
import io.eitrelay.probe.rpc.RpcClient;
import io.eitrelay.probe.rpc.RpcException;
import io.eitrelay.probe.xdr.XdrReader;
import io.eitrelay.probe.xdr.XdrWriter;
import java.io.IOException;

/**
 * The NFS requests a health check needs, each returning a short description of what the server
 * answered and throwing {@link RpcException} when the answer is not success.
 */
public final class NfsProbes {
    public static final int PROGRAM_NFS = 100_003;
    public static final int PROGRAM_MOUNT = 100_005;
    private static final int PROC_NULL = 0;
    private static final int NFS4_COMPOUND = 1;
    private static final int OP_GETATTR = 9;     // RFC 7530 §16.7
    private static final int OP_PUTROOTFH = 24;  // RFC 7530 §16.22
    private static final int FATTR4_TYPE = 1;    // RFC 7530 §5.6
    private static final int FATTR4_SIZE = 4;
    private static final int MOUNT_MNT = 1;      // RFC 1813 §5.2.1
    private static final int MOUNT_UMNT = 3;
    private static final int NFS3_GETATTR = 1;   // RFC 1813 §3.3.1
    private static final int NFS3_FSINFO = 19;   // RFC 1813 §3.3.19
    private static final int MAX_FH3 = 64;       // NFS3_FHSIZE
    private static final int MAX_TAG = 1024;
    private static final int MAX_ATTRS = 4096;
    private static final String[] FILE_TYPES = {"?", "regular file", "directory", "block device", "character device",
        "symlink", "socket", "fifo"};

    private NfsProbes() {
    }

    /** NULL (procedure 0): the server's RPC layer answers for {@code program} {@code version}. */
    public static String nullPing(RpcClient client, int program, int version) throws IOException, RpcException {
        client.call(program, version, PROC_NULL, Auth.none(), new byte[0]);
        return "answered";
    }

    /** NFSv4.0 COMPOUND(PUTROOTFH, GETATTR(type, size)): the pseudo-root is reachable and readable. */
    public static String nfs4RootGetattr(RpcClient client, Auth auth) throws IOException, RpcException {
        byte[] args = new XdrWriter().writeOpaque(new byte[0]) // tag
                .writeInt(0)                                       // minorversion 0
                .writeInt(2)
                .writeInt(OP_PUTROOTFH)
                .writeInt(OP_GETATTR).writeInt(1).writeInt((1 << FATTR4_TYPE) | (1 << FATTR4_SIZE))
                .toByteArray();
        XdrReader reply = client.call(PROGRAM_NFS, 4, NFS4_COMPOUND, auth, args);
        int status = reply.readInt();
        reply.readOpaque(MAX_TAG);
        int results = reply.readInt();
        if (status != 0) {
            throw new RpcException("COMPOUND failed: " + nfs4Status(status) + " after " + results + " operation(s)");
        }
        reply.readInt(); // PUTROOTFH
        reply.readInt(); // its status (0: the COMPOUND succeeded)
        reply.readInt(); // GETATTR
        reply.readInt();
        int words = reply.readInt();
        for (int i = 0; i < words; i++) {
            reply.readInt();
        }
        XdrReader attrs = new XdrReader(reply.readOpaque(MAX_ATTRS));
        int type = attrs.readInt();
        long size = attrs.readLong();
        return "root is a " + fileType(type) + " (" + size + " bytes)";
    }

    /** MOUNT v3 MNT: the export's root file handle (RFC 1813 §5.2.1). */
    public static byte[] mount(RpcClient mount, Auth auth, String export) throws IOException, RpcException {
        XdrReader reply = mount.call(PROGRAM_MOUNT, 3, MOUNT_MNT, auth, new XdrWriter().writeString(export).toByteArray());
        int status = reply.readInt();
        if (status != 0) {
            throw new RpcException("MNT " + export + " failed: MNT3 status " + status);
        }
        return reply.readOpaque(MAX_FH3);
    }

    /** MOUNT v3 UMNT. */
    public static String unmount(RpcClient mount, Auth auth, String export) throws IOException, RpcException {
        mount.call(PROGRAM_MOUNT, 3, MOUNT_UMNT, auth, new XdrWriter().writeString(export).toByteArray());
        return "unmounted " + export;
    }

    /** NFSv3 GETATTR of a handle. */
    public static String nfs3Getattr(RpcClient nfs, Auth auth, byte[] handle) throws IOException, RpcException {
        XdrReader reply = nfs.call(PROGRAM_NFS, 3, NFS3_GETATTR, auth, new XdrWriter().writeOpaque(handle).toByteArray());
        int status = reply.readInt();
        if (status != 0) {
            throw new RpcException("GETATTR failed: NFS3 status " + status);
        }
        return "root is a " + fileType(reply.readInt());
    }

    /** NFSv3 FSINFO of a handle: the server's transfer sizes. */
    public static String nfs3Fsinfo(RpcClient nfs, Auth auth, byte[] handle) throws IOException, RpcException {
        XdrReader reply = nfs.call(PROGRAM_NFS, 3, NFS3_FSINFO, auth, new XdrWriter().writeOpaque(handle).toByteArray());
        int status = reply.readInt();
        if (status != 0) {
            throw new RpcException("FSINFO failed: NFS3 status " + status);
        }
        if (reply.readInt() != 0) { // post_op_attr present: fattr3 is 84 bytes (RFC 1813 §2.6)
            reply.skip(84);
        }
        int rtmax = reply.readInt();
        reply.readInt(); // rtpref
        reply.readInt(); // rtmult
        int wtmax = reply.readInt();
        return "rtmax " + rtmax + ", wtmax " + wtmax;
    }

    private static String fileType(int type) {
        return type > 0 && type < FILE_TYPES.length ? FILE_TYPES[type] : "type " + type;
    }

    static String nfs4Status(int status) {
        return switch (status) {
            case 2 -> "NFS4ERR_NOENT";
            case 13 -> "NFS4ERR_ACCESS";
            case 10006 -> "NFS4ERR_SERVERFAULT";
            case 10013 -> "NFS4ERR_GRACE";
            case 10016 -> "NFS4ERR_WRONGSEC";
            case 10021 -> "NFS4ERR_MINOR_VERS_MISMATCH";
            default -> "NFS4 status " + status;
        };
    }
}
