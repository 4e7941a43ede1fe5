package io.eitrelay.core.tls;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where a TLS handler runs its engine's delegated tasks (certificate verification among them) when
 * verification may block: an OCSP query is an HTTP exchange of up to the OCSP timeout, and run on the
 * event loop it would stall every connection of that storage server meanwhile. A few daemon threads,
 * started on demand and gone after a minute idle, so relays without OCSP never start one.
 */
public final class HandshakeTasks {
    /** Handshakes verified at once; more wait their turn (their handshake timeout still runs). */
    static final int THREADS = 4;
    /**
     * Verifications that may wait for a thread. Beyond this (a flood of handshakes while OCSP responders
     * are slow) a handshake fails at once, its connection closed and counted like any failed handshake,
     * instead of the queue growing with the flood.
     */
    static final int MAX_WAITING = 256;
    private static final ThreadPoolExecutor EXECUTOR = newExecutor();

    private HandshakeTasks() {
    }

    /** The executor for endpoints whose verification may block, else null (the event loop runs the tasks). */
    public static Executor forBlockingVerification(boolean blocking) {
        return blocking ? EXECUTOR : null;
    }

    /** The executor itself (its default policy rejects what does not fit: SslHandler then fails the handshake). */
    static ThreadPoolExecutor newExecutor() {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(MAX_WAITING), new DefaultThreadFactory("eit-relay-verify", true));
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
