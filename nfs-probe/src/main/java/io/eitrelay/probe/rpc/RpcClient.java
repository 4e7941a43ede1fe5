package io.eitrelay.probe.rpc;

import io.eitrelay.probe.xdr.XdrReader;
import io.eitrelay.probe.xdr.XdrWriter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A blocking ONC-RPC client over one TCP connection (RFC 5531): record marking (§11), xid matching
 * (replies to other xids are skipped), accepted/denied reply decoding with the reason, and a timeout on
 * every read. Not thread-safe: one call at a time.
 */
public final class RpcClient implements AutoCloseable {
    private static final int LAST_FRAGMENT = 0x8000_0000;
    private static final int MSG_CALL = 0;
    private static final int MSG_REPLY = 1;
    private static final int RPC_VERSION = 2;
    private static final int MSG_ACCEPTED = 0;
    private static final int MAX_AUTH = 400;
    /** Replies of the probes are small; a bigger record means a confused peer. */
    private static final int MAX_REPLY = 1 << 20;
    private static final int MAX_SKIPPED_REPLIES = 64;
    private static final String[] ACCEPT_STATS = {"SUCCESS", "PROG_UNAVAIL", "PROG_MISMATCH", "PROC_UNAVAIL",
        "GARBAGE_ARGS", "SYSTEM_ERR"};

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private int xid = ThreadLocalRandom.current().nextInt();

    public RpcClient(InetSocketAddress target, int timeoutMillis) throws IOException {
        this(new Socket(), target, timeoutMillis);
    }

    /**
     * Over {@code unconnected}, a socket the caller may have bound first (to know the address the call
     * comes from); the client owns it from now on and closes it, also when connecting fails.
     */
    public RpcClient(Socket unconnected, InetSocketAddress target, int timeoutMillis) throws IOException {
        socket = unconnected;
        try {
            connect(target, timeoutMillis);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
    }

    private void connect(InetSocketAddress target, int timeoutMillis) throws IOException {
        socket.setTcpNoDelay(true);
        socket.connect(target, timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
    }

    /** Calls {@code program.version.procedure} and returns a reader positioned at the results. */
    public XdrReader call(int program, int version, int procedure, Auth auth, byte[] args) throws IOException, RpcException {
        int id = ++xid;
        byte[] header = new XdrWriter().writeInt(id).writeInt(MSG_CALL).writeInt(RPC_VERSION).writeInt(program)
                .writeInt(version).writeInt(procedure).writeInt(auth.flavor()).writeOpaque(auth.body())
                .writeInt(Auth.AUTH_NONE).writeOpaque(new byte[0]).toByteArray();
        out.writeInt(LAST_FRAGMENT | (header.length + args.length));
        out.write(header);
        out.write(args);
        out.flush();
        for (int skipped = 0; skipped < MAX_SKIPPED_REPLIES; skipped++) {
            XdrReader reply = new XdrReader(readRecord());
            if (reply.readInt() != id) {
                continue; // a late reply to an earlier call that timed out
            }
            if (reply.readInt() != MSG_REPLY) {
                throw new RpcException("expected a REPLY to xid " + id);
            }
            int replyStat = reply.readInt();
            if (replyStat != MSG_ACCEPTED) {
                int rejectStat = reply.readInt();
                throw new RpcException(rejectStat == 0 ? "call denied: RPC_MISMATCH"
                        : "call denied: AUTH_ERROR " + reply.readInt());
            }
            reply.readInt();            // verifier flavor
            reply.readOpaque(MAX_AUTH); // verifier body
            int acceptStat = reply.readInt();
            if (acceptStat != 0) {
                String name = acceptStat > 0 && acceptStat < ACCEPT_STATS.length ? ACCEPT_STATS[acceptStat] : "" + acceptStat;
                throw new RpcException("program " + program + " version " + version + " procedure " + procedure
                        + ": " + name + (acceptStat == 2 ? " (server supports " + reply.readInt() + ".." + reply.readInt() + ")" : ""));
            }
            return reply;
        }
        throw new RpcException("no reply with xid " + id + " among " + MAX_SKIPPED_REPLIES + " records");
    }

    /** One record: fragments joined, total capped. */
    private byte[] readRecord() throws IOException {
        java.io.ByteArrayOutputStream record = new java.io.ByteArrayOutputStream();
        boolean last;
        do {
            int mark = in.readInt();
            last = (mark & LAST_FRAGMENT) != 0;
            int length = mark & ~LAST_FRAGMENT;
            if (record.size() + (long) length > MAX_REPLY) {
                throw new IOException("reply record larger than " + MAX_REPLY + " bytes");
            }
            byte[] fragment = new byte[length];
            in.readFully(fragment);
            record.write(fragment);
        } while (!last);
        return record.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
