package io.strata.tools;

import io.strata.storage.StorageException;

/**
 * Exit statuses of both tools, and how storage error codes map to them (STYLE 12: storage throws
 * a code, tools decide the status). Documented in each tool's --help and in the README.
 *
 * <p>Any thread: constants only.
 */
final class Exit {
    private Exit() {
    }

    /** The file is clean (or was repaired and now reads clean). */
    static final int CLEAN = 0;
    /** Damage found (corrupt, truncated, bad checksum), or it could not all be repaired. */
    static final int DAMAGED = 1;
    /** Unusable: missing, unreadable, not the right kind of file, an unsupported version. */
    static final int UNUSABLE = 2;
    /** A bug in the tool itself (an unexpected exception). */
    static final int INTERNAL = 3;
    /** Bad command-line arguments. */
    static final int USAGE = 64;

    static final String[] HELP = {
        "0:clean (after --fix: repaired and re-checked clean)",
        "1:damaged: corrupt, truncated or bad checksum (offset and kind are printed)",
        "2:unusable: missing or unreadable file, not a file of this kind, unsupported version",
        "3:internal error in the tool",
        "64:bad arguments",
    };

    /** The status a storage failure means. */
    static int of(StorageException e) {
        switch (e.code()) {
            case TRUNCATED:
            case BAD_CHECKSUM:
                return DAMAGED;
            case CORRUPT:
                // a wrong signature at offset 0 means this is not an RDB file at all
                return e.offset() == 0 ? UNUSABLE : DAMAGED;
            default:
                return UNUSABLE;
        }
    }
}
