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
}
