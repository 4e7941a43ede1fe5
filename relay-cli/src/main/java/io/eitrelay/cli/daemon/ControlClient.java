package io.eitrelay.cli.daemon;

import io.eitrelay.cli.daemon.ControlProtocol.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/** Sends one request to a running daemon ({@code eit-relay ctl}, {@code status}, {@code mount}). */
public final class ControlClient {
    private ControlClient() {
    }

    public static Reply send(Path socket, List<String> args) throws IOException {
        byte[] request = ControlProtocol.encode(args);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new IOException("no eit-relay daemon answers on " + socket + " (" + e.getMessage()
                        + "); start one with 'eit-relay daemon'", e);
            }
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(8192);
            while (channel.read(in.clear()) >= 0) {
                reply.write(in.array(), 0, in.position());
                if (reply.size() > ControlProtocol.MAX_REPLY_BYTES) {
                    throw new IOException("reply over " + ControlProtocol.MAX_REPLY_BYTES + " bytes");
                }
            }
            return Reply.decode(reply.toByteArray());
        }
    }
}
