package io.strata.storage.rdb;

/**
 * Receives an RDB file's records in order, one value at a time, so a file of any size is read
 * with flat memory.
 *
 * <p>Thread rule: called on the thread that runs {@link RdbReader#read}.
 */
public interface RdbVisitor {
    default void version(int version) {
    }

    default void aux(byte[] key, byte[] value) {
    }

    default void selectDb(int db) {
    }

    default void resizeDb(long keys, long expires) {
    }

    /**
     * One key. {@code expireAtMs} is -1 when none, {@code idleSeconds} -1 and {@code freq} -1
     * when not stored. {@code offset} is the file offset of the entry, {@code size} its bytes.
     */
    void entry(int db, byte[] key, RdbValue value, long expireAtMs, long idleSeconds, int freq,
               long offset, long size);

    /** A record that was read but not loaded (functions, module aux data, streams), and why. */
    /**
     * A function library ({@code RDB_OPCODE_FUNCTION2}: the library's code, shebang first). By
     * default it is reported as skipped, for readers that do not load functions.
     */
    default void function(byte[] code, long offset) {
        skipped("function library", offset);
    }

    default void skipped(String what, long offset) {
    }

    /** End of file; {@code checksumChecked} is false when the file stored a zero checksum. */
    default void end(boolean checksumChecked) {
    }
}
