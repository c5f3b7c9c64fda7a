package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.Notifier;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.KeySpec;
import io.strata.engine.command.ReplySink;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.persist.AofRecorder;
import io.strata.engine.types.StreamId;
import io.strata.engine.types.StreamValue;
import io.strata.engine.types.StreamValue.Consumer;
import io.strata.engine.types.StreamValue.Group;
import io.strata.engine.types.StreamValue.Nack;
import io.strata.engine.util.Bytes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

import static io.strata.engine.command.CommandFlag.BLOCKING;
import static io.strata.engine.command.CommandFlag.DENYOOM;
import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.LOADING;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.STALE;
import static io.strata.engine.command.CommandFlag.WRITE;

/**
 * Stream commands (Redis 7.0's t_stream.c): entries, consumer groups, pending entries lists and
 * blocking reads. Replies, errors and what goes to the AOF follow redis-server 7.0: XADD is
 * recorded with the id it generated and an approximate trim as the exact one it amounted to;
 * XREADGROUP, XCLAIM and XAUTOCLAIM are recorded as the idempotent
 * {@code XCLAIM … TIME … RETRYCOUNT … FORCE JUSTID LASTID …} commands Redis propagates, plus
 * {@code XGROUP SETID}/{@code CREATECONSUMER} where Redis emits them. An empty stream stays a key.
 * XREAD/XREADGROUP with BLOCK park the client through {@link Engine#block}; an XADD signals the
 * key and the engine re-runs the read (with {@code $} already resolved to the id it stood for).
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class StreamCommands extends CommandGroup {
    private static final byte[] MAXLEN = Bytes.ascii("maxlen");
    private static final byte[] MINID = Bytes.ascii("minid");
    private static final byte[] LIMIT = Bytes.ascii("limit");
    private static final byte[] NOMKSTREAM = Bytes.ascii("nomkstream");
    private static final byte[] COUNT = Bytes.ascii("count");
    private static final byte[] BLOCK = Bytes.ascii("block");
    private static final byte[] STREAMS = Bytes.ascii("streams");
    private static final byte[] GROUP = Bytes.ascii("group");
    private static final byte[] NOACK = Bytes.ascii("noack");
    private static final byte[] MKSTREAM = Bytes.ascii("mkstream");
    private static final byte[] ENTRIESREAD = Bytes.ascii("entriesread");
    private static final byte[] IDLE = Bytes.ascii("idle");
    private static final byte[] TIME = Bytes.ascii("time");
    private static final byte[] RETRYCOUNT = Bytes.ascii("retrycount");
    private static final byte[] FORCE = Bytes.ascii("force");
    private static final byte[] JUSTID = Bytes.ascii("justid");
    private static final byte[] LASTID = Bytes.ascii("lastid");
    private static final byte[] FULL = Bytes.ascii("full");
    private static final byte[] ENTRIESADDED = Bytes.ascii("entriesadded");
    private static final byte[] MAXDELETEDID = Bytes.ascii("maxdeletedid");

    static final String INVALID_ID = "ERR Invalid stream ID specified as stream command argument";
    static final String ID_TOO_SMALL = "ERR The ID specified in XADD is equal or smaller than the target stream top item";
    static final String ID_ZERO = "ERR The ID specified in XADD must be greater than 0-0";
    static final String EXHAUSTED = "ERR The stream has exhausted the last possible ID, unable to add more items";
    static final String BUSYGROUP = "BUSYGROUP Consumer Group name already exists";

    /** XREAD's COUNT while blocked when none was given (XREAD_BLOCKED_DEFAULT_COUNT). */
    private static final long BLOCKED_DEFAULT_COUNT = 1000;

    public StreamCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "stream";
        t.add(cmd("xadd", -5, this::xadd).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "5.0.0", "Appends a new entry to a stream"));
        t.add(cmd("xrange", -4, (c, a, r) -> xrange(c, a, r, false)).flags(READONLY).keys(1, 1, 1)
            .doc(g, "5.0.0", "Return a range of elements in a stream, with IDs matching the specified IDs interval"));
        t.add(cmd("xrevrange", -4, (c, a, r) -> xrange(c, a, r, true)).flags(READONLY).keys(1, 1, 1)
            .doc(g, "5.0.0", "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE"));
        t.add(cmd("xlen", 2, this::xlen).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "5.0.0", "Return the number of entries in a stream"));
        t.add(cmd("xdel", -3, this::xdel).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "5.0.0", "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist."));
        t.add(cmd("xtrim", -4, this::xtrim).flags(WRITE).keys(1, 1, 1)
            .doc(g, "5.0.0", "Trims the stream to (approximately if '~' is passed) a certain size"));
        t.add(cmd("xread", -4, (c, a, r) -> xread(c, a, r, false)).flags(READONLY, BLOCKING).movableKeys(streamsKeys())
            .doc(g, "5.0.0", "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block."));
        t.add(cmd("xreadgroup", -7, (c, a, r) -> xread(c, a, r, true)).flags(WRITE, BLOCKING).movableKeys(streamsKeys())
            .doc(g, "5.0.0", "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block."));
        t.add(cmd("xack", -4, this::xack).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "5.0.0", "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL."));
        t.add(cmd("xpending", -3, this::xpending).flags(READONLY).keys(1, 1, 1)
            .doc(g, "5.0.0", "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged."));
        t.add(cmd("xclaim", -6, this::xclaim).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "5.0.0", "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer."));
        t.add(cmd("xautoclaim", -6, this::xautoclaim).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "6.2.0", "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer."));
        t.add(cmd("xsetid", -3, this::xsetid).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "5.0.0", "An internal command for replicating stream values"));
        t.add(container("xgroup").doc(g, "5.0.0", "A container for consumer groups commands")
            .sub(cmd("create", -5, this::xgroup).flags(WRITE, DENYOOM).keys(2, 2, 1)
                .doc(g, "5.0.0", "Create a consumer group."))
            .sub(cmd("setid", -5, this::xgroup).flags(WRITE).keys(2, 2, 1)
                .doc(g, "5.0.0", "Set a consumer group to an arbitrary last delivered ID value."))
            .sub(cmd("destroy", 4, this::xgroup).flags(WRITE).keys(2, 2, 1)
                .doc(g, "5.0.0", "Destroy a consumer group."))
            .sub(cmd("createconsumer", 5, this::xgroup).flags(WRITE, DENYOOM).keys(2, 2, 1)
                .doc(g, "6.2.0", "Create a consumer in a consumer group."))
            .sub(cmd("delconsumer", 5, this::xgroup).flags(WRITE).keys(2, 2, 1)
                .doc(g, "5.0.0", "Delete a consumer from a consumer group."))
            .sub(cmd("help", 2, (c, a, r) -> help(r, XGROUP_HELP)).flags(LOADING, STALE)
                .doc(g, "5.0.0", "Show helpful text about the different subcommands")));
        t.add(container("xinfo").doc(g, "5.0.0", "A container for stream introspection commands")
            .sub(cmd("consumers", 4, this::xinfo).flags(READONLY).keys(2, 2, 1)
                .doc(g, "5.0.0", "List the consumers in a consumer group"))
            .sub(cmd("groups", 3, this::xinfo).flags(READONLY).keys(2, 2, 1)
                .doc(g, "5.0.0", "List the consumer groups of a stream"))
            .sub(cmd("stream", -3, this::xinfo).flags(READONLY).keys(2, 2, 1)
                .doc(g, "5.0.0", "Get information about a stream"))
            .sub(cmd("help", 2, (c, a, r) -> help(r, XINFO_HELP)).flags(LOADING, STALE)
                .doc(g, "5.0.0", "Show helpful text about the different subcommands")));
    }

    private static final String[] XGROUP_HELP = {
        "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        "HELP",
        "    Prints this help.",
    };

    private static final String[] XINFO_HELP = {
        "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        "HELP",
        "    Prints this help.",
    };

    private static void help(ReplySink r, String[] lines) {
        r.array(lines.length);
        for (String l : lines) {
            r.simple(l);
        }
    }

    /** Keys of XREAD/XREADGROUP: the first half of what follows STREAMS. */
    private static KeySpec streamsKeys() {
        return a -> {
            List<Integer> out = new ArrayList<>();
            for (int i = 1; i < a.argc(); i++) {
                if (a.is(i, STREAMS)) {
                    int n = (a.argc() - i - 1) / 2;
                    for (int j = i + 1; j <= i + n; j++) {
                        out.add(j);
                    }
                    break;
                }
            }
            return out;
        };
    }

    // ---- ids ----

    /** Result of parsing an id that may leave the sequence to the server (XADD's {@code ms-*}). */
    private static final class ParsedId {
        StreamId id;
        boolean seqGiven = true;
    }

    /** Redis' string2ull: a decimal unsigned 64-bit number; null when not one. */
    private static Long parseU64(String s) {
        if (s.isEmpty()) {
            return null;
        }
        int i = 0;
        if (s.charAt(0) == '+' && s.length() > 1) {
            i = 1;
        }
        long v = 0;
        for (; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') {
                return null;
            }
            long d = ch - '0';
            // v * 10 + d must stay within 2^64 - 1
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
                return null;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /**
     * Redis' streamGenericParseIDOrReply. {@code strict} refuses "-" and "+"; {@code allowAutoSeq}
     * accepts {@code ms-*}. Null after replying the error.
     */
    private static ParsedId parseId(String s, long missingSeq, boolean strict, boolean allowAutoSeq, ReplySink r) {
        ParsedId p = new ParsedId();
        if (s.length() > 127 || (strict && (s.equals("-") || s.equals("+")))) {
            return invalid(r);
        }
        if (s.equals("-")) {
            p.id = StreamId.ZERO;
            return p;
        }
        if (s.equals("+")) {
            p.id = StreamId.MAX;
            return p;
        }
        int dash = s.indexOf('-');
        Long ms = parseU64(dash < 0 ? s : s.substring(0, dash));
        if (ms == null) {
            return invalid(r);
        }
        long seq;
        if (dash >= 0) {
            String sq = s.substring(dash + 1);
            if (allowAutoSeq && sq.equals("*")) {
                seq = 0;
                p.seqGiven = false;
            } else {
                Long v = parseU64(sq);
                if (v == null) {
                    return invalid(r);
                }
                seq = v;
            }
        } else {
            seq = missingSeq;
        }
        p.id = new StreamId(ms, seq);
        return p;
    }

    private static ParsedId invalid(ReplySink r) {
        if (r != null) {
            r.error(INVALID_ID);
        }
        return null;
    }

    private static StreamId strictIdOrReply(Args a, int i, ReplySink r) {
        ParsedId p = parseId(a.str(i), 0, true, false, r);
        return p == null ? null : p.id;
    }

    /** Redis' streamParseIntervalIDOrReply: {@code (id} excludes; returns {id, exclusive?} or null. */
    private static StreamId intervalIdOrReply(Args a, int i, long missingSeq, boolean[] exclusive, ReplySink r) {
        String s = a.str(i);
        boolean ex = s.length() > 1 && s.charAt(0) == '(';
        exclusive[0] = ex;
        ParsedId p = ex ? parseId(s.substring(1), missingSeq, true, false, r) : parseId(s, missingSeq, false, false, r);
        return p == null ? null : p.id;
    }

    /** Redis' getLongLongFromObjectOrReply with an optional custom message. */
    private static Long llOrReply(Args a, int i, String msg, ReplySink r) {
        if (!a.isLong(i)) {
            r.error(msg == null ? Errors.NOT_INTEGER : "ERR " + msg);
            return null;
        }
        return a.longAt(i);
    }

    // ---- helpers ----

    /**
     * A sub-map's size, counting no further than {@code count} (0 = all): a TreeMap view counts
     * by walking, so a read of COUNT 1 must not walk the rest of the stream.
     */
    private static int sizeUpTo(NavigableMap<StreamId, ?> m, long count) {
        if (count == 0) {
            return m.size();
        }
        int n = 0;
        for (Iterator<StreamId> it = m.keySet().iterator(); it.hasNext() && n < count; it.next()) {
            n++;
        }
        return n;
    }

    private static boolean isStreamOrReply(Entry e, ReplySink r) {
        if (e.value() instanceof StreamValue) {
            return true;
        }
        r.error(Errors.WRONGTYPE);
        return false;
    }

    private static void bulk(ReplySink r, byte[] b) {
        r.bulk(b, 0, b.length);
    }

    private static void replyId(ReplySink r, StreamId id) {
        replyId(r, id.ms, id.seq);
    }

    private static void replyId(ReplySink r, long ms, long seq) {
        byte[] b = StreamId.bytes(ms, seq);
        r.bulk(b, 0, b.length);
    }

    private static void replyEntry(ReplySink r, StreamId id, byte[][] fv) {
        replyEntry(r, id.ms, id.seq, fv);
    }

    private static void replyEntry(ReplySink r, long ms, long seq, byte[][] fv) {
        r.array(2);
        replyId(r, ms, seq);
        r.array(fv.length);
        for (byte[] b : fv) {
            bulk(r, b);
        }
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] a(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] num(long v) {
        return a(Long.toString(v));
    }

    private void notify(Client c, String event, byte[] key) {
        engine.notifier.notify(Notifier.STREAM, event, c.db, key);
    }

    private AofRecorder aof() {
        return engine.aof;
    }

    /** Redis' streamPropagateXCLAIM. */
    private void propagateXclaim(byte[] key, Group g, byte[] id, Nack n) {
        AofRecorder rec = aof();
        if (rec == null) {
            return;
        }
        rec.propagate(a("XCLAIM"), key, g.name, n.consumer.name, a("0"), id, a("TIME"), num(n.deliveryTime),
            a("RETRYCOUNT"), num(n.deliveryCount), a("FORCE"), a("JUSTID"), a("LASTID"), g.lastId.bytes());
    }

    /** Redis' streamPropagateGroupID. */
    private void propagateGroupId(byte[] key, Group g) {
        AofRecorder rec = aof();
        if (rec != null) {
            rec.propagate(a("XGROUP"), a("SETID"), key, g.name, g.lastId.bytes(), a("ENTRIESREAD"), num(g.entriesRead));
        }
    }

    private void suppress() {
        AofRecorder rec = aof();
        if (rec != null) {
            rec.suppress();
        }
    }

    /** Redis' streamCreateConsumer (SCC_DEFAULT): the event and a change. */
    /** XCLAIM's and XAUTOCLAIM's consumer, created when it does not exist yet; seen now. */
    private Consumer claimant(Client c, Entry e, Group g, byte[] name, long now) {
        Consumer consumer = g.consumers.get(name);
        if (consumer == null) {
            consumer = createConsumer(c, e, g, name);
        }
        consumer.seenTime = now;
        return consumer;
    }

    /** Moves the pending entry {@code id} into {@code consumer}'s PEL, out of its former owner's. */
    private static void transfer(StreamId id, Nack nack, Consumer consumer) {
        if (nack.consumer != consumer) {
            if (nack.consumer != null) {
                nack.consumer.pel.remove(id);
            }
            consumer.pel.put(id, nack);
            nack.consumer = consumer;
        }
    }

    private Consumer createConsumer(Client c, Entry e, Group g, byte[] name) {
        Consumer con = new Consumer(name, ks.now());
        g.consumers.put(name, con);
        ks.changed(c.db, e.key);
        notify(c, "xgroup-createconsumer", e.key);
        return con;
    }

    // ---- XADD / XTRIM ----

    /** Parsed trimming options (Redis' streamAddTrimArgs). */
    private static final class TrimArgs {
        int strategy; // 0 none, 1 maxlen, 2 minid
        boolean approx;
        long maxlen;
        StreamId minid;
        long limit;
        int strategyArgIdx;
        boolean noMkstream;
        ParsedId id; // XADD: null = '*'
        int idIdx;
    }

    /** Redis' streamParseAddOrTrimArgsOrReply; null after replying. */
    private TrimArgs trimArgsOrReply(Args a, ReplySink r, boolean xadd) {
        TrimArgs t = new TrimArgs();
        boolean limitGiven = false;
        int i = 2;
        for (; i < a.argc(); i++) {
            int moreargs = a.argc() - 1 - i;
            if (xadd && a.len(i) == 1 && a.buf()[a.off(i)] == '*') {
                break;
            } else if (a.is(i, MAXLEN) && moreargs > 0 || a.is(i, MINID) && moreargs > 0) {
                boolean max = a.is(i, MAXLEN);
                if (t.strategy != 0) {
                    r.error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                    return null;
                }
                t.approx = false;
                String next = a.str(i + 1);
                if (moreargs >= 2 && next.equals("~")) {
                    t.approx = true;
                    i++;
                } else if (moreargs >= 2 && next.equals("=")) {
                    i++;
                }
                if (max) {
                    Long v = llOrReply(a, i + 1, null, r);
                    if (v == null) {
                        return null;
                    }
                    if (v < 0) {
                        r.error("ERR The MAXLEN argument must be >= 0.");
                        return null;
                    }
                    t.maxlen = v;
                    t.strategy = 1;
                } else {
                    StreamId id = strictIdOrReply(a, i + 1, r);
                    if (id == null) {
                        return null;
                    }
                    t.minid = id;
                    t.strategy = 2;
                }
                i++;
                t.strategyArgIdx = i;
            } else if (a.is(i, LIMIT) && moreargs > 0) {
                Long v = llOrReply(a, i + 1, null, r);
                if (v == null) {
                    return null;
                }
                if (v < 0) {
                    r.error("ERR The LIMIT argument must be >= 0.");
                    return null;
                }
                t.limit = v;
                limitGiven = true;
                i++;
            } else if (xadd && a.is(i, NOMKSTREAM)) {
                t.noMkstream = true;
            } else if (xadd) {
                ParsedId p = parseId(a.str(i), 0, true, true, r);
                if (p == null) {
                    return null;
                }
                t.id = p;
                break;
            } else {
                r.error(Errors.SYNTAX);
                return null;
            }
        }
        t.idIdx = i;
        if (t.limit != 0 && t.strategy == 0) {
            r.error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
            return null;
        }
        if (!xadd && t.strategy == 0) {
            r.error("ERR syntax error, XTRIM must be called with a trimming strategy");
            return null;
        }
        if (engine.loading) {
            t.limit = 0; // replaying: the trim argument was rewritten to what was trimmed
        } else if (limitGiven) {
            if (!t.approx) {
                r.error("ERR syntax error, LIMIT cannot be used without the special ~ option");
                return null;
            }
        } else if (t.approx) {
            // at most 100 nodes' worth, capped both ways for stream-node-max-entries 0 or huge
            long perNode = engine.config.streamNodeMaxEntries;
            t.limit = perNode > 10_000 ? 1_000_000 : 100 * perNode;
            if (t.limit <= 0) {
                t.limit = 10_000;
            }
        } else {
            t.limit = 0;
        }
        return t;
    }

    private long trim(StreamValue s, TrimArgs t) {
        return s.trim(t.strategy == 1, t.maxlen, t.minid, t.approx, t.limit);
    }

    /**
     * What an approximate trim is recorded as: {@code =} and the length (MAXLEN) or first id
     * (MINID) it left, without LIMIT (Redis' streamRewriteApproxSpecifier/TrimArgument).
     */
    private static void trimRewrite(List<byte[]> out, StreamValue s, TrimArgs t) {
        out.add(a(t.strategy == 1 ? "MAXLEN" : "MINID"));
        if (t.approx) {
            out.add(a("="));
            out.add(t.strategy == 1 ? num(s.length()) : s.firstEntryIdOrZero().bytes());
        } else {
            out.add(t.strategy == 1 ? num(t.maxlen) : t.minid.bytes());
        }
    }

    private void xadd(Client c, Args a, ReplySink r) {
        TrimArgs t = trimArgsOrReply(a, r, true);
        if (t == null) {
            return;
        }
        int fieldPos = t.idIdx + 1;
        int nfv = a.argc() - fieldPos;
        if (nfv < 2 || nfv % 2 == 1) {
            r.error(Errors.wrongArity("xadd"));
            return;
        }
        if (t.id != null && t.id.seqGiven && t.id.id.isZero()) {
            r.error(ID_ZERO);
            return;
        }
        Entry e = write(c, a, 1);
        if (e != null && !isStreamOrReply(e, r)) {
            return;
        }
        if (e == null && t.noMkstream) {
            r.nullBulk();
            return;
        }
        StreamValue s = e == null ? new StreamValue() : (StreamValue) e.value();
        if (s.lastId.isMax()) {
            r.error(EXHAUSTED);
            return;
        }
        StreamId id;
        if (t.id == null) {
            long now = System.currentTimeMillis();
            id = Long.compareUnsigned(now, s.lastId.ms) > 0 ? new StreamId(now, 0) : s.lastId.next();
        } else if (t.id.seqGiven) {
            id = t.id.id;
        } else if (s.lastId.ms == t.id.id.ms) {
            if (s.lastId.seq == -1L) {
                r.error(ID_TOO_SMALL);
                return;
            }
            id = s.lastId.next();
        } else {
            id = t.id.id;
        }
        if (id.compareTo(s.lastId) <= 0) {
            r.error(ID_TOO_SMALL);
            return;
        }
        // field names equal to the last node's master fields share its arrays (no copy, no extra heap)
        byte[][] master = s.tailMasterFields();
        byte[][] fv = new byte[nfv][];
        for (int i = 0; i < nfv; i++) {
            int at = fieldPos + i;
            byte[] m = master != null && i % 2 == 0 && i / 2 < master.length ? master[i / 2] : null;
            fv[i] = m != null && Arrays.equals(a.buf(), a.off(at), a.off(at) + a.len(at), m, 0, m.length) ? m : a.bytes(at);
        }
        if (e == null) {
            e = ks.add(c.db, a.bytes(1), s);
        }
        s.append(id, fv, engine.config.streamNodeMaxBytes, engine.config.streamNodeMaxEntries);
        replyId(r, id);
        ks.changed(c.db, e.key);
        notify(c, "xadd", e.key);
        if (t.strategy != 0 && trim(s, t) > 0) {
            notify(c, "xtrim", e.key);
        }
        AofRecorder rec = aof();
        if (rec != null && (t.id == null || !t.id.seqGiven || t.approx)) {
            List<byte[]> out = new ArrayList<>();
            out.add(a("xadd"));
            out.add(e.key);
            if (t.noMkstream) {
                out.add(a("NOMKSTREAM"));
            }
            if (t.strategy != 0) {
                trimRewrite(out, s, t);
            }
            out.add(id.bytes());
            for (byte[] b : fv) {
                out.add(b);
            }
            rec.propagate(out.toArray(new byte[0][]));
        }
        engine.signalKeyAsReady(c.db, e.key);
    }

    private void xtrim(Client c, Args a, ReplySink r) {
        TrimArgs t = trimArgsOrReply(a, r, false);
        if (t == null) {
            return;
        }
        Entry e = write(c, a, 1);
        if (e == null) {
            r.integer(0);
            return;
        }
        if (!isStreamOrReply(e, r)) {
            return;
        }
        StreamValue s = (StreamValue) e.value();
        long deleted = trim(s, t);
        if (deleted > 0) {
            ks.changed(c.db, e.key);
            notify(c, "xtrim", e.key);
            AofRecorder rec = aof();
            if (rec != null && t.approx) {
                List<byte[]> out = new ArrayList<>();
                out.add(a("xtrim"));
                out.add(e.key);
                trimRewrite(out, s, t);
                rec.propagate(out.toArray(new byte[0][]));
            }
        }
        r.integer(deleted);
    }

    // ---- reads ----

    private void xlen(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.integer(0);
        } else if (isStreamOrReply(e, r)) {
            r.integer(((StreamValue) e.value()).length());
        }
    }

    private void xrange(Client c, Args a, ReplySink r, boolean rev) {
        boolean[] ex = new boolean[1];
        StreamId start = intervalIdOrReply(a, rev ? 3 : 2, 0, ex, r);
        if (start == null) {
            return;
        }
        if (ex[0] && (start = start.next()) == null) {
            r.error("ERR invalid start ID for the interval");
            return;
        }
        StreamId end = intervalIdOrReply(a, rev ? 2 : 3, -1L, ex, r);
        if (end == null) {
            return;
        }
        if (ex[0] && (end = end.prev()) == null) {
            r.error("ERR invalid end ID for the interval");
            return;
        }
        long count = -1;
        for (int j = 4; j < a.argc(); j++) {
            if (a.is(j, COUNT) && j + 1 < a.argc()) {
                Long v = llOrReply(a, j + 1, null, r);
                if (v == null) {
                    return;
                }
                count = Math.max(0, v);
                j++;
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        Entry e = read(c, a, 1);
        if (e == null) {
            r.array(0);
            return;
        }
        if (!isStreamOrReply(e, r)) {
            return;
        }
        if (count == 0) {
            r.nullArray();
            return;
        }
        replyRange(r, (StreamValue) e.value(), start, end, count == -1 ? 0 : count, rev);
    }

    /** The entries in [start, end] (count 0 = all) as an array of [id, fields]. */
    private static int replyRange(ReplySink r, StreamValue s, StreamId start, StreamId end, long count, boolean rev) {
        if (start.compareTo(end) > 0) {
            r.array(0);
            return 0;
        }
        int n = s.count(start, end, rev, count);
        r.array(n);
        StreamValue.Cursor it = s.range(start, end, rev);
        for (int i = 0; i < n && it.next(); i++) {
            replyEntry(r, it.ms(), it.seq(), it.fieldsAndValues());
        }
        return n;
    }

    // ---- XDEL ----

    private void xdel(Client c, Args a, ReplySink r) {
        Entry e = write(c, a, 1);
        if (e == null) {
            r.integer(0);
            return;
        }
        if (!isStreamOrReply(e, r)) {
            return;
        }
        StreamId[] ids = new StreamId[a.argc() - 2];
        for (int j = 2; j < a.argc(); j++) {
            if ((ids[j - 2] = strictIdOrReply(a, j, r)) == null) {
                return;
            }
        }
        StreamValue s = (StreamValue) e.value();
        int deleted = 0;
        for (StreamId id : ids) {
            if (s.delete(id)) {
                if (id.compareTo(s.maxDeletedId) > 0) {
                    s.maxDeletedId = id;
                }
                deleted++;
            }
        }
        if (deleted > 0) {
            s.refreshFirstId();
            ks.changed(c.db, e.key);
            notify(c, "xdel", e.key);
        }
        r.integer(deleted);
    }

    // ---- XREAD / XREADGROUP ----

    private void xread(Client c, Args a, ReplySink r, boolean xreadgroup) {
        long timeout = -1;
        long count = 0;
        int streamsArg = 0;
        int streamsCount = 0;
        int groupIdx = -1;
        boolean noack = false;
        for (int i = 1; i < a.argc(); i++) {
            int moreargs = a.argc() - i - 1;
            if (a.is(i, BLOCK) && moreargs > 0) {
                i++;
                if (!a.isLong(i)) {
                    r.error("ERR timeout is not an integer or out of range");
                    return;
                }
                timeout = a.longAt(i);
                if (timeout < 0) {
                    r.error(Errors.TIMEOUT_NEGATIVE);
                    return;
                }
            } else if (a.is(i, COUNT) && moreargs > 0) {
                i++;
                Long v = llOrReply(a, i, null, r);
                if (v == null) {
                    return;
                }
                count = Math.max(0, v);
            } else if (a.is(i, STREAMS) && moreargs > 0) {
                streamsArg = i + 1;
                streamsCount = a.argc() - streamsArg;
                if (streamsCount % 2 != 0) {
                    r.error("ERR Unbalanced '" + (xreadgroup ? "xreadgroup" : "xread")
                        + "' list of streams: for each stream key an ID or '" + (xreadgroup ? '>' : '$')
                        + "' must be specified.");
                    return;
                }
                streamsCount /= 2;
                break;
            } else if (a.is(i, GROUP) && moreargs >= 2) {
                if (!xreadgroup) {
                    r.error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                    return;
                }
                groupIdx = i + 1;
                i += 2;
            } else if (a.is(i, NOACK)) {
                if (!xreadgroup) {
                    r.error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                    return;
                }
                noack = true;
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        if (streamsArg == 0) {
            r.error(Errors.SYNTAX);
            return;
        }
        if (xreadgroup && groupIdx < 0) {
            r.error("ERR Missing GROUP option for XREADGROUP");
            return;
        }
        byte[] groupName = groupIdx < 0 ? null : a.bytes(groupIdx);
        byte[] consumerName = groupIdx < 0 ? null : a.bytes(groupIdx + 1);
        StreamId[] ids = new StreamId[streamsCount];
        Group[] groups = new Group[streamsCount];
        Entry[] entries = new Entry[streamsCount];
        boolean[] dollar = new boolean[streamsCount];
        for (int k = 0; k < streamsCount; k++) {
            int ki = streamsArg + k;
            int ii = ki + streamsCount;
            Entry e = xreadgroup ? write(c, a, ki) : read(c, a, ki);
            if (e != null && !isStreamOrReply(e, r)) {
                return;
            }
            entries[k] = e;
            if (groupName != null) {
                Group g = e == null ? null : ((StreamValue) e.value()).groups.get(groupName);
                if (g == null) {
                    r.error("NOGROUP No such key '" + a.str(ki) + "' or consumer group '" + s(groupName)
                        + "' in XREADGROUP with GROUP option");
                    return;
                }
                groups[k] = g;
            }
            String idArg = a.str(ii);
            if (idArg.equals("$")) {
                if (xreadgroup) {
                    r.error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history "
                        + "of this consumer by specifying a proper ID, or use the > ID to get new messages. "
                        + "The $ ID would just return an empty result set.");
                    return;
                }
                ids[k] = e == null ? StreamId.ZERO : ((StreamValue) e.value()).lastId;
                dollar[k] = true;
                continue;
            } else if (idArg.equals(">")) {
                if (!xreadgroup) {
                    r.error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
                        + "<consumer> option.");
                    return;
                }
                ids[k] = StreamId.MAX;
                continue;
            }
            if ((ids[k] = strictIdOrReply(a, ii, r)) == null) {
                return;
            }
        }
        if (xreadgroup) {
            suppress(); // what XREADGROUP changed is recorded as XCLAIM / XGROUP commands
        }
        int served = 0;
        List<Runnable> replies = new ArrayList<>();
        Map<Group, StreamId> moved = new java.util.IdentityHashMap<>();
        for (int k = 0; k < streamsCount; k++) {
            Entry e = entries[k];
            if (e == null) {
                continue;
            }
            StreamValue s = (StreamValue) e.value();
            StreamId gt = ids[k];
            boolean serve = false;
            boolean history = false;
            Consumer consumer = null;
            if (groups[k] != null) {
                Group g = groups[k];
                if (!gt.isMax()) {
                    serve = true;
                    history = true;
                } else {
                    // the same key and group named twice: the first read moved the group on
                    StreamId last = moved.getOrDefault(g, g.lastId);
                    if (s.length() > 0 && s.lastValidId().compareTo(last) > 0) {
                        serve = true;
                        gt = last;
                        StreamId upTo = s.lastValidId();
                        if (count > 0) {
                            StreamValue.Cursor it = s.range(last.next(), StreamId.MAX, false);
                            for (long n = 0; n < count && it.next(); n++) {
                                upTo = it.id();
                            }
                        }
                        moved.put(g, upTo);
                    }
                }
            } else if (s.length() > 0 && s.lastValidId().compareTo(gt) > 0) {
                serve = true;
            }
            if (serve && groups[k] != null) {
                // Redis 7.0 creates (and refreshes) the consumer only when it serves it
                Group g = groups[k];
                consumer = g.consumers.get(consumerName);
                if (consumer == null) {
                    consumer = createConsumer(c, e, g, consumerName);
                    if (noack && aof() != null) {
                        aof().propagate(a("XGROUP"), a("CREATECONSUMER"), e.key, g.name, consumerName);
                    }
                }
                consumer.seenTime = ks.now();
            }
            if (serve) {
                served++;
                final StreamId from = gt.next();
                final Consumer con = consumer;
                final boolean hist = history;
                final int kk = k;
                final boolean na = noack;
                final long cnt = count;
                replies.add(() -> {
                    if (r.protocol() == 2) {
                        r.array(2);
                    }
                    bulk(r, e.key);
                    if (groups[kk] == null) {
                        replyRange(r, s, from, StreamId.MAX, cnt, false);
                    } else if (hist) {
                        replyFromConsumerPel(r, s, from, cnt, con);
                    } else {
                        replyGroupRange(c, r, e, s, from, cnt, groups[kk], con, na);
                    }
                });
                if (groups[k] != null) {
                    ks.changed(c.db, e.key);
                }
            }
        }
        if (served > 0) {
            if (r.protocol() == 2) {
                r.array(served);
            } else {
                r.map(served);
            }
            for (Runnable x : replies) {
                x.run();
            }
            return;
        }
        if (timeout != -1) {
            if (!engine.canBlock(c)) {
                r.nullArray();
                return;
            }
            List<byte[]> keys = new ArrayList<>(streamsCount);
            for (int k = 0; k < streamsCount; k++) {
                keys.add(a.bytes(streamsArg + k));
            }
            long deadline = timeout == 0 ? 0 : ks.now() + timeout;
            engine.block(c, keys, deadline, blockedArgs(a, xreadgroup, groupIdx, noack, count, timeout,
                streamsArg, streamsCount, ids, dollar));
            return;
        }
        r.nullArray();
    }

    /** The read as it is re-run when a key it waits on gets data: {@code $} resolved, a default COUNT. */
    private static Args blockedArgs(Args a, boolean xreadgroup, int groupIdx, boolean noack, long count, long timeout,
                                    int streamsArg, int streamsCount, StreamId[] ids, boolean[] dollar) {
        List<byte[]> out = new ArrayList<>();
        out.add(a(xreadgroup ? "XREADGROUP" : "XREAD"));
        if (groupIdx >= 0) {
            out.add(a("GROUP"));
            out.add(a.bytes(groupIdx));
            out.add(a.bytes(groupIdx + 1));
        }
        if (noack) {
            out.add(a("NOACK"));
        }
        out.add(a("COUNT"));
        out.add(num(count == 0 ? BLOCKED_DEFAULT_COUNT : count));
        out.add(a("BLOCK"));
        out.add(num(timeout));
        out.add(a("STREAMS"));
        for (int k = 0; k < streamsCount; k++) {
            out.add(a.bytes(streamsArg + k));
        }
        for (int k = 0; k < streamsCount; k++) {
            out.add(dollar[k] ? ids[k].bytes() : a.bytes(streamsArg + streamsCount + k));
        }
        return Args.of(out.toArray(new byte[0][]));
    }

    /** Redis' streamReplyWithRange with a group: new entries move into the PEL (unless NOACK). */
    private void replyGroupRange(Client c, ReplySink r, Entry e, StreamValue s, StreamId from, long count, Group g,
                                 Consumer con, boolean noack) {
        int n = from == null ? 0 : s.count(from, StreamId.MAX, false, count);
        r.array(n);
        boolean propagateLastId = false;
        long now = ks.now();
        StreamValue.Cursor it = n == 0 ? null : s.range(from, StreamId.MAX, false);
        for (int i = 0; i < n && it.next(); i++) {
            StreamId id = it.id();
            if (id.compareTo(g.lastId) > 0) {
                if (g.entriesRead != -1 && !s.rangeHasTombstones(id, null)) {
                    g.entriesRead++;
                } else if (s.entriesAdded != 0) {
                    g.entriesRead = s.estimateDistanceFromFirst(id);
                }
                g.lastId = id;
                if (noack) {
                    propagateLastId = true;
                }
            }
            replyEntry(r, id, it.fieldsAndValues());
            if (!noack) {
                Nack nack = g.pel.get(id);
                if (nack == null) {
                    nack = new Nack(con, now, 1);
                    g.pel.put(id, nack);
                } else {
                    nack.consumer.pel.remove(id);
                    nack.consumer = con;
                    nack.deliveryTime = now;
                    nack.deliveryCount = 1;
                }
                con.pel.put(id, nack);
                propagateXclaim(e.key, g, id.bytes(), nack);
            }
        }
        if (propagateLastId) {
            propagateGroupId(e.key, g);
        }
    }

    /** Redis' streamReplyWithRangeFromConsumerPEL: the consumer's own pending entries from {@code from}. */
    private void replyFromConsumerPel(ReplySink r, StreamValue s, StreamId from, long count, Consumer con) {
        NavigableMap<StreamId, Nack> m = from == null ? java.util.Collections.emptyNavigableMap()
            : con.pel.tailMap(from, true);
        int n = sizeUpTo(m, count);
        r.array(n);
        long now = ks.now();
        Iterator<Map.Entry<StreamId, Nack>> it = m.entrySet().iterator();
        for (int i = 0; i < n; i++) {
            Map.Entry<StreamId, Nack> en = it.next();
            byte[][] fv = s.get(en.getKey());
            if (fv == null) {
                r.array(2);
                replyId(r, en.getKey());
                r.nullArray();
            } else {
                replyEntry(r, en.getKey(), fv);
                en.getValue().deliveryTime = now;
                en.getValue().deliveryCount++;
            }
        }
    }

    // ---- XGROUP ----

    private void xgroup(Client c, Args a, ReplySink r) {
        String opt = a.str(1).toLowerCase(java.util.Locale.ROOT);
        boolean mkstream = false;
        long entriesRead = -1;
        if (opt.equals("create") || opt.equals("setid")) {
            for (int i = 5; i < a.argc(); ) {
                if (opt.equals("create") && a.is(i, MKSTREAM)) {
                    mkstream = true;
                    i++;
                } else if (a.is(i, ENTRIESREAD) && i + 1 < a.argc()) {
                    Long v = llOrReply(a, i + 1, null, r);
                    if (v == null) {
                        return;
                    }
                    if (v < 0 && v != -1) {
                        r.error("ERR value for ENTRIESREAD must be positive or -1");
                        return;
                    }
                    entriesRead = v;
                    i += 2;
                } else {
                    r.error(Errors.unknownSubcommandOrArity(a.str(1), "XGROUP"));
                    return;
                }
            }
        }
        Entry e = write(c, a, 2);
        if (e != null && !isStreamOrReply(e, r)) {
            return;
        }
        StreamValue s = e == null ? null : (StreamValue) e.value();
        byte[] name = a.bytes(3);
        if (!mkstream && s == null) {
            r.error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use "
                + "the MKSTREAM option to create an empty stream automatically.");
            return;
        }
        Group g = s == null ? null : s.groups.get(name);
        if (g == null && (opt.equals("setid") || opt.equals("createconsumer") || opt.equals("delconsumer"))) {
            r.error("NOGROUP No such consumer group '" + s(name) + "' for key name '" + a.str(2) + "'");
            return;
        }
        switch (opt) {
            case "create": {
                if (a.argc() > 8) {
                    r.error(Errors.unknownSubcommandOrArity(a.str(1), "XGROUP"));
                    return;
                }
                StreamId id;
                if (a.str(4).equals("$")) {
                    id = s == null ? StreamId.ZERO : s.lastId;
                } else if ((id = strictIdOrReply(a, 4, r)) == null) {
                    return;
                }
                if (s == null) {
                    s = new StreamValue();
                    e = ks.add(c.db, a.bytes(2), s);
                }
                if (s.groups.containsKey(name)) {
                    r.error(BUSYGROUP);
                    return;
                }
                s.groups.put(name, new Group(name, id, entriesRead));
                r.ok();
                ks.changed(c.db, e.key);
                notify(c, "xgroup-create", e.key);
                return;
            }
            case "setid": {
                if (a.argc() != 5 && a.argc() != 7) {
                    r.error(Errors.unknownSubcommandOrArity(a.str(1), "XGROUP"));
                    return;
                }
                StreamId id;
                if (a.str(4).equals("$")) {
                    id = s.lastId;
                } else {
                    ParsedId p = parseId(a.str(4), 0, false, false, r);
                    if (p == null) {
                        return;
                    }
                    id = p.id;
                }
                g.lastId = id;
                g.entriesRead = entriesRead;
                r.ok();
                ks.changed(c.db, e.key);
                notify(c, "xgroup-setid", e.key);
                return;
            }
            case "destroy":
                if (g == null) {
                    r.integer(0);
                    return;
                }
                s.groups.remove(name);
                r.integer(1);
                ks.changed(c.db, e.key);
                notify(c, "xgroup-destroy", e.key);
                engine.signalKeyAsReady(c.db, e.key);
                return;
            case "createconsumer": {
                byte[] cn = a.bytes(4);
                if (g.consumers.containsKey(cn)) {
                    r.integer(0);
                    return;
                }
                createConsumer(c, e, g, cn);
                r.integer(1);
                return;
            }
            default: { // delconsumer
                Consumer con = g.consumers.get(a.bytes(4));
                long pending = 0;
                if (con != null) {
                    pending = con.pel.size();
                    for (StreamId id : con.pel.keySet()) {
                        g.pel.remove(id);
                    }
                    g.consumers.remove(con.name);
                    ks.changed(c.db, e.key);
                    notify(c, "xgroup-delconsumer", e.key);
                }
                r.integer(pending);
            }
        }
    }

    // ---- XACK / XPENDING / XCLAIM / XAUTOCLAIM ----

    private void xack(Client c, Args a, ReplySink r) {
        Entry e = write(c, a, 1);
        Group g = null;
        if (e != null) {
            if (!isStreamOrReply(e, r)) {
                return;
            }
            g = ((StreamValue) e.value()).groups.get(a.bytes(2));
        }
        StreamId[] ids = new StreamId[a.argc() - 3];
        for (int j = 3; j < a.argc(); j++) {
            if ((ids[j - 3] = strictIdOrReply(a, j, r)) == null) {
                return;
            }
        }
        if (g == null) {
            r.integer(0);
            return;
        }
        int acked = 0;
        for (StreamId id : ids) {
            Nack n = g.pel.remove(id);
            if (n != null) {
                n.consumer.pel.remove(id);
                acked++;
            }
        }
        if (acked > 0) {
            ks.changed(c.db, e.key);
        }
        r.integer(acked);
    }

    private void xpending(Client c, Args a, ReplySink r) {
        boolean justinfo = a.argc() == 3;
        if (a.argc() != 3 && (a.argc() < 6 || a.argc() > 9)) {
            r.error(Errors.SYNTAX);
            return;
        }
        StreamId start = null;
        StreamId end = null;
        long count = 0;
        long minidle = 0;
        byte[] consumerName = null;
        if (a.argc() >= 6) {
            int si = 3;
            if (a.is(3, IDLE)) {
                Long v = llOrReply(a, 4, null, r);
                if (v == null) {
                    return;
                }
                minidle = v;
                if (a.argc() < 8) {
                    r.error(Errors.SYNTAX);
                    return;
                }
                si += 2;
            }
            Long cnt = llOrReply(a, si + 2, null, r);
            if (cnt == null) {
                return;
            }
            count = Math.max(0, cnt);
            boolean[] ex = new boolean[1];
            if ((start = intervalIdOrReply(a, si, 0, ex, r)) == null) {
                return;
            }
            if (ex[0] && (start = start.next()) == null) {
                r.error("ERR invalid start ID for the interval");
                return;
            }
            if ((end = intervalIdOrReply(a, si + 1, -1L, ex, r)) == null) {
                return;
            }
            if (ex[0] && (end = end.prev()) == null) {
                r.error("ERR invalid end ID for the interval");
                return;
            }
            if (si + 3 < a.argc()) {
                consumerName = a.bytes(si + 3);
            }
        }
        Entry e = read(c, a, 1);
        if (e != null && !isStreamOrReply(e, r)) {
            return;
        }
        Group g = e == null ? null : ((StreamValue) e.value()).groups.get(a.bytes(2));
        if (g == null) {
            r.error("NOGROUP No such key '" + a.str(1) + "' or consumer group '" + a.str(2) + "'");
            return;
        }
        if (justinfo) {
            r.array(4);
            r.integer(g.pel.size());
            if (g.pel.isEmpty()) {
                r.nullBulk();
                r.nullBulk();
                r.nullArray();
                return;
            }
            replyId(r, g.pel.firstKey());
            replyId(r, g.pel.lastKey());
            int n = 0;
            for (Consumer con : g.consumers.values()) {
                if (!con.pel.isEmpty()) {
                    n++;
                }
            }
            r.array(n);
            for (Consumer con : g.consumers.values()) {
                if (!con.pel.isEmpty()) {
                    r.array(2);
                    bulk(r, con.name);
                    r.bulk(Long.toString(con.pel.size()));
                }
            }
            return;
        }
        NavigableMap<StreamId, Nack> pel;
        if (consumerName != null) {
            Consumer con = g.consumers.get(consumerName);
            if (con == null) {
                r.array(0);
                return;
            }
            pel = con.pel;
        } else {
            pel = g.pel;
        }
        long now = ks.now();
        List<Map.Entry<StreamId, Nack>> out = new ArrayList<>();
        if (start.compareTo(end) <= 0) {
            for (Map.Entry<StreamId, Nack> en : pel.subMap(start, true, end, true).entrySet()) {
                if (count == 0) {
                    break;
                }
                if (minidle != 0 && now - en.getValue().deliveryTime < minidle) {
                    continue;
                }
                out.add(en);
                count--;
            }
        }
        r.array(out.size());
        for (Map.Entry<StreamId, Nack> en : out) {
            Nack n = en.getValue();
            r.array(4);
            replyId(r, en.getKey());
            bulk(r, n.consumer.name);
            r.integer(Math.max(0, now - n.deliveryTime));
            r.integer(n.deliveryCount);
        }
    }

    private void xclaim(Client c, Args a, ReplySink r) {
        Entry e = write(c, a, 1);
        Group g = null;
        if (e != null) {
            if (!isStreamOrReply(e, r)) {
                return;
            }
            g = ((StreamValue) e.value()).groups.get(a.bytes(2));
        }
        if (g == null) {
            r.error("NOGROUP No such key '" + a.str(1) + "' or consumer group '" + a.str(2) + "'");
            return;
        }
        Long minidleArg = llOrReply(a, 4, "Invalid min-idle-time argument for XCLAIM", r);
        if (minidleArg == null) {
            return;
        }
        long minidle = Math.max(0, minidleArg);
        int j = 5;
        for (; j < a.argc(); j++) {
            if (parseId(a.str(j), 0, true, false, null) == null) {
                break;
            }
        }
        int lastIdArg = j - 1;
        long now = ks.now();
        long retrycount = -1;
        long deliverytime = -1;
        boolean force = false;
        boolean justid = false;
        StreamId lastId = StreamId.ZERO;
        for (; j < a.argc(); j++) {
            int moreargs = a.argc() - 1 - j;
            if (a.is(j, FORCE)) {
                force = true;
            } else if (a.is(j, JUSTID)) {
                justid = true;
            } else if (a.is(j, IDLE) && moreargs > 0) {
                j++;
                Long v = llOrReply(a, j, "Invalid IDLE option argument for XCLAIM", r);
                if (v == null) {
                    return;
                }
                deliverytime = now - v;
            } else if (a.is(j, TIME) && moreargs > 0) {
                j++;
                Long v = llOrReply(a, j, "Invalid TIME option argument for XCLAIM", r);
                if (v == null) {
                    return;
                }
                deliverytime = v;
            } else if (a.is(j, RETRYCOUNT) && moreargs > 0) {
                j++;
                Long v = llOrReply(a, j, "Invalid RETRYCOUNT option argument for XCLAIM", r);
                if (v == null) {
                    return;
                }
                retrycount = v;
            } else if (a.is(j, LASTID) && moreargs > 0) {
                j++;
                if ((lastId = strictIdOrReply(a, j, r)) == null) {
                    return;
                }
            } else {
                r.error("ERR Unrecognized XCLAIM option '" + a.str(j) + "'");
                return;
            }
        }
        suppress();
        boolean propagateLastId = false;
        if (lastId.compareTo(g.lastId) > 0) {
            g.lastId = lastId;
            propagateLastId = true;
            ks.changed(c.db, e.key);
        }
        if (deliverytime != -1) {
            if (deliverytime < 0 || deliverytime > now) {
                deliverytime = now;
            }
        } else {
            deliverytime = now;
        }
        StreamValue s = (StreamValue) e.value();
        Consumer consumer = null;
        List<Runnable> replies = new ArrayList<>();
        for (int k = 5; k <= lastIdArg; k++) {
            StreamId id = parseId(a.str(k), 0, true, false, null).id;
            Nack nack = g.pel.get(id);
            byte[][] fv = s.get(id);
            if (fv == null) {
                if (nack != null) {
                    propagateXclaim(e.key, g, a.bytes(k), nack);
                    propagateLastId = false;
                    ks.changed(c.db, e.key);
                    g.pel.remove(id);
                    nack.consumer.pel.remove(id);
                }
                continue;
            }
            if (force && nack == null) {
                nack = new Nack(null, now, 0);
                g.pel.put(id, nack);
            }
            if (nack == null) {
                continue;
            }
            if (nack.consumer != null && minidle != 0 && now - nack.deliveryTime < minidle) {
                continue;
            }
            if (consumer == null) {
                consumer = claimant(c, e, g, a.bytes(3), now);
            }
            transfer(id, nack, consumer);
            nack.deliveryTime = deliverytime;
            if (retrycount >= 0) {
                nack.deliveryCount = retrycount;
            } else if (!justid) {
                nack.deliveryCount++;
            }
            final boolean jid = justid;
            replies.add(() -> {
                if (jid) {
                    replyId(r, id);
                } else {
                    replyEntry(r, id, fv);
                }
            });
            propagateXclaim(e.key, g, a.bytes(k), nack);
            propagateLastId = false;
            ks.changed(c.db, e.key);
        }
        if (propagateLastId) {
            propagateGroupId(e.key, g);
        }
        r.array(replies.size());
        for (Runnable x : replies) {
            x.run();
        }
    }

    private void xautoclaim(Client c, Args a, ReplySink r) {
        Long minidleArg = llOrReply(a, 4, "Invalid min-idle-time argument for XAUTOCLAIM", r);
        if (minidleArg == null) {
            return;
        }
        long minidle = Math.max(0, minidleArg);
        boolean[] ex = new boolean[1];
        StreamId start = intervalIdOrReply(a, 5, 0, ex, r);
        if (start == null) {
            return;
        }
        if (ex[0] && (start = start.next()) == null) {
            r.error("ERR invalid start ID for the interval");
            return;
        }
        long count = 100;
        boolean justid = false;
        for (int j = 6; j < a.argc(); j++) {
            int moreargs = a.argc() - 1 - j;
            if (a.is(j, COUNT) && moreargs > 0) {
                long max = Long.MAX_VALUE / 16;
                if (!a.isLong(j + 1) || a.longAt(j + 1) < 1 || a.longAt(j + 1) > max) {
                    r.error("ERR COUNT must be > 0");
                    return;
                }
                count = a.longAt(j + 1);
                j++;
            } else if (a.is(j, JUSTID)) {
                justid = true;
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        Entry e = write(c, a, 1);
        Group g = null;
        if (e != null) {
            if (!isStreamOrReply(e, r)) {
                return;
            }
            g = ((StreamValue) e.value()).groups.get(a.bytes(2));
        }
        if (g == null) {
            r.error("NOGROUP No such key '" + a.str(1) + "' or consumer group '" + a.str(2) + "'");
            return;
        }
        suppress();
        StreamValue s = (StreamValue) e.value();
        long attempts = count * 10;
        long now = ks.now();
        Consumer consumer = null;
        List<StreamId> deleted = new ArrayList<>();
        List<StreamId> claimed = new ArrayList<>();
        StreamId cur = start;
        boolean eof = false;
        while (attempts-- > 0 && count > 0) {
            StreamId id = cur == null ? null : g.pel.ceilingKey(cur);
            if (id == null) {
                eof = true;
                break;
            }
            cur = id.next();
            Nack nack = g.pel.get(id);
            if (!s.contains(id)) {
                propagateXclaim(e.key, g, id.bytes(), nack);
                ks.changed(c.db, e.key);
                g.pel.remove(id);
                nack.consumer.pel.remove(id);
                deleted.add(id);
                count--;
                continue;
            }
            if (minidle != 0 && now - nack.deliveryTime < minidle) {
                continue;
            }
            if (consumer == null) {
                consumer = claimant(c, e, g, a.bytes(3), now);
            }
            transfer(id, nack, consumer);
            nack.deliveryTime = now;
            if (!justid) {
                nack.deliveryCount++;
            }
            claimed.add(id);
            count--;
            propagateXclaim(e.key, g, id.bytes(), nack);
            ks.changed(c.db, e.key);
        }
        StreamId next = eof || cur == null ? null : g.pel.ceilingKey(cur);
        r.array(3);
        replyId(r, next == null ? StreamId.ZERO : next);
        r.array(claimed.size());
        for (StreamId id : claimed) {
            if (justid) {
                replyId(r, id);
            } else {
                replyEntry(r, id, s.get(id));
            }
        }
        r.array(deleted.size());
        for (StreamId id : deleted) {
            replyId(r, id);
        }
    }

    // ---- XSETID / XINFO ----

    private void xsetid(Client c, Args a, ReplySink r) {
        StreamId id = strictIdOrReply(a, 2, r);
        if (id == null) {
            return;
        }
        long entriesAdded = -1;
        StreamId maxXdel = StreamId.ZERO;
        for (int i = 3; i < a.argc(); i += 2) {
            int moreargs = a.argc() - 1 - i;
            if (a.is(i, ENTRIESADDED) && moreargs > 0) {
                Long v = llOrReply(a, i + 1, null, r);
                if (v == null) {
                    return;
                }
                if (v < 0) {
                    r.error("ERR entries_added must be positive");
                    return;
                }
                entriesAdded = v;
            } else if (a.is(i, MAXDELETEDID) && moreargs > 0) {
                if ((maxXdel = strictIdOrReply(a, i + 1, r)) == null) {
                    return;
                }
                if (id.compareTo(maxXdel) < 0) {
                    r.error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                    return;
                }
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        Entry e = write(c, a, 1);
        if (e == null) {
            r.error(Errors.NO_SUCH_KEY);
            return;
        }
        if (!isStreamOrReply(e, r)) {
            return;
        }
        StreamValue s = (StreamValue) e.value();
        if (s.length() > 0) {
            if (id.compareTo(s.lastValidId()) < 0) {
                r.error("ERR The ID specified in XSETID is smaller than the target stream top item");
                return;
            }
            if (entriesAdded != -1 && s.length() > entriesAdded) {
                r.error("ERR The entries_added specified in XSETID is smaller than the target stream length");
                return;
            }
        }
        s.lastId = id;
        if (entriesAdded != -1) {
            s.entriesAdded = entriesAdded;
        }
        if (!maxXdel.isZero()) {
            s.maxDeletedId = maxXdel;
        }
        r.ok();
        ks.changed(c.db, e.key);
        notify(c, "xsetid", e.key);
    }

    private void xinfo(Client c, Args a, ReplySink r) {
        String opt = a.str(1).toLowerCase(java.util.Locale.ROOT);
        Entry e = read(c, a, 2);
        if (e == null) {
            r.error(Errors.NO_SUCH_KEY);
            return;
        }
        if (!isStreamOrReply(e, r)) {
            return;
        }
        StreamValue s = (StreamValue) e.value();
        long now = ks.now();
        if (opt.equals("consumers")) {
            Group g = s.groups.get(a.bytes(3));
            if (g == null) {
                r.error("NOGROUP No such consumer group '" + a.str(3) + "' for key name '" + a.str(2) + "'");
                return;
            }
            r.array(g.consumers.size());
            for (Consumer con : g.consumers.values()) {
                r.map(3);
                r.bulk("name");
                bulk(r, con.name);
                r.bulk("pending");
                r.integer(con.pel.size());
                r.bulk("idle");
                r.integer(Math.max(0, now - con.seenTime));
            }
        } else if (opt.equals("groups")) {
            r.array(s.groups.size());
            for (Group g : s.groups.values()) {
                r.map(6);
                r.bulk("name");
                bulk(r, g.name);
                r.bulk("consumers");
                r.integer(g.consumers.size());
                r.bulk("pending");
                r.integer(g.pel.size());
                r.bulk("last-delivered-id");
                replyId(r, g.lastId);
                r.bulk("entries-read");
                replyNullableLong(r, g.entriesRead == -1 ? null : g.entriesRead);
                r.bulk("lag");
                replyNullableLong(r, s.lag(g));
            }
        } else {
            xinfoStream(a, r, s);
        }
    }

    private static void replyNullableLong(ReplySink r, Long v) {
        if (v == null) {
            r.nullBulk();
        } else {
            r.integer(v);
        }
    }

    private static void xinfoStream(Args a, ReplySink r, StreamValue s) {
        boolean full = true;
        long count = 10;
        int optc = a.argc() - 3;
        if (optc == 0) {
            full = false;
        } else {
            if (optc != 1 && optc != 3 || !a.is(3, FULL) || optc == 3 && !a.is(4, COUNT)) {
                r.error(Errors.unknownSubcommandOrArity(a.str(1), "XINFO"));
                return;
            }
            if (optc == 3) {
                Long v = llOrReply(a, 5, null, r);
                if (v == null) {
                    return;
                }
                count = v < 0 ? 10 : v;
            }
        }
        r.map(full ? 9 : 10);
        r.bulk("length");
        r.integer(s.length());
        r.bulk("radix-tree-keys");
        r.integer(s.nodeCount());
        r.bulk("radix-tree-nodes");
        r.integer(raxNodes(s.nodeCount()));
        r.bulk("last-generated-id");
        replyId(r, s.lastId);
        r.bulk("max-deleted-entry-id");
        replyId(r, s.maxDeletedId);
        r.bulk("entries-added");
        r.integer(s.entriesAdded);
        r.bulk("recorded-first-entry-id");
        replyId(r, s.firstId);
        if (!full) {
            r.bulk("groups");
            r.integer(s.groups.size());
            r.bulk("first-entry");
            StreamId first = s.firstEntryId();
            if (first == null) {
                r.nullBulk();
            } else {
                replyEntry(r, first, s.get(first));
            }
            r.bulk("last-entry");
            StreamId last = s.lastEntryId();
            if (last == null) {
                r.nullBulk();
            } else {
                replyEntry(r, last, s.get(last));
            }
            return;
        }
        r.bulk("entries");
        replyRange(r, s, StreamId.ZERO, StreamId.MAX, count, false);
        r.bulk("groups");
        r.array(s.groups.size());
        for (Group g : s.groups.values()) {
            r.map(7);
            r.bulk("name");
            bulk(r, g.name);
            r.bulk("last-delivered-id");
            replyId(r, g.lastId);
            r.bulk("entries-read");
            replyNullableLong(r, g.entriesRead == -1 ? null : g.entriesRead);
            r.bulk("lag");
            replyNullableLong(r, s.lag(g));
            r.bulk("pel-count");
            r.integer(g.pel.size());
            r.bulk("pending");
            int n = (int) (count == 0 ? g.pel.size() : Math.min(count, g.pel.size()));
            r.array(n);
            Iterator<Map.Entry<StreamId, Nack>> it = g.pel.entrySet().iterator();
            for (int i = 0; i < n; i++) {
                Map.Entry<StreamId, Nack> en = it.next();
                r.array(4);
                replyId(r, en.getKey());
                bulk(r, en.getValue().consumer.name);
                r.integer(en.getValue().deliveryTime);
                r.integer(en.getValue().deliveryCount);
            }
            r.bulk("consumers");
            r.array(g.consumers.size());
            for (Consumer con : g.consumers.values()) {
                r.map(4);
                r.bulk("name");
                bulk(r, con.name);
                r.bulk("seen-time");
                r.integer(con.seenTime);
                r.bulk("pel-count");
                r.integer(con.pel.size());
                r.bulk("pending");
                int m = (int) (count == 0 ? con.pel.size() : Math.min(count, con.pel.size()));
                r.array(m);
                Iterator<Map.Entry<StreamId, Nack>> ci = con.pel.entrySet().iterator();
                for (int i = 0; i < m; i++) {
                    Map.Entry<StreamId, Nack> en = ci.next();
                    r.array(3);
                    replyId(r, en.getKey());
                    r.integer(en.getValue().deliveryTime);
                    r.integer(en.getValue().deliveryCount);
                }
            }
        }
    }

    /**
     * Redis reports its rax's internal node count, which depends on how the 16-byte node keys
     * share prefixes; this is the count for keys that differ in their last bytes only (the common
     * case of nodes created close together): a root, one compressed prefix node, one leaf per key.
     */
    private static long raxNodes(int keys) {
        return keys == 0 ? 1 : keys == 1 ? 2 : keys + 2;
    }
}
