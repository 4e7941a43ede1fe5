package io.eitrelay.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Pushes data through a listener toward an echo target and reads the echo, both at once. */
public final class Transfer {
    private Transfer() {
    }

    /**
     * Writes {@code data} in pieces of the given sizes (cycled), half-closes, and reads until EOF while
     * writing. Returns what came back. Bounded by {@code timeoutSeconds}.
     */
    public static byte[] roundTrip(int port, byte[] data, List<Integer> pieceSizes, long timeoutSeconds)
            throws IOException, InterruptedException, ExecutionException, TimeoutException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(timeoutSeconds));
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                writeInPieces(socket, data, pieceSizes);
                try {
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            ByteArrayOutputStream received = new ByteArrayOutputStream(Math.max(32, data.length));
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                received.write(buffer, 0, n);
            }
            writer.get(timeoutSeconds, TimeUnit.SECONDS);
            return received.toByteArray();
        }
    }

    /**
     * Writes {@code data} in pieces and reads exactly as many bytes back, without half-closing: how an
     * RPC client uses a connection, and what peers that end both directions on FIN (stunnel) support.
     */
    public static byte[] exchange(int port, byte[] data, List<Integer> pieceSizes, long timeoutSeconds)
            throws IOException, InterruptedException, ExecutionException, TimeoutException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(timeoutSeconds));
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> writeInPieces(socket, data, pieceSizes));
            byte[] back = socket.getInputStream().readNBytes(data.length);
            writer.get(timeoutSeconds, TimeUnit.SECONDS);
            return back;
        }
    }

    /** Writes {@code data} in pieces of the given sizes, cycled (each at least 1 byte). */
    private static void writeInPieces(Socket socket, byte[] data, List<Integer> pieceSizes) {
        try {
            OutputStream out = socket.getOutputStream();
            int offset = 0;
            for (int i = 0; offset < data.length; i++) {
                int size = Math.min(Math.max(1, pieceSizes.get(i % pieceSizes.size())), data.length - offset);
                out.write(data, offset, size);
                offset += size;
            }
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * About {@code payloadBytes} of random data as ONC-RPC records (RFC 5531 §11 marks, records of up to
     * 64 KiB), what an NFS client sends: for relays that follow record framing.
     */
    public static byte[] rpcRecords(int payloadBytes, long seed) {
        java.util.Random random = new java.util.Random(seed);
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(payloadBytes + 4 * (payloadBytes / 1024 + 2));
        int left = payloadBytes;
        do {
            int size = Math.min(left, 1 + random.nextInt(64 * 1024));
            out.putInt(0x8000_0000 | size);
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            out.put(payload);
            left -= size;
        } while (left > 0);
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    public static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new java.util.Random(seed).nextBytes(data);
        return data;
    }

    /** True once the peer ended the connection (end of stream or reset); blocks up to the socket's timeout. */
    public static boolean readsEnd(InputStream in) {
        try {
            return in.read() == -1;
        } catch (IOException reset) {
            return true;
        }
    }
}
