package org.correlationstation.local;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * How {@code local} and {@code cluster} stop on SIGTERM and SIGINT (Ctrl-C): the first signal runs
 * the orderly stop, a second one ends the process at once.
 *
 * <p>The JVM's own handler turns the first signal into {@code System.exit}, which runs the shutdown
 * hooks, and then ignores every further signal until they are done: a stop that cannot finish could
 * only be ended with {@code kill -9}. This handler does the same for the first signal (so the stop
 * still runs in a shutdown hook, as it does for any other {@code System.exit}), and halts on the
 * second, as a user pressing Ctrl-C again expects. The stop itself is bounded by
 * {@code SHUTDOWN_TIMEOUT_SECONDS}; the second signal is for when even that is too long to wait.
 */
public final class StopSignals {
    private static final String[] SIGNALS = {"TERM", "INT"};

    private StopSignals() {}

    /**
     * Registers {@code stop} as a shutdown hook and the handlers of SIGTERM and SIGINT.
     *
     * @param beforeHalt runs on the second signal, just before the halt (cluster mode kills the
     *     processes it started: they run in sessions of their own and would be left behind)
     */
    public static void install(String name, Runnable stop, Runnable beforeHalt) {
        AtomicBoolean stopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Also a stop that began without a signal (System.exit): a signal now ends it.
            stopping.set(true);
            stop.run();
        }, name + "-shutdown"));
        for (String signalName : SIGNALS) {
            Signal.handle(new Signal(signalName), signal -> {
                int status = 128 + signal.getNumber();
                if (stopping.compareAndSet(false, true)) {
                    // What the JVM's own handler does. Each signal is handled on a thread of its own,
                    // so this one may block in exit while a second signal is handled.
                    System.exit(status);
                    return;
                }
                System.err.println("second SIG" + signal.getName() + ": exiting now, without finishing the stop;"
                        + " the next start resumes from the last completed checkpoint");
                try {
                    beforeHalt.run();
                } finally {
                    Runtime.getRuntime().halt(status);
                }
            });
        }
    }
}
