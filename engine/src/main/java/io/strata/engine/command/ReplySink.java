package io.strata.engine.command;

/**
 * Where a command writes its reply. The server implements it over the connection's outbound
 * buffer and encodes RESP2 or RESP3 per the client's protocol; handlers never see the wire.
 *
 * <p>Thread rule: keyspace thread only (it is the thread that runs handlers).
 */
public interface ReplySink {
    /** Protocol version of the client this sink writes to: 2 or 3. */
    int protocol();

    void ok();

    /** {@code +text}. */
    void simple(String text);

    /** {@code -text}; {@code text} starts with the error code, e.g. "ERR syntax error". */
    void error(String text);

    void integer(long v);

    void bulk(byte[] b);

    void bulk(byte[] b, int off, int len);

    void bulk(String s);

    /** The null reply for a missing value: {@code $-1} in RESP2, {@code _} in RESP3. */
    void nullBulk();

    /** The null reply for a missing aggregate: {@code *-1} in RESP2, {@code _} in RESP3. */
    void nullArray();

    void array(int n);

    /** A map of {@code n} pairs: {@code %n} in RESP3, a flat array of 2n in RESP2. */
    void map(int n);

    /** A set: {@code ~n} in RESP3, an array in RESP2. */
    void set(int n);

    /** An out-of-band push: {@code >n} in RESP3, an array in RESP2. */
    void push(int n);

    /** A double: {@code ,d} in RESP3, a bulk string in RESP2. */
    void dbl(double d);

    /**
     * A double whose text is already formatted (Redis' addReplyHumanLongDouble, used by GEOPOS):
     * {@code ,text} in RESP3, a bulk string in RESP2. The default suits RESP2-only sinks.
     */
    default void dblText(String text) {
        bulk(text);
    }

    /** A boolean: {@code #t/#f} in RESP3, {@code :1/:0} in RESP2. */
    void bool(boolean b);

    /** Verbatim text ({@code =} in RESP3, bulk in RESP2), used by INFO and CLIENT LIST. */
    void verbatim(String text);

    /** Number of error replies written so far (for failed_calls). */
    long errors();
}
