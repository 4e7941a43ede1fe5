package io.eitrelay.cli;

import io.eitrelay.core.Relay;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * A relay process as the signals see it, from before {@link Relay#start} until it stops. Installed
 * first because the listeners bind before the TLS material has loaded, and a helper that sees the
 * port may at once send SIGHUP (certificate renewal) or SIGTERM (unmount).
 */
public final class Lifecycle {
    private final Consumer<Relay> reload;
    /** How long a stop requested mid-start waits for the start to finish, to stop it gracefully. */
    private static final long START_WAIT_SECONDS = 10;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch startEnded = new CountDownLatch(1);
    private final Thread stopHook = new Thread(this::stopAndExit, "eit-relay-stop");
    private final List<Runnable> afterStop = new ArrayList<>();
    private Relay relay;
    private boolean reloadPending;

    /** {@code reload} applies a SIGHUP to the running relay (and logs its own failures). */
    public Lifecycle(Consumer<Relay> reload) {
        this.reload = reload;
    }

    /** SIGHUP, SIGUSR1 ({@code reopenLog}, may be null) and the SIGTERM/SIGINT hook. */
    public void install(Runnable reopenLog) {
        Signals.on("HUP", this::hangUp);
        if (reopenLog != null) {
            Signals.on("USR1", reopenLog);
        }
        Runtime.getRuntime().addShutdownHook(stopHook);
    }

    /** The start failed: the process exits with the failure's code, not the stop hook's 0. */
    public void abandon() {
        Runtime.getRuntime().removeShutdownHook(stopHook);
        startEnded.countDown();
    }

    /** Run after the relay has stopped (pid file removal, metrics server). */
    public synchronized void afterStop(Runnable action) {
        afterStop.add(action);
    }

    /** A timer thread (a daemon thread: it never holds the process up) that ends when the relay stops. */
    public ScheduledExecutorService timers(String threadName) {
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, threadName);
            thread.setDaemon(true);
            return thread;
        });
        afterStop(timers::shutdownNow);
        return timers;
    }

    /** The relay runs; a SIGHUP that came while it was starting is applied now. */
    public void started(Relay running) {
        synchronized (this) {
            relay = running;
            if (reloadPending) {
                reloadPending = false;
                reload.accept(relay);
            }
        }
        startEnded.countDown();
    }

    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    private synchronized void hangUp() {
        if (relay == null) {
            reloadPending = true;
        } else {
            reload.accept(relay);
        }
    }

    /**
     * SIGTERM/SIGINT at any point: graceful stop (one that comes mid-start lets the start finish first,
     * for a bounded time), then exit 0 as stunnel does (not the JVM's 143/130).
     */
    private void stopAndExit() {
        try {
            startEnded.await(START_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Relay running;
        List<Runnable> actions;
        synchronized (this) {
            running = relay;
            actions = List.copyOf(afterStop);
        }
        if (running != null) {
            running.close();
        }
        actions.forEach(Runnable::run);
        System.err.flush();
        stopped.countDown();
        Runtime.getRuntime().halt(ExitCodes.OK);
    }
}
