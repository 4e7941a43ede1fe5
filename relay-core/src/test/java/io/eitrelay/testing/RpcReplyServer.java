package io.eitrelay.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A minimal ONC-RPC server on loopback, written with plain JDK sockets: for every record-marked call it
 * answers an accepted, successful reply with the call's xid (RFC 5531 §9), empty results.
 */
public final class RpcReplyServer implements AutoCloseable {
    private final ServerSocket server;

    public RpcReplyServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread worker = new Thread(() -> serve(socket), "rpc-reply");
                    worker.setDaemon(true);
                    worker.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "rpc-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    private static void serve(Socket socket) {
        try (socket; DataInputStream in = new DataInputStream(socket.getInputStream());
             DataOutputStream out = new DataOutputStream(socket.getOutputStream())) {
            while (true) {
                byte[] record = readRecord(in);
                int xid = ((record[0] & 0xff) << 24) | ((record[1] & 0xff) << 16) | ((record[2] & 0xff) << 8) | (record[3] & 0xff);
                out.writeInt(0x8000_0000 | 24);
                out.writeInt(xid);
                out.writeInt(1); // REPLY
                out.writeInt(0); // MSG_ACCEPTED
                out.writeInt(0); // verifier flavor AUTH_NONE
                out.writeInt(0); // verifier length
                out.writeInt(0); // SUCCESS
                out.flush();
            }
        } catch (IOException e) {
            // connection ended
        }
    }

    private static byte[] readRecord(DataInputStream in) throws IOException {
        java.io.ByteArrayOutputStream record = new java.io.ByteArrayOutputStream();
        boolean last;
        do {
            int mark = in.readInt();
            last = mark < 0;
            byte[] fragment = new byte[mark & 0x7fff_ffff];
            in.readFully(fragment);
            record.write(fragment);
        } while (!last);
        return record.toByteArray();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
