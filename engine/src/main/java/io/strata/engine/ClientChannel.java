package io.strata.engine;

import io.strata.engine.command.ReplySink;

/**
 * The server's side of one connection, as the engine sees it: where replies go and how to
 * close it. Implemented by the server module over a Netty channel.
 *
 * <p>Thread rule: {@link #sink()} and {@link #flush()} are called on the keyspace thread only;
 * the address and buffer-size getters may be called from any thread.
 */
public interface ClientChannel {
    /** The reply sink for this client's next replies. */
    ReplySink sink();

    /** Sends everything written to the sink so far. */
    void flush();

    /** Closes the connection after pending replies have been sent. */
    void close();

    /** Closes the connection at once, dropping unsent replies (output limits, CLIENT KILL of a slow client). */
    void closeNow();

    /** Suppresses (true) or restores (false) replies, for CLIENT REPLY OFF/SKIP. */
    void mute(boolean muted);

    /** Remote address as Redis prints it: "127.0.0.1:51234". */
    String addr();

    /** Local address: "127.0.0.1:6379". */
    String laddr();

    /** Bytes of the query buffer in use (CLIENT LIST qbuf). */
    long queryBufferLength();

    /** Free bytes of the query buffer (CLIENT LIST qbuf-free). */
    long queryBufferFree();

    /** Bytes of replies not yet written to the socket, ours and the transport's (CLIENT LIST omem). */
    long outputBufferLength();

    /** The connection as the Lua debugger's line (SCRIPT DEBUG), or null when the transport has none. */
    default DebugLine debugLine() {
        return null;
    }
}
