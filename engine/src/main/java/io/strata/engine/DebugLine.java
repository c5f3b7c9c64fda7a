package io.strata.engine;

/**
 * A connection used directly by the Lua debugger (SCRIPT DEBUG), as Redis' LDB reads and writes
 * the client's socket itself while the script is stopped: output is sent at once, input bypasses
 * the command decoder. The server is blocked meanwhile; other clients' input waits.
 *
 * <p>Thread rule: keyspace thread only.
 */
public interface DebugLine {
    /** From now on the connection's input goes to {@link #read}, not to the command decoder. */
    void begin();

    /** Sends {@code b} now, after the replies the connection already has. */
    void send(byte[] b);

    /** Waits for input and returns up to {@code buf.length} bytes of it; -1 once the connection is closed. */
    int read(byte[] buf);

    /** The session is over; the connection is closed after its final reply. */
    void end();
}
