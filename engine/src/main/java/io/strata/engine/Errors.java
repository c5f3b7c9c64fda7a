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
    public static final String MULTI_NESTED = "ERR MULTI calls can not be nested";
    public static final String EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI";
    public static final String DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI";
    public static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
    public static final String NOT_IN_MULTI = "ERR Command not allowed inside a transaction";
    public static final String WATCH_IN_MULTI = "ERR WATCH inside MULTI is not allowed";
    public static final String TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range";
    public static final String TIMEOUT_NEGATIVE = "ERR timeout is negative";
    public static final String NO_CONFIG_FILE = "ERR The server is running without a config file";
    public static final String SAME_OBJECT = "ERR source and destination objects are the same";
    public static final String LOADING = "LOADING Redis is loading the dataset in memory";
    public static final String NOPROTO = "NOPROTO unsupported protocol version";
    public static final String CLIENT_NOT_FOUND = "ERR No such client";
    // lists (t_list.c)
    public static final String INDEX_OUT_OF_RANGE = "ERR index out of range";
    public static final String NOT_POSITIVE = "ERR value is out of range, must be positive";
    public static final String RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
    public static final String LPOS_COUNT_NEGATIVE = "ERR COUNT can't be negative";
    public static final String LPOS_MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";
    public static final String NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0";
    public static final String COUNT_NOT_POSITIVE = "ERR count should be greater than 0";

    public static String wrongArity(String fullName) {
        return "ERR wrong number of arguments for '" + fullName + "' command";
    }

    public static String unknownCommand(String name, String argsPreview) {
        return "ERR unknown command '" + name + "', with args beginning with: " + argsPreview;
    }

    public static String unknownSubcommand(String sub, String container) {
        return "ERR unknown subcommand '" + sub + "'. Try " + container + " HELP.";
    }

    public static String invalidExpire(String cmd) {
        return "ERR invalid expire time in '" + cmd + "' command";
    }

    public static String mustBePositive(String what) {
        return "ERR " + what + " must be positive";
    }
}
