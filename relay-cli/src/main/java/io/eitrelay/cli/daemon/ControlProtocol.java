package io.eitrelay.cli.daemon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's control channel, on a Unix domain socket. A request is its arguments, each ended by a NUL
 * byte, then a newline (arguments are flags and file names: never NUL, refused if they hold a newline).
 * The reply is {@code ok} or {@code error}, a newline, then text to show; the daemon then closes.
 * Requests are capped: a peer cannot make the daemon buffer more than {@link #MAX_REQUEST_BYTES}.
 */
public final class ControlProtocol {
    public static final int MAX_REQUEST_BYTES = 64 * 1024;
    public static final int MAX_REPLY_BYTES = 16 * 1024 * 1024;
    private static final String MOUNT_ENDPOINT_PREFIX = "mount-";
    private static final byte END_OF_ARG = 0;
    private static final byte END_OF_REQUEST = '\n';
    static final String OK = "ok";
    static final String ERROR = "error";

    private ControlProtocol() {
    }

    /** The daemon's answer: whether it did it, and what to tell the user. */
    public record Reply(boolean ok, String text) {
        public static Reply ok(String text) {
            return new Reply(true, text);
        }

        public static Reply error(String text) {
            return new Reply(false, text);
        }

        byte[] encode() {
            return ((ok ? OK : ERROR) + "\n" + text).getBytes(StandardCharsets.UTF_8);
        }

        static Reply decode(byte[] bytes) throws IOException {
            String all = new String(bytes, StandardCharsets.UTF_8);
            int newline = all.indexOf('\n');
            String status = newline < 0 ? all : all.substring(0, newline);
            String text = newline < 0 ? "" : all.substring(newline + 1);
            if (!status.equals(OK) && !status.equals(ERROR)) {
                throw new IOException("not an eit-relay daemon reply: " + abbreviate(status));
            }
            return new Reply(status.equals(OK), text);
        }
    }

    static byte[] encode(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String arg : args) {
            if (arg.indexOf(END_OF_ARG) >= 0 || arg.indexOf(END_OF_REQUEST) >= 0) {
                throw new IllegalArgumentException("an argument holds a NUL or newline: " + abbreviate(arg));
            }
            out.writeBytes(arg.getBytes(StandardCharsets.UTF_8));
            out.write(END_OF_ARG);
        }
        out.write(END_OF_REQUEST);
        if (out.size() > MAX_REQUEST_BYTES) {
            throw new IllegalArgumentException("request over " + MAX_REQUEST_BYTES + " bytes");
        }
        return out.toByteArray();
    }

    /** Reads one request; IOException when it is malformed or over the cap. */
    static List<String> readRequest(ReadableByteChannel channel) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (true) {
            buffer.clear();
            if (channel.read(buffer) < 0) {
                throw new IOException("request ended early");
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                byte b = buffer.get();
                if (b == END_OF_REQUEST) {
                    return split(request.toByteArray());
                }
                request.write(b);
                if (request.size() >= MAX_REQUEST_BYTES) {
                    throw new IOException("request over " + MAX_REQUEST_BYTES + " bytes");
                }
            }
        }
    }

    private static List<String> split(byte[] bytes) throws IOException {
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == END_OF_ARG) {
                args.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start != bytes.length || args.isEmpty()) {
            throw new IOException("malformed request");
        }
        return args;
    }

    static String abbreviate(String text) {
        String clean = text.replaceAll("[\\p{Cntrl}]", "?");
        return clean.length() <= 80 ? clean : clean.substring(0, 80) + "...";
    }

    /** The name the daemon gives a mount's endpoint listening on {@code listen} (for {@code last-failure}). */
    public static String mountEndpointName(java.net.InetSocketAddress listen) {
        return MOUNT_ENDPOINT_PREFIX + StatusReport.address(listen);
    }
}
