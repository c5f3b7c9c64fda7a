package io.strata.engine;

/**
 * What the engine may ask of the process around it (the server module implements it).
 *
 * <p>Thread rule: called on the keyspace thread; implementations hand work to other threads.
 */
public interface ServerControl {
    /** Stops accepting clients, closes them and ends the process cleanly. */
    void shutdown();

    /** Path of the running program, for INFO executable. */
    default String executable() {
        return "";
    }

    /** Number of I/O threads actually running (INFO io_threads_active). */
    default int ioThreads() {
        return 1;
    }

    /** The event notification API, for INFO multiplexing_api ("epoll" as Redis on Linux). */
    default String multiplexingApi() {
        return "epoll";
    }

    /**
     * Runs {@code task} on the keyspace thread, after the command being executed (from any
     * thread: the snapshot and AOF threads report back this way).
     */
    void runOnKeyspaceThread(Runnable task);

    /** TCP port the server listens on (may differ from config when 0 was asked). */
    int port();

    /**
     * Called by a script that has run past busy-reply-threshold, between two of its steps (Redis'
     * processEventsWhileBlocked): when the keyspace thread is also the event loop (io-threads 1),
     * the server reads, accepts and writes what is pending without blocking, answering other
     * clients -BUSY and running the few commands allowed then (SCRIPT KILL, SHUTDOWN NOSAVE…).
     * {@code caller} is the script's client, whose input waits until the script ends. Runs no
     * task and no timer, and nothing that changes the keyspace. A no-op by default.
     */
    default void processEventsWhileBlocked(Client caller) {
    }
}
