package io.eitrelay.bench.load;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One RPC connection to a {@link LoadServer}, directly or through a tunnel. Calls are pipelined up to
 * a limit, like an NFS client's slot table: a writer thread sends while the caller's thread reads.
 */
public final class LoadClient implements AutoCloseable {
    private static final int READ_BUFFER_BYTES = 256 << 10;
    /** Bound on any single exchange, so a broken tunnel fails the run instead of hanging it. */
    private static final long TIMEOUT_SECONDS = 120;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private byte[] scratch = new byte[4 << 10]; // grows to the largest reply seen
    private final int[] length = new int[1];
    private final ExecutorService writer;
    private int nextXid = 1;

    public LoadClient(int port) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), READ_BUFFER_BYTES));
        out = socket.getOutputStream();
        writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "load-client-writer");
            t.setDaemon(true);
            return t;
        });
    }

    /** One call, one reply; returns the round trip in nanoseconds. */
    public long call(byte[] call) throws IOException {
        int xid = nextXid++;
        RpcMessages.setXid(call, xid);
        long start = System.nanoTime();
        out.write(call);
        int replied = readReply();
        long nanos = System.nanoTime() - start;
        if (replied != xid) {
            throw new IOException("reply for xid " + replied + ", expected " + xid);
        }
        return nanos;
    }

    /**
     * Sends {@code count} copies of {@code call} with at most {@code inFlight} unanswered, and returns
     * each call's round trip in nanoseconds (send to reply), in order.
     */
    public long[] calls(byte[] call, int count, int inFlight) throws IOException {
        long[] nanos = new long[count];
        if (inFlight == 1) {
            for (int i = 0; i < count; i++) {
                nanos[i] = call(call);
            }
            return nanos;
        }
        AtomicLongArray sent = new AtomicLongArray(count); // written by the writer, read here
        Semaphore slots = new Semaphore(inFlight);
        int firstXid = nextXid;
        nextXid += count;
        byte[] mine = call.clone(); // the writer owns this copy; xids are set in it as it goes
        Future<?> writing = writer.submit(() -> {
            for (int i = 0; i < count; i++) {
                if (!slots.tryAcquire(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new IOException("no reply for " + TIMEOUT_SECONDS + " s");
                }
                RpcMessages.setXid(mine, firstXid + i);
                sent.set(i, System.nanoTime());
                out.write(mine);
            }
            return null;
        });
        try {
            for (int i = 0; i < count; i++) {
                int xid = readReply();
                long now = System.nanoTime();
                // The server answers in order on one connection, so the xid says which call this is.
                int index = xid - firstXid;
                if (index != i) {
                    throw new IOException("reply for xid " + xid + ", expected " + (firstXid + i));
                }
                nanos[index] = now - sent.get(index);
                slots.release();
            }
            writing.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("sending calls failed: " + e.getCause(), e);
        } finally {
            writing.cancel(true);
        }
        return nanos;
    }

    /** Reads one reply record; returns its xid. */
    private int readReply() throws IOException {
        scratch = RpcMessages.readRecord(in, scratch, length);
        if (length[0] < RpcMessages.REPLY_HEADER_BYTES) {
            throw new IOException("reply of " + length[0] + " bytes is too short");
        }
        return RpcMessages.intAt(scratch, 0);
    }

    @Override
    public void close() throws IOException {
        writer.shutdownNow();
        socket.close();
    }
}
