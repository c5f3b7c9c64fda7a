package io.strata.engine;

/**
 * What to do with errors the JVM cannot recover from. An {@link OutOfMemoryError} (or any other
 * {@link VirtualMachineError}) may leave any structure half-changed and is often caught by a
 * framework that logs it and carries on — a server that then never answers again loses every
 * write that clients retry into it. So wherever such an error is caught, the process says so on
 * stderr and halts at once with status 1 (no shutdown hooks: nothing is saved from a state that
 * may be inconsistent), for a supervisor to restart it from the AOF and RDB.
 *
 * <p>Any thread.
 */
public final class Fatal {
    /** Exit status after a fatal JVM error, as Redis exits 1 on a failed allocation. */
    public static final int EXIT_STATUS = 1;
    /** Preallocated: building a message may itself fail with the heap full. */
    private static final byte[] MESSAGE = "# Fatal: the JVM ran out of memory or failed; exiting at once\n".getBytes();

    private Fatal() {
    }

    /** Whether {@code t}, or a cause of it, is an error the process must not outlive. */
    public static boolean isFatal(Throwable t) {
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof VirtualMachineError) {
                return true;
            }
        }
        return false;
    }

    /** Halts the process when {@code t} {@link #isFatal is fatal}; returns otherwise. */
    public static void exitIfFatal(Throwable t) {
        if (isFatal(t)) {
            halt(t);
        }
    }

    /** Logs {@code t} as well as the heap allows and halts with {@link #EXIT_STATUS}. */
    public static void halt(Throwable t) {
        try {
            System.err.write(MESSAGE, 0, MESSAGE.length);
            System.err.println("# " + t + " in thread " + Thread.currentThread().getName());
            System.err.flush();
        } catch (Throwable ignored) {
            // the message above is best effort; exiting is what matters
        } finally {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }

    /**
     * {@code task} run so that a fatal error it throws halts the process: for tasks given to an
     * executor that would log the error and carry on (Netty's event loops do).
     */
    public static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                exitIfFatal(t);
                throw t;
            }
        };
    }

    /** Makes every thread's uncaught fatal error halt the process (other errors keep the default handling). */
    public static void installHandler() {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            exitIfFatal(e);
            if (previous != null) {
                previous.uncaughtException(thread, e);
            } else {
                System.err.println("Exception in thread \"" + thread.getName() + "\" " + e);
                e.printStackTrace();
            }
        });
    }
}
