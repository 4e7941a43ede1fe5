package io.eitrelay.bench.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

/**
 * The far end of every load: a blocking ONC-RPC server on loopback, one thread per connection, that
 * answers each call with a reply of the size the call asks for. Replies are written from a buffer
 * allocated once per connection, so the server costs little next to what it measures.
 */
public final class LoadServer implements AutoCloseable {
    private static final int BUFFER_BYTES = 256 << 10;

    private final ServerSocket server;
    private final Thread acceptor;

    public LoadServer(int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        acceptor = new Thread(this::acceptLoop, "load-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread t = new Thread(() -> serve(socket), "load-server-" + socket.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), BUFFER_BYTES));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), BUFFER_BYTES);
            // Both grow to the largest record seen: a thousand idle connections stay small.
            byte[] call = new byte[4 << 10];
            byte[] reply = RpcMessages.reply(RpcMessages.MIN_REPLY_BYTES);
            int[] length = new int[1];
            while (true) {
                call = RpcMessages.readRecord(in, call, length);
                if (length[0] < RpcMessages.CALL_HEADER_BYTES + 4) {
                    throw new IOException("call of " + length[0] + " bytes is too short");
                }
                int replyBytes = RpcMessages.intAt(call, RpcMessages.CALL_HEADER_BYTES);
                if (replyBytes < RpcMessages.MIN_REPLY_BYTES || replyBytes - RpcMessages.MARK_BYTES > RpcMessages.MAX_RECORD_BYTES) {
                    throw new IOException("reply size " + replyBytes + " out of range");
                }
                if (replyBytes > reply.length) {
                    reply = RpcMessages.reply(replyBytes);
                }
                int mark = RpcMessages.LAST_FRAGMENT | (replyBytes - RpcMessages.MARK_BYTES);
                reply[0] = (byte) (mark >>> 24);
                reply[1] = (byte) (mark >>> 16);
                reply[2] = (byte) (mark >>> 8);
                reply[3] = (byte) mark;
                System.arraycopy(call, 0, reply, RpcMessages.MARK_BYTES, 4); // the xid
                out.write(reply, 0, replyBytes);
                // Flush once the calls already received are answered: pipelined calls share a write.
                if (in.available() == 0) {
                    out.flush();
                }
            }
        } catch (EOFException | SocketException e) {
            // the client is done
        } catch (IOException e) {
            System.err.println("load server: " + e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
