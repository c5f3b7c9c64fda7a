package io.strata.storage;

/**
 * The one exception storage throws for unreadable or corrupt files: a {@link Code} that tools map
 * to exit statuses, the file offset where the problem was found, and a message naming it.
 *
 * <p>Any thread: immutable.
 */
public final class StorageException extends RuntimeException {
    /** What kind of failure; never renumber or reorder meaning into these names. */
    public enum Code {
        /** The file ended before a complete record. */
        TRUNCATED,
        /** A checksum did not match. */
        BAD_CHECKSUM,
        /** A structure was malformed (bad opcode, bad length, bad encoding). */
        CORRUPT,
        /** A valid construct this version cannot load (a module type, a newer format). */
        UNSUPPORTED,
        /** The underlying I/O failed. */
        IO
    }

    private final Code code;
    private final long offset;

    public StorageException(Code code, long offset, String message) {
        super(message + " (code=" + code + " offset=" + offset + ")");
        this.code = code;
        this.offset = offset;
    }

    public StorageException(Code code, long offset, String message, Throwable cause) {
        super(message + " (code=" + code + " offset=" + offset + ")", cause);
        this.code = code;
        this.offset = offset;
    }

    public Code code() {
        return code;
    }

    public long offset() {
        return offset;
    }
}
