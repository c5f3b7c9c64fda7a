package io.strata.engine.config;

import io.strata.engine.util.Glob;
import io.strata.engine.util.Numbers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The server's settings, with Redis' names, aliases, syntax and CONFIG SET error texts.
 * Values live in plain fields that the hot path reads directly; the parameter table around them
 * drives config files, {@code --name value} arguments, CONFIG GET/SET/REWRITE.
 *
 * <p>Thread rule: fields are written on the keyspace thread (CONFIG SET) or before the server
 * starts; fields read by I/O threads are volatile.
 */
public final class Config {
    /** How a parameter's text maps to its field. */
    public enum Kind { BOOL, INT, MEMORY, STRING, ENUM, SPECIAL }

    /** One setting: its names, kind and the code that reads and writes its field. */
    public static final class Param {
        public final String name;
        public final List<String> aliases;
        public final Kind kind;
        public final boolean immutable;
        public final String defaultValue;
        final Supplier<String> getter;
        /** Applies the text; returns null on success or the reason it was refused. */
        final Function<String, String> setter;

        Param(String name, List<String> aliases, Kind kind, boolean immutable, Supplier<String> getter,
              Function<String, String> setter) {
            this.name = name;
            this.aliases = aliases;
            this.kind = kind;
            this.immutable = immutable;
            this.getter = getter;
            this.setter = setter;
            this.defaultValue = getter.get();
        }

        public String get() {
            return getter.get();
        }
    }

    // ---- network ----
    public volatile int port = 6379;
    public volatile String bind = "127.0.0.1 -::1";
    public volatile boolean protectedMode = true;
    public volatile int tcpBacklog = 511;
    public volatile int tcpKeepalive = 300;
    public volatile int ioThreads = 1;
    public volatile int maxclients = 10000;
    /** Idle seconds before a client is closed; 0 = never. */
    public volatile int timeout = 0;
    public volatile long protoMaxBulkLen = 512L * 1024 * 1024;
    public volatile long clientQueryBufferLimit = 1024L * 1024 * 1024;
    // ---- security ----
    public volatile String requirepass = "";
    // ---- general ----
    public volatile String dir = ".";
    public volatile int databases = 16;
    public volatile int hz = 10;
    public volatile String loglevel = "notice";
    public volatile String logfile = "";
    public volatile String pidfile = "";
    public volatile boolean daemonize = false;
    /** The {@code save} points as Redis prints them ("seconds changes" pairs; "" = none). */
    public volatile String save = "3600 1 300 100 60 10000";
    /** A save directive was already read from the config file or arguments (later ones append). */
    private boolean saveSetInitially;
    /** {@link #save} parsed: {seconds, changes} pairs, read by the cron. */
    public volatile long[][] saveParams = {{3600, 1}, {300, 100}, {60, 10000}};
    /** Refuse writes (MISCONF) while the last BGSAVE failed and save points are configured. */
    public volatile boolean stopWritesOnBgsaveError = true;
    /** LZF-compress strings in RDB files and DUMP payloads. */
    public volatile boolean rdbcompression = true;
    /** Write (and check) the CRC64 trailer of RDB files. */
    public volatile boolean rdbchecksum = true;
    /** Redis' test knob: microseconds the save sleeps after each key (0 = none). */
    public volatile int rdbKeySaveDelay = 0;
    /** "yes" or "no"; CONFIG SET starts or stops the AOF through the engine's hook. */
    public volatile String appendonly = "no";
    public volatile String appendfilename = "appendonly.aof";
    public volatile String appenddirname = "appendonlydir";
    /** always, everysec or no. */
    public volatile String appendfsync = "everysec";
    public volatile boolean aofLoadTruncated = true;
    /** Kept for Redis compatibility: the AOF base is always an RDB here (a rewrite's only format). */
    public volatile boolean aofUseRdbPreamble = true;
    public volatile int autoAofRewritePercentage = 100;
    public volatile long autoAofRewriteMinSize = 64L * 1024 * 1024;
    /** Ours: lz4 compresses each AOF frame's RESP payload when that saves space; none stores it as is. */
    public volatile String aofCompression = "lz4";
    public volatile String dbfilename = "dump.rdb";
    // ---- monitoring ----
    public volatile long slowlogLogSlowerThan = 10000;
    public volatile int slowlogMaxLen = 128;
    /** busy-reply-threshold (lua-time-limit): ms a script runs before other clients get -BUSY. */
    public volatile long luaTimeLimit = 5000;
    public volatile long latencyMonitorThreshold = 0;
    public volatile boolean lazyfreeLazyUserFlush = false;
    public volatile int activeExpireEffort = 1;
    /** DEBUG is refused unless "yes", or "local" and the client is on loopback (Redis 7.0 default "no"). */
    public volatile String enableDebugCommand = "no";
    /** Redis 7's enable-protected-configs: may CONFIG SET change dir and dbfilename (no, yes, local). */
    public volatile String enableProtectedConfigs = "no";
    /** Settings Redis 7.0 marks PROTECTED_CONFIG: a client could otherwise make the server write files anywhere. */
    private static final java.util.Set<String> PROTECTED = java.util.Set.of("dir", "dbfilename");

    // ---- pub/sub and notifications ----
    /** notify-keyspace-events as flag letters; the engine's Notifier holds the parsed bits. */
    public volatile String notifyKeyspaceEvents = "";
    /** client-output-buffer-limit per class: {hard, soft, softSeconds} in bytes/seconds. */
    public volatile long[] outputLimitNormal = {0, 0, 0};
    public volatile long[] outputLimitReplica = {268435456L, 67108864L, 60};
    public volatile long[] outputLimitPubsub = {33554432L, 8388608L, 60};
    // ---- encodings of small aggregates (OBJECT ENCODING, as Redis 7.0) ----
    public volatile int listMaxListpackSize = -2;
    public volatile int listCompressDepth = 0;
    public volatile long hashMaxListpackEntries = 512;
    public volatile long hashMaxListpackValue = 64;
    public volatile long setMaxIntsetEntries = 512;
    public volatile long zsetMaxListpackEntries = 128;
    public volatile long zsetMaxListpackValue = 64;
    /** Bytes a stream node's listpack may reach before XADD starts a new node; 0 = Redis' 1 GB cap. */
    public volatile long streamNodeMaxBytes = 4096;
    /** Entries (live plus deleted) a stream node takes before XADD starts a new one; 0 = no limit. */
    public volatile long streamNodeMaxEntries = 100;
    /** Longest sparse HyperLogLog (header included) before it is promoted to dense. */
    public volatile long hllSparseMaxBytes = 3000;

    // ---- memory ----
    /** Bound on used_memory in bytes; 0 = none. */
    public volatile long maxmemory = 0;
    public volatile String maxmemoryPolicy = "noeviction";
    public volatile int maxmemorySamples = 5;
    public volatile int maxmemoryEvictionTenacity = 10;
    /** Past maxmemory, move the coldest keys to the spill tier instead of evicting them. */
    public volatile boolean tierSpill = true;
    /** Where the spill files go; empty: {@code dir/spill}. */
    public volatile String tierSpillDir = "";
    /** Disk budget of the spill tier in bytes (records, keys and overhead); 0 = unbounded. */
    public volatile long tierSpillMaxSize = 0;
    /** Compress spilled records with LZ4 when that saves space: "lz4" or "none". */
    public volatile String tierCompression = "lz4";
    /** A command whose key is in the spill tier waits while another thread reads it in (page faults off the keyspace thread). */
    public volatile boolean tierAsyncReads = false;
    public volatile int lfuLogFactor = 10;
    public volatile int lfuDecayTime = 1;

    /** The config file the server was started with, or null. */
    public volatile String configFile;

    private final Map<String, Param> params = new LinkedHashMap<>();
    private final Map<String, Param> byAnyName = new LinkedHashMap<>();
    private final Map<String, List<Function<String, String>>> hooks = new LinkedHashMap<>();

    public Config() {
        intParam("port", 0, 65535, () -> port, v -> port = v);
        special("bind", false, () -> bind, v -> {
            bind = v.trim().isEmpty() ? "127.0.0.1 -::1" : v.trim();
            return null;
        });
        boolParam("protected-mode", () -> protectedMode, v -> protectedMode = v);
        immutableInt("tcp-backlog", 0, Integer.MAX_VALUE, () -> tcpBacklog, v -> tcpBacklog = v);
        intParam("tcp-keepalive", 0, Integer.MAX_VALUE, () -> tcpKeepalive, v -> tcpKeepalive = v);
        immutableInt("io-threads", 1, 128, () -> ioThreads, v -> ioThreads = v);
        intParam("maxclients", 1, Integer.MAX_VALUE, () -> maxclients, v -> maxclients = v);
        intParam("timeout", 0, Integer.MAX_VALUE, () -> timeout, v -> timeout = v);
        memoryParam("proto-max-bulk-len", 1024 * 1024, Long.MAX_VALUE, () -> protoMaxBulkLen, v -> protoMaxBulkLen = v);
        memoryParam("client-query-buffer-limit", 1024 * 1024, Long.MAX_VALUE, () -> clientQueryBufferLimit,
            v -> clientQueryBufferLimit = v);
        stringParam("requirepass", () -> requirepass, v -> requirepass = v);
        special("dir", false, () -> dir, v -> {
            java.io.File f = new java.io.File(v);
            if (!f.isDirectory()) {
                return "No such file or directory";
            }
            dir = v;
            return null;
        });
        immutableInt("databases", 1, Integer.MAX_VALUE, () -> databases, v -> databases = v);
        intParam("hz", 1, 500, () -> hz, v -> hz = v);
        enumParam("loglevel", new String[] {"debug", "verbose", "notice", "warning", "nothing"}, () -> loglevel,
            v -> loglevel = v);
        add(new Param("logfile", List.of(), Kind.STRING, true, () -> logfile, v -> {
            logfile = v;
            return null;
        }));
        add(new Param("pidfile", List.of(), Kind.STRING, true, () -> pidfile, v -> {
            pidfile = v;
            return null;
        }));
        add(new Param("daemonize", List.of(), Kind.BOOL, true, () -> daemonize ? "yes" : "no", v -> {
            if (!v.equalsIgnoreCase("no")) {
                return "daemonize is not supported: run Strata under a supervisor instead";
            }
            return null;
        }));
        special("save", false, () -> save, this::parseSave);
        boolParam("stop-writes-on-bgsave-error", () -> stopWritesOnBgsaveError, v -> stopWritesOnBgsaveError = v);
        boolParam("rdbcompression", () -> rdbcompression, v -> rdbcompression = v);
        boolParam("rdbchecksum", () -> rdbchecksum, v -> rdbchecksum = v);
        intParam("rdb-key-save-delay", Integer.MIN_VALUE, Integer.MAX_VALUE, () -> rdbKeySaveDelay,
            v -> rdbKeySaveDelay = v);
        boolParam("appendonly", () -> appendonly.equals("yes"), v -> appendonly = v ? "yes" : "no");
        add(new Param("appendfilename", List.of(), Kind.STRING, true, () -> appendfilename, v -> {
            if (v.isEmpty() || v.contains("/") || v.contains("\\")) {
                return "appendfilename can't be a path, just a filename";
            }
            appendfilename = v;
            return null;
        }));
        add(new Param("appenddirname", List.of(), Kind.STRING, true, () -> appenddirname, v -> {
            if (v.isEmpty() || v.contains("/") || v.contains("\\")) {
                return "appenddirname can't be a path, just a dirname";
            }
            appenddirname = v;
            return null;
        }));
        enumParam("appendfsync", new String[] {"always", "everysec", "no"}, () -> appendfsync, v -> appendfsync = v);
        boolParam("aof-load-truncated", () -> aofLoadTruncated, v -> aofLoadTruncated = v);
        boolParam("aof-use-rdb-preamble", () -> aofUseRdbPreamble, v -> aofUseRdbPreamble = v);
        intParam("auto-aof-rewrite-percentage", 0, Integer.MAX_VALUE, () -> autoAofRewritePercentage,
            v -> autoAofRewritePercentage = v);
        memoryParam("auto-aof-rewrite-min-size", 0, Long.MAX_VALUE, () -> autoAofRewriteMinSize, v -> autoAofRewriteMinSize = v);
        enumParam("aof-compression", new String[] {"lz4", "none"}, () -> aofCompression, v -> aofCompression = v);
        special("dbfilename", false, () -> dbfilename, v -> {
            if (v.contains("/")) {
                return "dbfilename can't be a path, just a filename";
            }
            dbfilename = v;
            return null;
        });
        add(new Param("slowlog-log-slower-than", List.of(), Kind.INT, false, () -> Long.toString(slowlogLogSlowerThan), v -> {
            try {
                slowlogLogSlowerThan = Long.parseLong(v);
                return null;
            } catch (NumberFormatException e) {
                return "argument couldn't be parsed into an integer";
            }
        }));
        intParam("slowlog-max-len", 0, Integer.MAX_VALUE, () -> slowlogMaxLen, v -> slowlogMaxLen = v);
        add(new Param("busy-reply-threshold", List.of("lua-time-limit"), Kind.INT, false, () -> Long.toString(luaTimeLimit), v -> {
            try {
                long ms = Long.parseLong(v.trim());
                if (ms < 0) {
                    return "argument must be between 0 and 9223372036854775807 inclusive";
                }
                luaTimeLimit = ms;
                return null;
            } catch (NumberFormatException e) {
                return "argument couldn't be parsed into an integer";
            }
        }));
        add(new Param("latency-monitor-threshold", List.of(), Kind.INT, false,
            () -> Long.toString(latencyMonitorThreshold), v -> {
                try {
                    long l = Long.parseLong(v);
                    if (l < 0) {
                        return "argument must be between 0 and 9223372036854775807 inclusive";
                    }
                    latencyMonitorThreshold = l;
                    return null;
                } catch (NumberFormatException e) {
                    return "argument couldn't be parsed into an integer";
                }
            }));
        boolParam("lazyfree-lazy-user-flush", () -> lazyfreeLazyUserFlush, v -> lazyfreeLazyUserFlush = v);
        intParam("active-expire-effort", 1, 10, () -> activeExpireEffort, v -> activeExpireEffort = v);
        add(new Param("enable-protected-configs", List.of(), Kind.ENUM, true, () -> enableProtectedConfigs, v -> {
            for (String s : new String[] {"no", "yes", "local"}) {
                if (s.equalsIgnoreCase(v)) {
                    enableProtectedConfigs = s;
                    return null;
                }
            }
            return "argument(s) must be one of the following: no, yes, local";
        }));
        add(new Param("enable-debug-command", List.of(), Kind.ENUM, true, () -> enableDebugCommand, v -> {
            for (String s : new String[] {"no", "yes", "local"}) {
                if (s.equalsIgnoreCase(v)) {
                    enableDebugCommand = s;
                    return null;
                }
            }
            return "argument(s) must be one of the following: no, yes, local";
        }));
        special("notify-keyspace-events", false, () -> notifyKeyspaceEvents, v -> {
            int f = io.strata.engine.Notifier.parse(v);
            if (f < 0) {
                return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
            }
            notifyKeyspaceEvents = io.strata.engine.Notifier.format(f);
            return null;
        });
        special("client-output-buffer-limit", false, this::formatOutputLimits, this::parseOutputLimits);
        memoryParam("maxmemory", 0, Long.MAX_VALUE, () -> maxmemory, v -> maxmemory = v);
        enumParam("maxmemory-policy", new String[] {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
            "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}, () -> maxmemoryPolicy, v -> maxmemoryPolicy = v);
        intParam("maxmemory-samples", 1, 64, () -> maxmemorySamples, v -> maxmemorySamples = v);
        intParam("maxmemory-eviction-tenacity", 0, 100, () -> maxmemoryEvictionTenacity, v -> maxmemoryEvictionTenacity = v);
        add(new Param("tier-spill", List.of(), Kind.BOOL, true, () -> tierSpill ? "yes" : "no", v -> {
            if (!v.equalsIgnoreCase("yes") && !v.equalsIgnoreCase("no")) {
                return "argument must be 'yes' or 'no'";
            }
            tierSpill = v.equalsIgnoreCase("yes");
            return null;
        }));
        add(new Param("tier-spill-dir", List.of(), Kind.STRING, true, () -> tierSpillDir, v -> {
            tierSpillDir = v;
            return null;
        }));
        memoryParam("tier-spill-max-size", 0, Long.MAX_VALUE, () -> tierSpillMaxSize, v -> tierSpillMaxSize = v);
        boolParam("tier-async-reads", () -> tierAsyncReads, v -> tierAsyncReads = v);
        enumParam("tier-compression", new String[] {"lz4", "none"}, () -> tierCompression, v -> tierCompression = v);
        intParam("lfu-log-factor", 0, Integer.MAX_VALUE, () -> lfuLogFactor, v -> lfuLogFactor = v);
        intParam("lfu-decay-time", 0, Integer.MAX_VALUE, () -> lfuDecayTime, v -> lfuDecayTime = v);
        add(new Param("list-max-listpack-size", List.of("list-max-ziplist-size"), Kind.INT, false,
            () -> Integer.toString(listMaxListpackSize), intSetter(Integer.MIN_VALUE, Integer.MAX_VALUE, v -> listMaxListpackSize = v)));
        add(new Param("list-compress-depth", List.of(), Kind.INT, false,
            () -> Integer.toString(listCompressDepth), intSetter(0, Integer.MAX_VALUE, v -> listCompressDepth = v)));
        sizeParam("hash-max-listpack-entries", "hash-max-ziplist-entries", () -> hashMaxListpackEntries, v -> hashMaxListpackEntries = v);
        sizeParam("hash-max-listpack-value", "hash-max-ziplist-value", () -> hashMaxListpackValue, v -> hashMaxListpackValue = v);
        sizeParam("set-max-intset-entries", null, () -> setMaxIntsetEntries, v -> setMaxIntsetEntries = v);
        sizeParam("zset-max-listpack-entries", "zset-max-ziplist-entries", () -> zsetMaxListpackEntries, v -> zsetMaxListpackEntries = v);
        sizeParam("zset-max-listpack-value", "zset-max-ziplist-value", () -> zsetMaxListpackValue, v -> zsetMaxListpackValue = v);
        memoryParam("stream-node-max-bytes", 0, Long.MAX_VALUE, () -> streamNodeMaxBytes, v -> streamNodeMaxBytes = v);
        longParam("stream-node-max-entries", 0, Long.MAX_VALUE, () -> streamNodeMaxEntries, v -> streamNodeMaxEntries = v);
        memoryParam("hll-sparse-max-bytes", 0, Long.MAX_VALUE, () -> hllSparseMaxBytes, v -> hllSparseMaxBytes = v);
    }

    // ---- registration helpers ----

    public void add(Param p) {
        params.put(p.name, p);
        byAnyName.put(p.name, p);
        for (String a : p.aliases) {
            byAnyName.put(a, p);
        }
    }

    private void intParam(String name, int min, int max, Supplier<Integer> get, java.util.function.IntConsumer set) {
        add(new Param(name, List.of(), Kind.INT, false, () -> Integer.toString(get.get()), intSetter(min, max, set)));
    }

    private void immutableInt(String name, int min, int max, Supplier<Integer> get, java.util.function.IntConsumer set) {
        add(new Param(name, List.of(), Kind.INT, true, () -> Integer.toString(get.get()), intSetter(min, max, set)));
    }

    private static Function<String, String> intSetter(int min, int max, java.util.function.IntConsumer set) {
        return v -> {
            long l;
            try {
                l = Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                return "argument couldn't be parsed into an integer";
            }
            if (l < min || l > max) {
                return "argument must be between " + min + " and " + max + " inclusive";
            }
            set.accept((int) l);
            return null;
        };
    }

    /** A long long setting (Redis' INTEGER_CONFIG): a plain decimal as string2ll reads it, within bounds. */
    private void longParam(String name, long min, long max, Supplier<Long> get, java.util.function.LongConsumer set) {
        add(new Param(name, List.of(), Kind.INT, false, () -> Long.toString(get.get()), v -> {
            long l;
            try {
                if (v.isEmpty() || v.charAt(0) == '+' || v.length() > 1 && v.charAt(0) == '0'
                    || v.startsWith("-0") || !v.equals(v.trim())) {
                    throw new NumberFormatException(v);
                }
                l = Long.parseLong(v);
            } catch (NumberFormatException e) {
                return "argument couldn't be parsed into an integer";
            }
            if (l < min || l > max) {
                return "argument must be between " + min + " and " + max + " inclusive";
            }
            set.accept(l);
            return null;
        }));
    }

    private void memoryParam(String name, long min, long max, Supplier<Long> get, java.util.function.LongConsumer set) {
        add(new Param(name, List.of(), Kind.MEMORY, false, () -> Long.toString(get.get()), v -> {
            // memtoull takes digits and a unit only: no sign, no blanks
            long l = v.isEmpty() || v.charAt(0) == '+' || !v.equals(v.trim()) ? -1 : Numbers.parseMemory(v);
            if (l < 0 && isUnsignedAboveLongMax(v)) {
                // memtoull reads up to 2^64 - 1, so this is a range error in Redis, not a format one
                return "argument must be between " + min + " and " + max + " inclusive";
            }
            if (l < 0) {
                return "argument must be a memory value";
            }
            if (l < min || l > max) {
                return "argument must be between " + min + " and " + max + " inclusive";
            }
            set.accept(l);
            return null;
        }));
    }

    private static boolean isUnsignedAboveLongMax(String v) {
        try {
            return Long.parseUnsignedLong(v) < 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private void sizeParam(String name, String alias, Supplier<Long> get, java.util.function.LongConsumer set) {
        add(new Param(name, alias == null ? List.of() : List.of(alias), Kind.INT, false, () -> Long.toString(get.get()), v -> {
            long l = Numbers.parseMemory(v);
            if (l < 0) {
                return "argument must be a memory value";
            }
            set.accept(l);
            return null;
        }));
    }

    /** Redis' setConfigSaveOption: "seconds changes" pairs, seconds >= 1, changes >= 0; "" for none. */
    private String parseSave(String v) {
        String[] t = v.trim().isEmpty() ? new String[0] : v.trim().split("\\s+");
        if (t.length % 2 != 0) {
            return "Invalid save parameters";
        }
        long[][] points = new long[t.length / 2][];
        for (int i = 0; i < t.length; i += 2) {
            long secs;
            long changes;
            try {
                secs = Long.parseLong(t[i]);
                changes = Long.parseLong(t[i + 1]);
            } catch (NumberFormatException e) {
                return "Invalid save parameters";
            }
            if (secs < 1 || changes < 0) {
                return "Invalid save parameters";
            }
            points[i / 2] = new long[] {secs, changes};
        }
        StringBuilder sb = new StringBuilder();
        for (long[] p : points) {
            sb.append(sb.length() == 0 ? "" : " ").append(p[0]).append(' ').append(p[1]);
        }
        saveParams = points;
        save = sb.toString();
        return null;
    }

    private String formatOutputLimits() {
        return "normal " + outputLimitNormal[0] + " " + outputLimitNormal[1] + " " + outputLimitNormal[2]
            + " slave " + outputLimitReplica[0] + " " + outputLimitReplica[1] + " " + outputLimitReplica[2]
            + " pubsub " + outputLimitPubsub[0] + " " + outputLimitPubsub[1] + " " + outputLimitPubsub[2];
    }

    /** "class hard soft seconds" groups, as redis.conf; classes normal, replica/slave, pubsub. */
    private String parseOutputLimits(String v) {
        String[] t = v.trim().split("\\s+");
        if (t.length % 4 != 0) {
            return "Wrong number of arguments in buffer limit configuration.";
        }
        long[][] parsed = new long[t.length / 4][];
        String[] classes = new String[t.length / 4];
        for (int i = 0; i < t.length; i += 4) {
            String cls = t[i].toLowerCase();
            if (!cls.equals("normal") && !cls.equals("replica") && !cls.equals("slave") && !cls.equals("pubsub")) {
                return "Invalid client class specified in buffer limit configuration.";
            }
            long hard = Numbers.parseMemory(t[i + 1]);
            long soft = Numbers.parseMemory(t[i + 2]);
            long secs;
            try {
                secs = Long.parseLong(t[i + 3]);
            } catch (NumberFormatException e) {
                secs = -1;
            }
            if (hard < 0 || soft < 0 || secs < 0) {
                return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            }
            classes[i / 4] = cls;
            parsed[i / 4] = new long[] {hard, soft, secs};
        }
        for (int i = 0; i < classes.length; i++) {
            switch (classes[i]) {
                case "normal": outputLimitNormal = parsed[i]; break;
                case "pubsub": outputLimitPubsub = parsed[i]; break;
                default: outputLimitReplica = parsed[i];
            }
        }
        return null;
    }

    private void boolParam(String name, Supplier<Boolean> get, java.util.function.Consumer<Boolean> set) {
        add(new Param(name, List.of(), Kind.BOOL, false, () -> get.get() ? "yes" : "no", v -> {
            if (v.equalsIgnoreCase("yes")) {
                set.accept(true);
            } else if (v.equalsIgnoreCase("no")) {
                set.accept(false);
            } else {
                return "argument must be 'yes' or 'no'";
            }
            return null;
        }));
    }

    private void stringParam(String name, Supplier<String> get, java.util.function.Consumer<String> set) {
        add(new Param(name, List.of(), Kind.STRING, false, get, v -> {
            set.accept(v);
            return null;
        }));
    }

    private void enumParam(String name, String[] values, Supplier<String> get, java.util.function.Consumer<String> set) {
        add(new Param(name, List.of(), Kind.ENUM, false, get, v -> {
            for (String s : values) {
                if (s.equalsIgnoreCase(v)) {
                    set.accept(s);
                    return null;
                }
            }
            return "argument(s) must be one of the following: " + String.join(", ", values);
        }));
    }

    private void special(String name, boolean immutable, Supplier<String> get, Function<String, String> set) {
        add(new Param(name, List.of(), Kind.SPECIAL, immutable, get, set));
    }

    /** Runs {@code hook} after {@code name} changes at runtime; a non-null result refuses the change. */
    public void onChange(String name, Function<String, String> hook) {
        hooks.computeIfAbsent(name, k -> new ArrayList<>()).add(hook);
    }

    // ---- queries ----

    public Param param(String name) {
        return byAnyName.get(name.toLowerCase(Locale.ROOT));
    }

    public Iterable<Param> params() {
        return params.values();
    }

    /** Parameters matching a CONFIG GET pattern: an exact name or alias, or a glob over names. */
    public Map<String, String> get(String pattern) {
        Map<String, String> out = new LinkedHashMap<>();
        String p = pattern.toLowerCase(Locale.ROOT);
        Param exact = byAnyName.get(p);
        if (exact != null) {
            out.put(p, exact.get());
            return out;
        }
        for (Param prm : params.values()) {
            if (Glob.match(p, prm.name, true)) {
                out.put(prm.name, prm.get());
            }
        }
        return out;
    }

    /**
     * Sets a parameter at start-up (config file, arguments): immutable ones are allowed.
     * Returns null or the reason it was refused.
     */
    public String setInitial(String name, String value) {
        Param p = param(name);
        if (p == null) {
            return "Bad directive or wrong number of arguments";
        }
        if (p.name.equals("save")) {
            // as Redis: the first save directive replaces the defaults, later ones add points
            boolean append = saveSetInitially && !value.trim().isEmpty();
            saveSetInitially = true;
            if (append) {
                return parseSave(save + " " + value);
            }
        }
        return p.setter.apply(value);
    }

    /**
     * CONFIG SET of several parameters at once, all or nothing; returns null or the complete
     * error text for the client.
     */
    public String setRuntime(List<String[]> pairs) {
        return setRuntime(pairs, true);
    }

    /** As {@link #setRuntime(List)}; {@code localClient} decides {@code enable-protected-configs local}. */
    public String setRuntime(List<String[]> pairs, boolean localClient) {
        List<Param> ps = new ArrayList<>();
        for (String[] kv : pairs) {
            Param p = param(kv[0]);
            if (p == null) {
                return "ERR Unknown option or number of arguments for CONFIG SET - '" + kv[0] + "'";
            }
            if (ps.contains(p)) {
                return "ERR CONFIG SET failed (possibly related to argument '" + kv[0] + "') - duplicate parameter";
            }
            if (p.immutable) {
                return "ERR CONFIG SET failed (possibly related to argument '" + kv[0] + "') - can't set immutable config";
            }
            if (PROTECTED.contains(p.name) && !(enableProtectedConfigs.equals("yes")
                || (enableProtectedConfigs.equals("local") && localClient))) {
                return "ERR CONFIG SET failed (possibly related to argument '" + kv[0] + "') - can't set protected config";
            }
            ps.add(p);
        }
        List<String> old = new ArrayList<>();
        for (Param p : ps) {
            old.add(p.get());
        }
        for (int i = 0; i < ps.size(); i++) {
            Param p = ps.get(i);
            String err = p.setter.apply(pairs.get(i)[1]);
            if (err == null) {
                for (Function<String, String> h : hooks.getOrDefault(p.name, List.of())) {
                    err = h.apply(p.get());
                    if (err != null) {
                        break;
                    }
                }
            }
            if (err != null) {
                for (int j = 0; j <= i; j++) {
                    ps.get(j).setter.apply(old.get(j));
                }
                return "ERR CONFIG SET failed (possibly related to argument '" + pairs.get(i)[0] + "') - " + err;
            }
        }
        return null;
    }
}
