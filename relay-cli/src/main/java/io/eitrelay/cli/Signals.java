package io.eitrelay.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSIX signal handlers (SIGHUP reload, SIGUSR1 reopen log). The JVM's default for SIGHUP is to shut
 * down, but efs-utils and alinas send SIGHUP to the process group on every certificate renewal
 * (stunnel-contract.md §1), so the relay must catch it. {@code sun.misc.Signal} is the JDK's only way;
 * it is reached by reflection because javac flags direct use as internal API with a warning that
 * cannot be suppressed.
 */
public final class Signals {
    private Signals() {
    }

    /** Runs {@code action} on the JDK's signal thread each time {@code name} (e.g. "HUP") arrives. */
    public static void on(String name, Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            InvocationHandler invocation = (proxy, method, args) -> {
                switch (method.getName()) {
                    case "handle":
                        action.run();
                        return null;
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    default:
                        return "eit-relay SIG" + name + " handler";
                }
            };
            Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, invocation);
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Looked up only here: the first logger initialises SLF4J, which start-up defers past the bind.
            Logger log = LoggerFactory.getLogger(Signals.class);
            log.warn("cannot handle SIG{}: {}", name, e.toString());
        }
    }
}
