package io.strata.engine;

/**
 * Every error text a client can see, word for word as Redis 7.0 writes it (without the leading
 * '-'). Handlers use these constants or the builders below; no other class spells an error.
 *
 * <p>Any thread: constants only.
 */
public final class Errors {
    private Errors() {
    }

    public static final String SYNTAX = "ERR syntax error";
    public static final String LRU_NOT_SELECTED = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
    public static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";
    public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    public static final String NOT_FLOAT = "ERR value is not a valid float";
    public static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public static final String NO_SUCH_KEY = "ERR no such key";
    public static final String OVERFLOW = "ERR increment or decrement would overflow";
    public static final String INCR_NAN_INF = "ERR increment would produce NaN or Infinity";
    public static final String DB_RANGE = "ERR DB index is out of range";
    public static final String NOAUTH = "NOAUTH Authentication required.";
    public static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    public static final String AUTH_NOPASS = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
    public static final String MAX_CLIENTS = "ERR max number of clients reached";
    public static final String STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public static final String OFFSET_RANGE = "ERR offset is out of range";
    // bitmaps and HyperLogLog (bitops.c, hyperloglog.c)
    public static final String BIT_OFFSET = "ERR bit offset is not an integer or out of range";
    public static final String BIT_VALUE = "ERR bit is not an integer or out of range";
    public static final String BITFIELD_TYPE =
        "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
    public static final String BITFIELD_OVERFLOW_TYPE = "ERR Invalid OVERFLOW type specified";
    public static final String BITFIELD_RO_GET_ONLY = "ERR BITFIELD_RO only supports the GET subcommand";
    public static final String BITOP_NOT_ONE_KEY = "ERR BITOP NOT must be called with a single source key.";
    public static final String BITPOS_BIT = "ERR The bit argument must be 1 or 0.";
    public static final String HLL_WRONGTYPE = "WRONGTYPE Key is not a valid HyperLogLog string value.";
    public static final String HLL_CORRUPT = "INVALIDOBJ Corrupted HLL object detected";
    public static final String HLL_NO_KEY = "ERR The specified key does not exist";
    public static final String HLL_NOT_SPARSE = "ERR HLL encoding is not sparse";
    public static final String MULTI_NESTED = "ERR MULTI calls can not be nested";
    public static final String EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI";
    public static final String DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI";
    public static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
    public static final String NOT_IN_MULTI = "ERR Command not allowed inside a transaction";
    public static final String WATCH_IN_MULTI = "ERR WATCH inside MULTI is not allowed";
    public static final String TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range";
    public static final String TIMEOUT_NEGATIVE = "ERR timeout is negative";
    public static final String NO_CONFIG_FILE = "ERR The server is running without a config file";
    public static final String SLOWLOG_COUNT = "ERR count should be greater than or equal to -1";
    public static final String DEBUG_NOT_ALLOWED = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";
    public static final String CONFIG_REWRITE_FAILED = "ERR Rewriting config file: ";
    public static final String SAME_OBJECT = "ERR source and destination objects are the same";
    public static final String LOADING = "LOADING Redis is loading the dataset in memory";
    public static final String NOPROTO = "NOPROTO unsupported protocol version";
    public static final String CLIENT_NOT_FOUND = "ERR No such client";
    public static final String INVALID_CURSOR = "ERR invalid cursor";
    public static final String EXPIRE_NX_WITH_OTHERS = "ERR NX and XX, GT or LT options at the same time are not compatible";
    public static final String EXPIRE_GT_AND_LT = "ERR GT and LT options at the same time are not compatible";
    public static final String SWAPDB_FIRST_INDEX = "ERR invalid first DB index";
    public static final String SWAPDB_SECOND_INDEX = "ERR invalid second DB index";
    public static final String LFU_NOT_SELECTED = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

    // hashes and sets (t_hash.c, t_set.c, db.c scan)
    public static final String HASH_NOT_INTEGER = "ERR hash value is not an integer";
    public static final String HASH_NOT_FLOAT = "ERR hash value is not a float";
    public static final String NAN_OR_INFINITY = "ERR value is NaN or Infinity";
    public static final String OUT_OF_RANGE = "ERR value is out of range";
    public static final String OUT_OF_RANGE_POSITIVE = "ERR value is out of range, must be positive";
    public static final String NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0";
    public static final String NUMKEYS_TOO_MANY = "ERR Number of keys can't be greater than number of args";
    public static final String LIMIT_NEGATIVE = "ERR LIMIT can't be negative";
    // lists (t_list.c)
    public static final String INDEX_OUT_OF_RANGE = "ERR index out of range";
    public static final String NOT_POSITIVE = "ERR value is out of range, must be positive";
    public static final String RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
    public static final String LPOS_COUNT_NEGATIVE = "ERR COUNT can't be negative";
    public static final String LPOS_MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";
    public static final String COUNT_NOT_POSITIVE = "ERR count should be greater than 0";

    // SORT (sort.c)
    public static final String SORT_NOT_DOUBLE = "ERR One or more scores can't be converted into double";

    // strings (t_string.c)
    public static final String DECR_OVERFLOW = "ERR decrement would overflow";
    public static final String LCS_NOT_STRINGS = "ERR The specified keys must contain string values";
    public static final String LCS_LEN_AND_IDX = "ERR If you want both the length and indexes, please just use IDX.";
    public static final String LCS_NO_MEMORY = "ERR Insufficient memory, failed allocating transient memory for LCS";

    // persistence (rdb.c, cluster.c DUMP/RESTORE, server.c MISCONF, debug.c)
    /** Redis' bare shared.err, SAVE's answer when the save failed. */
    public static final String ERR = "ERR";
    public static final String BGSAVE_IN_PROGRESS = "ERR Background save already in progress";
    public static final String BGSAVE_OTHER_CHILD = "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.";
    public static final String MISCONF_RDB = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
    public static final String BUSYKEY = "BUSYKEY Target key name already exists.";
    public static final String DUMP_PAYLOAD = "ERR DUMP payload version or checksum are wrong";
    public static final String BAD_DATA_FORMAT = "ERR Bad data format";
    public static final String INVALID_TTL = "ERR Invalid TTL value, must be >= 0";
    public static final String INVALID_IDLETIME = "ERR Invalid IDLETIME value, must be >= 0";
    public static final String INVALID_FREQ = "ERR Invalid FREQ value, must be >= 0 and <= 255";
    public static final String SHUTDOWN_FAILED = "ERR Errors trying to SHUTDOWN. Check logs.";
    public static final String RELOAD_LOAD_FAILED = "ERR Error trying to load the RDB dump, check server logs.";

    public static String wrongArity(String fullName) {
        return "ERR wrong number of arguments for '" + fullName + "' command";
    }

    public static String unknownCommand(String name, String argsPreview) {
        return "ERR unknown command '" + name + "', with args beginning with: " + argsPreview;
    }

    public static String unknownSubcommand(String sub, String container) {
        return "ERR unknown subcommand '" + sub + "'. Try " + container + " HELP.";
    }

    /** Redis' {@code addReplySubcommandSyntaxError}, used by DEBUG (not a container command). */
    public static String unknownSubcommandOrArity(String sub, String command) {
        return "ERR unknown subcommand or wrong number of arguments for '" + sub + "'. Try " + command + " HELP.";
    }

    public static String invalidExpire(String cmd) {
        return "ERR invalid expire time in '" + cmd + "' command";
    }

    /** Redis' {@code getRangeLongFromObjectOrReply} text when no custom message is given. */
    public static String outOfRange(long min, long max) {
        return "ERR value is out of range, value must between " + min + " and " + max;
    }

    public static String unsupportedOption(String option) {
        return "ERR Unsupported option " + option;
    }

    public static String unknownPfdebugSubcommand(String sub) {
        return "ERR Unknown PFDEBUG subcommand '" + sub + "'";
    }

    public static String mustBePositive(String what) {
        return "ERR " + what + " must be positive";
    }
}
