package io.eitrelay.cli.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends {@code bytes} of random data through a listener as ONC-RPC records of up to 1 MiB (what an NFS
 * client's WRITE calls look like on the wire, RFC 5531 §11 record marks), reads the echo while sending,
 * and compares digests of everything sent and received.
 */
final class DemoTransfer {
    private static final int BLOCK = 1024 * 1024;
    private static final int RECORD_MARK = io.eitrelay.core.rpc.RecordMark.SIZE;
    private static final int READ_TIMEOUT_MILLIS = 60_000;

    record Result(long bytes, long nanos, boolean identical) { }

    private DemoTransfer() {
    }

    static Result run(int port, long bytes) throws Exception {
        byte[] block = new byte[BLOCK];
        new Random().nextBytes(block);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            long start = System.nanoTime();
            CompletableFuture<byte[]> sent = CompletableFuture.supplyAsync(() -> send(socket, block, bytes));
            MessageDigest received = sha256();
            long total = 0;
            byte[] buffer = new byte[256 * 1024];
            InputStream in = socket.getInputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                received.update(buffer, 0, n);
                total += n;
            }
            long nanos = System.nanoTime() - start;
            byte[] sentDigest = sent.get(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            long expected = bytes + RECORD_MARK * ((bytes + BLOCK - 1) / BLOCK);
            return new Result(bytes, nanos, total == expected && Arrays.equals(sentDigest, received.digest()));
        }
    }

    private static byte[] send(Socket socket, byte[] block, long bytes) {
        MessageDigest digest = sha256();
        try {
            OutputStream out = socket.getOutputStream();
            byte[] mark = new byte[4];
            for (long left = bytes; left > 0; left -= block.length) {
                int n = (int) Math.min(block.length, left);
                java.nio.ByteBuffer.wrap(mark).putInt(io.eitrelay.core.rpc.RecordMark.of(n, true));
                out.write(mark);
                digest.update(mark);
                out.write(block, 0, n);
                digest.update(block, 0, n);
            }
            out.flush();
            socket.shutdownOutput();
            return digest.digest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
