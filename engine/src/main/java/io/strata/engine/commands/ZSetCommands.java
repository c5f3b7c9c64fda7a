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
import io.strata.engine.types.SetValue;
import io.strata.engine.types.ZSetValue;
import io.strata.engine.types.ZSetValue.LexRange;
import io.strata.engine.types.ZSetValue.Node;
import io.strata.engine.types.ZSetValue.ScoreRange;
import io.strata.engine.util.Bytes;
import io.strata.engine.util.Glob;
import io.strata.engine.util.Numbers;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.strata.engine.command.CommandFlag.BLOCKING;
import static io.strata.engine.command.CommandFlag.DENYOOM;
import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.NOSCRIPT;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.WRITE;

/**
 * Sorted-set commands (Redis' t_zset.c). The ZADD family shares {@link #zaddCore} (GEOADD uses
 * it too), every range reader shares {@link #zrangeGeneric}, the set algebra shares
 * {@link #setOperation}, and every pop shares {@link #popCore}.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class ZSetCommands extends CommandGroup {
    static final int Z_NX = 1;
    static final int Z_XX = 2;
    static final int Z_GT = 4;
    static final int Z_LT = 8;
    static final int Z_CH = 16;
    static final int Z_INCR = 32;

    static final String ERR_NAN = "ERR resulting score is not a number (NaN)";
    static final String ERR_SCORE_RANGE = "ERR min or max is not a float";
    static final String ERR_LEX_RANGE = "ERR min or max not valid string range item";

    private static final byte[] NX = Bytes.ascii("nx");
    private static final byte[] XX = Bytes.ascii("xx");
    private static final byte[] GT = Bytes.ascii("gt");
    private static final byte[] LT = Bytes.ascii("lt");
    private static final byte[] CH = Bytes.ascii("ch");
    private static final byte[] INCR = Bytes.ascii("incr");
    private static final byte[] WITHSCORES = Bytes.ascii("withscores");
    private static final byte[] LIMIT = Bytes.ascii("limit");
    private static final byte[] REV = Bytes.ascii("rev");
    private static final byte[] BYLEX = Bytes.ascii("bylex");
    private static final byte[] BYSCORE = Bytes.ascii("byscore");
    private static final byte[] WEIGHTS = Bytes.ascii("weights");
    private static final byte[] AGGREGATE = Bytes.ascii("aggregate");
    private static final byte[] SUM = Bytes.ascii("sum");
    private static final byte[] MIN = Bytes.ascii("min");
    private static final byte[] MAX = Bytes.ascii("max");
    private static final byte[] COUNT = Bytes.ascii("count");
    private static final byte[] MATCH = Bytes.ascii("match");

    /** Which kind of range a ZRANGE-family command reads. */
    enum RangeType { AUTO, RANK, SCORE, LEX }

    /** Set algebra operation. */
    enum SetOp { UNION, INTER, DIFF }

    private static final int AGG_SUM = 0;
    private static final int AGG_MIN = 1;
    private static final int AGG_MAX = 2;

    private final Random random = new Random();

    public ZSetCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "sorted-set";
        t.add(cmd("zadd", -4, this::zadd).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "1.2.0", "Add one or more members to a sorted set, or update its score if it already exists")
            .complexity("O(log(N)) for each item added, where N is the number of elements in the sorted set."));
        t.add(cmd("zincrby", 4, this::zincrby).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "1.2.0", "Increment the score of a member in a sorted set")
            .complexity("O(log(N)) where N is the number of elements in the sorted set."));
        t.add(cmd("zrem", -3, this::zrem).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "1.2.0", "Remove one or more members from a sorted set")
            .complexity("O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed."));
        t.add(cmd("zcard", 2, this::zcard).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "1.2.0", "Get the number of members in a sorted set").complexity("O(1)"));
        t.add(cmd("zcount", 4, this::zcount).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "2.0.0", "Count the members in a sorted set with scores within the given values")
            .complexity("O(log(N)) with N being the number of elements in the sorted set."));
        t.add(cmd("zlexcount", 4, this::zlexcount).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "2.8.9", "Count the number of members in a sorted set between a given lexicographical range")
            .complexity("O(log(N)) with N being the number of elements in the sorted set."));
        t.add(cmd("zscore", 3, this::zscore).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "1.2.0", "Get the score associated with the given member in a sorted set").complexity("O(1)"));
        t.add(cmd("zmscore", -3, this::zmscore).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "6.2.0", "Get the score associated with the given members in a sorted set")
            .complexity("O(N) where N is the number of members being requested."));
        t.add(cmd("zrank", 3, (c, a, r) -> zrank(c, a, r, false)).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "2.0.0", "Determine the index of a member in a sorted set").complexity("O(log(N))"));
        t.add(cmd("zrevrank", 3, (c, a, r) -> zrank(c, a, r, true)).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "2.0.0", "Determine the index of a member in a sorted set, with scores ordered from high to low")
            .complexity("O(log(N))"));
        t.add(cmd("zrange", -4, (c, a, r) -> zrangeGeneric(c, a, r, 1, null, RangeType.AUTO, false, false))
            .flags(READONLY).keys(1, 1, 1)
            .doc(g, "1.2.0", "Return a range of members in a sorted set")
            .complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned."));
        t.add(cmd("zrangestore", -5, (c, a, r) -> zrangeGeneric(c, a, r, 2, a.bytes(1), RangeType.AUTO, false, false))
            .flags(WRITE, DENYOOM).keys(1, 2, 1)
            .doc(g, "6.2.0", "Store a range of members from sorted set into another key")
            .complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key."));
        t.add(cmd("zrevrange", -4, (c, a, r) -> zrangeGeneric(c, a, r, 1, null, RangeType.RANK, true, true))
            .flags(READONLY).keys(1, 1, 1)
            .doc(g, "1.2.0", "Return a range of members in a sorted set, by index, with scores ordered from high to low")
            .complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned."));
        t.add(cmd("zrangebyscore", -4, (c, a, r) -> zrangeGeneric(c, a, r, 1, null, RangeType.SCORE, false, true))
            .flags(READONLY).keys(1, 1, 1)
            .doc(g, "1.0.5", "Return a range of members in a sorted set, by score")
            .complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."));
        t.add(cmd("zrevrangebyscore", -4, (c, a, r) -> zrangeGeneric(c, a, r, 1, null, RangeType.SCORE, true, true))
            .flags(READONLY).keys(1, 1, 1)
            .doc(g, "2.2.0", "Return a range of members in a sorted set, by score, with scores ordered from high to low")
            .complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."));
        t.add(cmd("zrangebylex", -4, (c, a, r) -> zrangeGeneric(c, a, r, 1, null, RangeType.LEX, false, true))
            .flags(READONLY).keys(1, 1, 1)
            .doc(g, "2.8.9", "Return a range of members in a sorted set, by lexicographical range")
            .complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."));
        t.add(cmd("zrevrangebylex", -4, (c, a, r) -> zrangeGeneric(c, a, r, 1, null, RangeType.LEX, true, true))
            .flags(READONLY).keys(1, 1, 1)
            .doc(g, "2.8.9", "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.")
            .complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."));
        t.add(cmd("zremrangebyrank", 4, (c, a, r) -> zremrange(c, a, r, RangeType.RANK)).flags(WRITE).keys(1, 1, 1)
            .doc(g, "2.0.0", "Remove all members in a sorted set within the given indexes")
            .complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."));
        t.add(cmd("zremrangebyscore", 4, (c, a, r) -> zremrange(c, a, r, RangeType.SCORE)).flags(WRITE).keys(1, 1, 1)
            .doc(g, "1.2.0", "Remove all members in a sorted set within the given scores")
            .complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."));
        t.add(cmd("zremrangebylex", 4, (c, a, r) -> zremrange(c, a, r, RangeType.LEX)).flags(WRITE).keys(1, 1, 1)
            .doc(g, "2.8.9", "Remove all members in a sorted set between the given lexicographical range")
            .complexity("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."));
        t.add(cmd("zpopmin", -2, (c, a, r) -> zpop(c, a, r, false)).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "5.0.0", "Remove and return members with the lowest scores in a sorted set")
            .complexity("O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."));
        t.add(cmd("zpopmax", -2, (c, a, r) -> zpop(c, a, r, true)).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "5.0.0", "Remove and return members with the highest scores in a sorted set")
            .complexity("O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."));
        t.add(cmd("zmpop", -4, (c, a, r) -> zmpop(c, a, r, false)).flags(WRITE).keys(0, 0, 0)
            .movableKeys(numKeysAt(1))
            .doc(g, "7.0.0", "Remove and return members with scores in a sorted set")
            .complexity("O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."));
        t.add(cmd("bzpopmin", -3, (c, a, r) -> bzpop(c, a, r, false)).flags(WRITE, NOSCRIPT, BLOCKING, FAST).keys(1, -2, 1)
            .doc(g, "5.0.0", "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available")
            .complexity("O(log(N)) with N being the number of elements in the sorted set."));
        t.add(cmd("bzpopmax", -3, (c, a, r) -> bzpop(c, a, r, true)).flags(WRITE, NOSCRIPT, BLOCKING, FAST).keys(1, -2, 1)
            .doc(g, "5.0.0", "Remove and return the member with the highest score from one or more sorted sets, or block until one is available")
            .complexity("O(log(N)) with N being the number of elements in the sorted set."));
        t.add(cmd("bzmpop", -5, (c, a, r) -> zmpop(c, a, r, true)).flags(WRITE, BLOCKING).keys(0, 0, 0)
            .movableKeys(numKeysAt(2))
            .doc(g, "7.0.0", "Remove and return members with scores in a sorted set or block until one is available")
            .complexity("O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."));
        t.add(cmd("zrandmember", -2, this::zrandmember).flags(READONLY).keys(1, 1, 1)
            .doc(g, "6.2.0", "Get one or multiple random elements from a sorted set")
            .complexity("O(N) where N is the number of elements returned"));
        t.add(cmd("zunion", -3, (c, a, r) -> setOperation(c, a, r, SetOp.UNION, null)).flags(READONLY).keys(0, 0, 0)
            .movableKeys(numKeysAt(1))
            .doc(g, "6.2.0", "Add multiple sorted sets")
            .complexity("O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set."));
        t.add(cmd("zinter", -3, (c, a, r) -> setOperation(c, a, r, SetOp.INTER, null)).flags(READONLY).keys(0, 0, 0)
            .movableKeys(numKeysAt(1))
            .doc(g, "6.2.0", "Intersect multiple sorted sets")
            .complexity("O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."));
        t.add(cmd("zdiff", -3, (c, a, r) -> setOperation(c, a, r, SetOp.DIFF, null)).flags(READONLY).keys(0, 0, 0)
            .movableKeys(numKeysAt(1))
            .doc(g, "6.2.0", "Subtract multiple sorted sets")
            .complexity("O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."));
        t.add(cmd("zunionstore", -4, (c, a, r) -> setOperation(c, a, r, SetOp.UNION, a.bytes(1)))
            .flags(WRITE, DENYOOM).keys(1, 1, 1).movableKeys(destAndNumKeys())
            .doc(g, "2.0.0", "Add multiple sorted sets and store the resulting sorted set in a new key")
            .complexity("O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set."));
        t.add(cmd("zinterstore", -4, (c, a, r) -> setOperation(c, a, r, SetOp.INTER, a.bytes(1)))
            .flags(WRITE, DENYOOM).keys(1, 1, 1).movableKeys(destAndNumKeys())
            .doc(g, "2.0.0", "Intersect multiple sorted sets and store the resulting sorted set in a new key")
            .complexity("O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."));
        t.add(cmd("zdiffstore", -4, (c, a, r) -> setOperation(c, a, r, SetOp.DIFF, a.bytes(1)))
            .flags(WRITE, DENYOOM).keys(1, 1, 1).movableKeys(destAndNumKeys())
            .doc(g, "6.2.0", "Subtract multiple sorted sets and store the resulting sorted set in a new key")
            .complexity("O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."));
        t.add(cmd("zintercard", -3, this::zintercard).flags(READONLY).keys(0, 0, 0).movableKeys(numKeysAt(1))
            .doc(g, "7.0.0", "Intersect multiple sorted sets and return the cardinality of the result")
            .complexity("O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets."));
        t.add(cmd("zscan", -3, this::zscan).flags(READONLY).keys(1, 1, 1)
            .doc(g, "2.8.0", "Incrementally iterate sorted sets elements and associated scores")
            .complexity("O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.."));
    }

    // ---- key specs ----

    /** Keys after a numkeys argument at {@code numIdx} (ZUNION, ZMPOP, BZMPOP…). */
    static KeySpec numKeysAt(int numIdx) {
        return a -> {
            List<Integer> out = new ArrayList<>();
            if (numIdx < a.argc() && a.isLong(numIdx)) {
                long n = a.longAt(numIdx);
                for (int i = 0; i < n && numIdx + 1 + i < a.argc(); i++) {
                    out.add(numIdx + 1 + i);
                }
            }
            return out;
        };
    }

    /** ZUNIONSTORE-style: destination at 1, numkeys at 2, then the source keys. */
    static KeySpec destAndNumKeys() {
        KeySpec src = numKeysAt(2);
        return a -> {
            List<Integer> out = new ArrayList<>();
            out.add(1);
            out.addAll(src.keys(a));
            return out;
        };
    }

    // ---- shared helpers ----

    private long maxEntries() {
        return engine.config.zsetMaxListpackEntries;
    }

    private long maxValue() {
        return engine.config.zsetMaxListpackValue;
    }

    /** The zset in {@code e}, or null (with WRONGTYPE written) when it holds another type. */
    static ZSetValue zsetOrReply(Entry e, ReplySink r) {
        if (e.value() instanceof ZSetValue) {
            return (ZSetValue) e.value();
        }
        r.error(Errors.WRONGTYPE);
        return null;
    }

    /** Adds a new member, converting the encoding first when it would pass a listpack limit. */
    void addNew(ZSetValue z, byte[] member, double score) {
        z.convertIfNeeded(z.size() + 1, member.length, maxEntries(), maxValue());
        z.insert(member, score);
    }

    /** Deletes the key when its zset became empty, with Redis' "del" event; true if it did. */
    boolean deleteIfEmpty(Client c, Entry e) {
        if (((ZSetValue) e.value()).size() == 0) {
            ks.delete(c.db, e);
            engine.notifier.notify(Notifier.GENERIC, "del", c.db, e.key);
            return true;
        }
        return false;
    }

    /**
     * Stores a *STORE result: replaces the destination (dropping its TTL) with Redis' event, or
     * deletes it when the result is empty. Replies with the result size.
     */
    void storeResult(Client c, byte[] dst, ZSetValue z, String event, ReplySink r) {
        if (z.size() > 0) {
            ks.set(c.db, dst, z, false);
            engine.notifier.notify(Notifier.ZSET, event, c.db, dst);
            engine.signalKeyAsReady(c.db, dst);
            r.integer(z.size());
        } else {
            r.integer(0);
            if (ks.delete(c.db, dst, 0, dst.length)) {
                engine.notifier.notify(Notifier.GENERIC, "del", c.db, dst);
            }
        }
    }

    /** Redis' zslParseRange: "(" makes a bound exclusive; null when either bound is invalid. */
    static ScoreRange parseScoreRange(Args a, int minIdx, int maxIdx) {
        double[] v = new double[2];
        boolean[] ex = new boolean[2];
        int[] idx = {minIdx, maxIdx};
        for (int k = 0; k < 2; k++) {
            byte[] b = a.buf();
            int off = a.off(idx[k]);
            int len = a.len(idx[k]);
            if (len > 0 && b[off] == '(') {
                ex[k] = true;
                off++;
                len--;
            }
            v[k] = Numbers.parseDouble(b, off, len);
            if (Double.isNaN(v[k])) {
                return null;
            }
        }
        return new ScoreRange(v[0], ex[0], v[1], ex[1]);
    }

    /** Redis' zslParseLexRange: "[" inclusive, "(" exclusive, "-" and "+" infinite; null when invalid. */
    static LexRange parseLexRange(Args a, int minIdx, int maxIdx) {
        Object[] bound = new Object[2];
        boolean[] ex = new boolean[2];
        int[] inf = new int[2];
        int[] idx = {minIdx, maxIdx};
        for (int k = 0; k < 2; k++) {
            int len = a.len(idx[k]);
            if (len == 0) {
                return null;
            }
            byte first = a.buf()[a.off(idx[k])];
            if (first == '+' && len == 1) {
                inf[k] = 1;
            } else if (first == '-' && len == 1) {
                inf[k] = -1;
            } else if (first == '(' || first == '[') {
                ex[k] = first == '(';
                bound[k] = Arrays.copyOfRange(a.buf(), a.off(idx[k]) + 1, a.off(idx[k]) + len);
            } else {
                return null;
            }
        }
        return new LexRange((byte[]) bound[0], ex[0], inf[0], (byte[]) bound[1], ex[1], inf[1]);
    }

    /** Writes elements as Redis does: flat in RESP2, [member, score] pairs in RESP3 when with scores. */
    static void replyElements(ReplySink r, List<Node> nodes, boolean withScores) {
        if (withScores && r.protocol() == 3) {
            r.array(nodes.size());
            for (Node n : nodes) {
                r.array(2);
                r.bulk(n.member);
                r.dbl(n.score);
            }
        } else {
            r.array(withScores ? nodes.size() * 2 : nodes.size());
            for (Node n : nodes) {
                r.bulk(n.member);
                if (withScores) {
                    r.dbl(n.score);
                }
            }
        }
    }

    // ---- ZADD / ZINCRBY ----

    private void zadd(Client c, Args a, ReplySink r) {
        int flags = 0;
        int i = 2;
        for (; i < a.argc(); i++) {
            if (a.is(i, NX)) {
                flags |= Z_NX;
            } else if (a.is(i, XX)) {
                flags |= Z_XX;
            } else if (a.is(i, GT)) {
                flags |= Z_GT;
            } else if (a.is(i, LT)) {
                flags |= Z_LT;
            } else if (a.is(i, CH)) {
                flags |= Z_CH;
            } else if (a.is(i, INCR)) {
                flags |= Z_INCR;
            } else {
                break;
            }
        }
        int elements = a.argc() - i;
        if (elements == 0 || elements % 2 != 0) {
            r.error(Errors.SYNTAX);
            return;
        }
        elements /= 2;
        if (!flagsCompatibleOrReply(flags, elements, r)) {
            return;
        }
        double[] scores = new double[elements];
        byte[][] members = new byte[elements][];
        for (int j = 0; j < elements; j++) {
            scores[j] = doubleOrReply(a, i + 2 * j, r);
            if (Double.isNaN(scores[j])) {
                return;
            }
            members[j] = a.bytes(i + 2 * j + 1);
        }
        zaddCore(c, a.bytes(1), flags, scores, members, r);
    }

    /** Redis' ZADD option-conflict checks; writes the error and returns false on a conflict. */
    static boolean flagsCompatibleOrReply(int flags, int elements, ReplySink r) {
        if ((flags & Z_NX) != 0 && (flags & Z_XX) != 0) {
            r.error("ERR XX and NX options at the same time are not compatible");
            return false;
        }
        int gtLtNx = Integer.bitCount(flags & (Z_GT | Z_LT | Z_NX));
        if (gtLtNx > 1) {
            r.error("ERR GT, LT, and/or NX options at the same time are not compatible");
            return false;
        }
        if ((flags & Z_INCR) != 0 && elements > 1) {
            r.error("ERR INCR option supports a single increment-element pair");
            return false;
        }
        return true;
    }

    private void zincrby(Client c, Args a, ReplySink r) {
        double incr = doubleOrReply(a, 2, r);
        if (Double.isNaN(incr)) {
            return;
        }
        zaddCore(c, a.bytes(1), Z_INCR, new double[]{incr}, new byte[][]{a.bytes(3)}, r);
    }

    /**
     * The one ZADD path (ZADD, ZINCRBY, GEOADD): flags already validated, scores parsed.
     * Replies with the added (or added+changed with CH) count, or the new score with INCR.
     */
    void zaddCore(Client c, byte[] key, int flags, double[] scores, byte[][] members, ReplySink r) {
        Entry e = ks.lookupWrite(c.db, key, 0, key.length);
        ZSetValue z;
        if (e == null) {
            if ((flags & Z_XX) != 0) {
                replyZadd(flags, 0, 0, false, 0, r);
                return;
            }
            z = ZSetValue.create(1, members[0].length, maxEntries(), maxValue());
            e = ks.add(c.db, key, z);
        } else {
            z = zsetOrReply(e, r);
            if (z == null) {
                return;
            }
        }
        boolean incr = (flags & Z_INCR) != 0;
        long added = 0;
        long updated = 0;
        boolean processed = false;
        double score = 0;
        String error = null;
        for (int j = 0; j < members.length; j++) {
            score = scores[j];
            Node n = z.node(members[j]);
            if (n != null) {
                if ((flags & Z_NX) != 0) {
                    continue;
                }
                double cur = n.score;
                if (incr) {
                    score += cur;
                    if (Double.isNaN(score)) {
                        error = ERR_NAN;
                        break;
                    }
                }
                if (((flags & Z_LT) != 0 && score >= cur) || ((flags & Z_GT) != 0 && score <= cur)) {
                    continue;
                }
                processed = true;
                if (score != cur) {
                    updated++;
                    score = z.updateScore(n, score).score;
                }
            } else {
                if ((flags & Z_XX) != 0) {
                    continue;
                }
                addNew(z, members[j], score);
                score = z.node(members[j]).score;
                added++;
                processed = true;
            }
        }
        if (error != null) {
            r.error(error);
        } else {
            replyZadd(flags, added, updated, processed, score, r);
        }
        if (added > 0 || updated > 0) {
            ks.changed(c.db, key);
            engine.notifier.notify(Notifier.ZSET, incr ? "zincr" : "zadd", c.db, key);
            if (added > 0) {
                engine.signalKeyAsReady(c.db, key);
            }
        }
        if (z.size() == 0) {
            ks.delete(c.db, e); // created for an INCR that failed: Redis leaves no empty key either
        }
    }

    private static void replyZadd(int flags, long added, long updated, boolean processed, double score, ReplySink r) {
        if ((flags & Z_INCR) != 0) {
            if (processed) {
                r.dbl(score);
            } else {
                r.nullBulk();
            }
        } else {
            r.integer((flags & Z_CH) != 0 ? added + updated : added);
        }
    }

    // ---- simple readers and ZREM ----

    private void zrem(Client c, Args a, ReplySink r) {
        Entry e = write(c, a, 1);
        if (e == null) {
            r.integer(0);
            return;
        }
        ZSetValue z = zsetOrReply(e, r);
        if (z == null) {
            return;
        }
        long deleted = 0;
        for (int i = 2; i < a.argc() && z.size() > 0; i++) {
            if (z.remove(a.bytes(i))) {
                deleted++;
            }
        }
        if (deleted > 0) {
            ks.changed(c.db, e.key);
            engine.notifier.notify(Notifier.ZSET, "zrem", c.db, e.key);
            deleteIfEmpty(c, e);
        }
        r.integer(deleted);
    }

    private void zcard(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.integer(0);
            return;
        }
        ZSetValue z = zsetOrReply(e, r);
        if (z != null) {
            r.integer(z.size());
        }
    }

    private void zcount(Client c, Args a, ReplySink r) {
        ScoreRange range = parseScoreRange(a, 2, 3);
        if (range == null) {
            r.error(ERR_SCORE_RANGE);
            return;
        }
        Entry e = read(c, a, 1);
        if (e == null) {
            r.integer(0);
            return;
        }
        ZSetValue z = zsetOrReply(e, r);
        if (z != null) {
            r.integer(z.count(range));
        }
    }

    private void zlexcount(Client c, Args a, ReplySink r) {
        LexRange range = parseLexRange(a, 2, 3);
        if (range == null) {
            r.error(ERR_LEX_RANGE);
            return;
        }
        Entry e = read(c, a, 1);
        if (e == null) {
            r.integer(0);
            return;
        }
        ZSetValue z = zsetOrReply(e, r);
        if (z != null) {
            r.integer(z.count(range));
        }
    }

    private void zscore(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.nullBulk();
            return;
        }
        ZSetValue z = zsetOrReply(e, r);
        if (z == null) {
            return;
        }
        Node n = z.node(a.buf(), a.off(2), a.len(2));
        if (n == null) {
            r.nullBulk();
        } else {
            r.dbl(n.score);
        }
    }

    private void zmscore(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        ZSetValue z = null;
        if (e != null) {
            z = zsetOrReply(e, r);
            if (z == null) {
                return;
            }
        }
        r.array(a.argc() - 2);
        for (int i = 2; i < a.argc(); i++) {
            Node n = z == null ? null : z.node(a.buf(), a.off(i), a.len(i));
            if (n == null) {
                r.nullBulk();
            } else {
                r.dbl(n.score);
            }
        }
    }

    private void zrank(Client c, Args a, ReplySink r, boolean rev) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.nullBulk();
            return;
        }
        ZSetValue z = zsetOrReply(e, r);
        if (z == null) {
            return;
        }
        Node n = z.node(a.buf(), a.off(2), a.len(2));
        if (n == null) {
            r.nullBulk();
            return;
        }
        long rank = z.rank(n);
        r.integer(rev ? z.size() - 1 - rank : rank);
    }

    // ---- ZRANGE family ----

    /**
     * Redis' zrangeGenericCommand: {@code argStart} is the index of the source key; with a
     * {@code dst} the result is stored (ZRANGESTORE). {@code fixed} marks the old commands
     * (ZRANGEBYSCORE…) whose range type and direction come from the name, not from options.
     */
    private void zrangeGeneric(Client c, Args a, ReplySink r, int argStart, byte[] dst, RangeType type,
                               boolean rev, boolean fixed) {
        int minIdx = argStart + 1;
        int maxIdx = argStart + 2;
        boolean withScores = false;
        long offset = 0;
        long limit = -1;
        boolean revSet = fixed;
        for (int j = argStart + 3; j < a.argc(); j++) {
            int left = a.argc() - j - 1;
            if (dst == null && a.is(j, WITHSCORES)) {
                withScores = true;
            } else if (a.is(j, LIMIT) && left >= 2) {
                Long o = longOrReply(a, j + 1, r);
                if (o == null) {
                    return;
                }
                Long l = longOrReply(a, j + 2, r);
                if (l == null) {
                    return;
                }
                offset = o;
                limit = l;
                j += 2;
            } else if (!revSet && a.is(j, REV)) {
                rev = true;
                revSet = true;
            } else if (type == RangeType.AUTO && a.is(j, BYLEX)) {
                type = RangeType.LEX;
            } else if (type == RangeType.AUTO && a.is(j, BYSCORE)) {
                type = RangeType.SCORE;
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        if (type == RangeType.AUTO) {
            type = RangeType.RANK;
        }
        if (limit != -1 && type == RangeType.RANK) {
            r.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
            return;
        }
        if (withScores && type == RangeType.LEX) {
            r.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
            return;
        }
        if (rev && type != RangeType.RANK) {
            int t = minIdx;
            minIdx = maxIdx;
            maxIdx = t;
        }
        long start = 0;
        long end = 0;
        ScoreRange sr = null;
        LexRange lr = null;
        switch (type) {
            case SCORE:
                sr = parseScoreRange(a, minIdx, maxIdx);
                if (sr == null) {
                    r.error(ERR_SCORE_RANGE);
                    return;
                }
                break;
            case LEX:
                lr = parseLexRange(a, minIdx, maxIdx);
                if (lr == null) {
                    r.error(ERR_LEX_RANGE);
                    return;
                }
                break;
            default:
                Long s = longOrReply(a, minIdx, r);
                if (s == null) {
                    return;
                }
                Long en = longOrReply(a, maxIdx, r);
                if (en == null) {
                    return;
                }
                start = s;
                end = en;
        }
        Entry e = dst != null ? write(c, a, argStart) : read(c, a, argStart);
        List<Node> out = new ArrayList<>();
        if (e != null) {
            ZSetValue z = zsetOrReply(e, r);
            if (z == null) {
                return;
            }
            switch (type) {
                case SCORE:
                    collectScoreRange(z, sr, rev, offset, limit, out);
                    break;
                case LEX:
                    collectLexRange(z, lr, rev, offset, limit, out);
                    break;
                default:
                    collectRankRange(z, start, end, rev, out);
            }
        }
        if (dst == null) {
            replyElements(r, out, withScores);
            return;
        }
        ZSetValue result = ZSetValue.create(out.size(), 0, maxEntries(), maxValue());
        for (Node n : out) {
            addNew(result, n.member.clone(), n.score);
        }
        storeResult(c, dst, result, "zrangestore", r);
    }

    static void collectRankRange(ZSetValue z, long start, long end, boolean rev, List<Node> out) {
        long len = z.size();
        if (start < 0) {
            start += len;
        }
        if (end < 0) {
            end += len;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > end || start >= len) {
            return;
        }
        if (end >= len) {
            end = len - 1;
        }
        long n = end - start + 1;
        Node x = z.byRank(rev ? len - 1 - start : start);
        for (long k = 0; k < n && x != null; k++) {
            out.add(x);
            x = rev ? x.prev() : x.next();
        }
    }

    static void collectScoreRange(ZSetValue z, ScoreRange range, boolean rev, long offset, long limit, List<Node> out) {
        if (offset > 0 && offset >= z.size()) {
            return;
        }
        Node x = rev ? z.lastInRange(range) : z.firstInRange(range);
        while (x != null && offset-- != 0) {
            x = rev ? x.prev() : x.next();
        }
        while (x != null && limit-- != 0) {
            if (!(rev ? range.gteMin(x.score) : range.lteMax(x.score))) {
                break;
            }
            out.add(x);
            x = rev ? x.prev() : x.next();
        }
    }

    static void collectLexRange(ZSetValue z, LexRange range, boolean rev, long offset, long limit, List<Node> out) {
        if (offset > 0 && offset >= z.size()) {
            return;
        }
        Node x = rev ? z.lastInLex(range) : z.firstInLex(range);
        while (x != null && offset-- != 0) {
            x = rev ? x.prev() : x.next();
        }
        while (x != null && limit-- != 0) {
            // as Redis: only the far bound is checked while walking (members of unequal scores
            // need not be sorted, and Redis' walk defines the answer)
            if (rev ? !range.gteMin(x.member) : !range.lteMax(x.member)) {
                break;
            }
            out.add(x);
            x = rev ? x.prev() : x.next();
        }
    }

    // ---- ZREMRANGEBY* ----

    private void zremrange(Client c, Args a, ReplySink r, RangeType type) {
        long start = 0;
        long end = 0;
        ScoreRange sr = null;
        LexRange lr = null;
        String event;
        if (type == RangeType.RANK) {
            Long s = longOrReply(a, 2, r);
            if (s == null) {
                return;
            }
            Long en = longOrReply(a, 3, r);
            if (en == null) {
                return;
            }
            start = s;
            end = en;
            event = "zremrangebyrank";
        } else if (type == RangeType.SCORE) {
            sr = parseScoreRange(a, 2, 3);
            if (sr == null) {
                r.error(ERR_SCORE_RANGE);
                return;
            }
            event = "zremrangebyscore";
        } else {
            lr = parseLexRange(a, 2, 3);
            if (lr == null) {
                r.error(ERR_LEX_RANGE);
                return;
            }
            event = "zremrangebylex";
        }
        Entry e = write(c, a, 1);
        if (e == null) {
            r.integer(0);
            return;
        }
        ZSetValue z = zsetOrReply(e, r);
        if (z == null) {
            return;
        }
        long deleted;
        if (type == RangeType.RANK) {
            long len = z.size();
            if (start < 0) {
                start += len;
            }
            if (end < 0) {
                end += len;
            }
            if (start < 0) {
                start = 0;
            }
            if (start > end || start >= len) {
                r.integer(0);
                return;
            }
            if (end >= len) {
                end = len - 1;
            }
            deleted = z.removeRankRange(start, end);
        } else if (type == RangeType.SCORE) {
            deleted = z.removeRange(sr);
        } else {
            deleted = z.removeRange(lr);
        }
        if (deleted > 0) {
            ks.changed(c.db, e.key);
            engine.notifier.notify(Notifier.ZSET, event, c.db, e.key);
            deleteIfEmpty(c, e);
        }
        r.integer(deleted);
    }

    // ---- pops ----

    private void zpop(Client c, Args a, ReplySink r, boolean max) {
        if (a.argc() > 3) {
            r.error(Errors.SYNTAX);
            return;
        }
        long count = -1;
        if (a.argc() == 3) {
            if (!a.isLong(2) || a.longAt(2) < 0) {
                r.error("ERR value is out of range, must be positive");
                return;
            }
            count = a.longAt(2);
        }
        Entry e = write(c, a, 1);
        if (e == null) {
            r.array(0);
            return;
        }
        ZSetValue z = zsetOrReply(e, r);
        if (z == null) {
            return;
        }
        if (count == 0) {
            r.array(0);
            return;
        }
        popCore(c, e, max, count == -1 ? 1 : count, false, r.protocol() == 3 && count != -1, r);
    }

    /**
     * Redis' genericZpopCommand once a non-empty zset was found: pops up to {@code count}
     * elements and replies in one of the four shapes Redis uses (flat, nested pairs, with the
     * key first for BZPOP*, key plus nested pairs for [B]ZMPOP).
     */
    void popCore(Client c, Entry e, boolean max, long count, boolean emitKey, boolean nested, ReplySink r) {
        ZSetValue z = (ZSetValue) e.value();
        int n = (int) Math.min(count, z.size());
        if (!nested && !emitKey) {
            r.array(n * 2);
        } else if (nested && !emitKey) {
            r.array(n);
        } else if (!nested) {
            r.array(n * 2 + 1);
            r.bulk(e.key);
        } else {
            r.array(2);
            r.bulk(e.key);
            r.array(n);
        }
        for (long k = 0; k < n; k++) {
            Node x = max ? z.last() : z.first();
            if (nested) {
                r.array(2);
            }
            r.bulk(x.member);
            r.dbl(x.score);
            z.remove(x.member);
        }
        ks.changed(c.db, e.key);
        engine.notifier.notify(Notifier.ZSET, max ? "zpopmax" : "zpopmin", c.db, e.key);
        deleteIfEmpty(c, e);
    }

    /** Parses a blocking timeout in seconds (decimals allowed) into an absolute deadline; -1 on error. */
    long deadlineOrReply(Args a, int i, ReplySink r) {
        double secs = Numbers.parseDouble(a.buf(), a.off(i), a.len(i));
        if (Double.isNaN(secs) || Double.isInfinite(secs)) {
            r.error(Errors.TIMEOUT_NOT_FLOAT);
            return -1;
        }
        long ms = (long) (secs * 1000.0);
        if (ms < 0) {
            r.error(Errors.TIMEOUT_NEGATIVE);
            return -1;
        }
        if (ms == 0) {
            return 0;
        }
        if (ms > Long.MAX_VALUE - ks.now()) {
            r.error("ERR timeout is out of range");
            return -1;
        }
        return ks.now() + ms;
    }

    private void bzpop(Client c, Args a, ReplySink r, boolean max) {
        long deadline = deadlineOrReply(a, a.argc() - 1, r);
        if (deadline < 0) {
            return;
        }
        if (popFirstOrReply(c, a, r, 1, a.argc() - 1, max, 1, false)) {
            return;
        }
        if (!engine.canBlock(c)) {
            r.nullArray();
            return;
        }
        engine.block(c, keyList(a, 1, a.argc() - 1), deadline);
    }

    /**
     * The pop of BZPOPMIN/BZPOPMAX/[B]ZMPOP over keys {@code from..to-1}: pops from the first
     * that holds a zset and returns true, or writes WRONGTYPE for another type and returns true,
     * or returns false when all are missing. Re-run for a blocked client, the key that woke it is
     * tried first and keys of other types are passed over: Redis 7.0 serves a waiter from the
     * signalled key, and only when it holds a zset.
     */
    private boolean popFirstOrReply(Client c, Args a, ReplySink r, int from, int to, boolean max, long count,
                                    boolean nested) {
        boolean rerun = c.isBlocked();
        byte[] wokenBy = rerun ? engine.wokenBy() : null;
        int woken = -1;
        for (int i = from; wokenBy != null && i < to; i++) {
            if (Bytes.equals(wokenBy, a.buf(), a.off(i), a.len(i))) {
                woken = i;
                break;
            }
        }
        if (woken >= 0 && popFromOrReply(c, a, r, woken, max, count, nested, true)) {
            return true;
        }
        for (int i = from; i < to; i++) {
            if (i != woken && popFromOrReply(c, a, r, i, max, count, nested, rerun)) {
                return true;
            }
        }
        return false;
    }

    /** One key of {@link #popFirstOrReply}: true when it replied (popped, or WRONGTYPE unless {@code rerun}). */
    private boolean popFromOrReply(Client c, Args a, ReplySink r, int i, boolean max, long count, boolean nested,
                                   boolean rerun) {
        Entry e = write(c, a, i);
        if (e == null) {
            return false;
        }
        if (!(e.value() instanceof ZSetValue)) {
            if (rerun) {
                return false;
            }
            r.error(Errors.WRONGTYPE);
            return true;
        }
        popCore(c, e, max, count, true, nested, r);
        return true;
    }

    private static List<byte[]> keyList(Args a, int from, int to) {
        List<byte[]> keys = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            keys.add(a.bytes(i));
        }
        return keys;
    }

    private void zmpop(Client c, Args a, ReplySink r, boolean blocking) {
        int numIdx = 1;
        long deadline = 0;
        if (blocking) {
            deadline = deadlineOrReply(a, 1, r);
            if (deadline < 0) {
                return;
            }
            numIdx = 2;
        }
        if (!a.isLong(numIdx) || a.longAt(numIdx) < 1) {
            r.error("ERR numkeys should be greater than 0");
            return;
        }
        long numKeys = a.longAt(numIdx);
        long whereIdx = numIdx + numKeys + 1;
        if (whereIdx >= a.argc()) {
            r.error(Errors.SYNTAX);
            return;
        }
        int w = (int) whereIdx;
        boolean max;
        if (a.is(w, MIN)) {
            max = false;
        } else if (a.is(w, MAX)) {
            max = true;
        } else {
            r.error(Errors.SYNTAX);
            return;
        }
        long count = -1;
        for (int j = w + 1; j < a.argc(); j++) {
            boolean more = j < a.argc() - 1;
            if (count == -1 && a.is(j, COUNT) && more) {
                j++;
                if (!a.isLong(j) || a.longAt(j) < 1) {
                    r.error("ERR count should be greater than 0");
                    return;
                }
                count = a.longAt(j);
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        if (count == -1) {
            count = 1;
        }
        if (popFirstOrReply(c, a, r, numIdx + 1, w, max, count, true)) {
            return;
        }
        if (!blocking || !engine.canBlock(c)) {
            r.nullArray();
            return;
        }
        engine.block(c, keyList(a, numIdx + 1, w), deadline);
    }

    // ---- ZRANDMEMBER ----

    private void zrandmember(Client c, Args a, ReplySink r) {
        if (a.argc() >= 3) {
            Long count = longOrReply(a, 2, r);
            if (count == null) {
                return;
            }
            if (count == Long.MIN_VALUE) {
                r.error("ERR value is out of range, must be between -9223372036854775807 and 9223372036854775807");
                return;
            }
            boolean withScores = false;
            if (a.argc() > 4 || (a.argc() == 4 && !a.is(3, WITHSCORES))) {
                r.error(Errors.SYNTAX);
                return;
            } else if (a.argc() == 4) {
                withScores = true;
                if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
                    r.error("ERR value is out of range");
                    return;
                }
            }
            zrandmemberWithCount(c, a, r, count, withScores);
            return;
        }
        Entry e = read(c, a, 1);
        if (e == null) {
            r.nullBulk();
            return;
        }
        ZSetValue z = zsetOrReply(e, r);
        if (z != null) {
            r.bulk(z.byRank(random.nextInt((int) Math.min(Integer.MAX_VALUE, z.size()))).member);
        }
    }

    private void zrandmemberWithCount(Client c, Args a, ReplySink r, long count, boolean withScores) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.array(0);
            return;
        }
        ZSetValue z = zsetOrReply(e, r);
        if (z == null) {
            return;
        }
        if (count == 0) {
            r.array(0);
            return;
        }
        int size = (int) z.size();
        List<Node> out = new ArrayList<>();
        if (count < 0) {
            // repetitions allowed: independent random picks
            for (long k = 0; k < -count; k++) {
                out.add(z.byRank(random.nextInt(size)));
            }
        } else if (count >= size) {
            for (Node x = z.first(); x != null; x = x.next()) {
                out.add(x);
            }
        } else {
            // distinct elements: a partial Fisher-Yates shuffle of the ranks
            int[] ranks = new int[size];
            for (int k = 0; k < size; k++) {
                ranks[k] = k;
            }
            for (int k = 0; k < count; k++) {
                int j = k + random.nextInt(size - k);
                int t = ranks[k];
                ranks[k] = ranks[j];
                ranks[j] = t;
                out.add(z.byRank(ranks[k]));
            }
        }
        replyElements(r, out, withScores);
    }

    // ---- ZUNION / ZINTER / ZDIFF (+STORE) / ZINTERCARD ----

    /** Redis' zunionInterDiffGenericCommand. {@code dst} is null for the non-STORE variants. */
    private void setOperation(Client c, Args a, ReplySink r, SetOp op, byte[] dst) {
        int numIdx = dst == null ? 1 : 2;
        Long num = longOrReply(a, numIdx, r);
        if (num == null) {
            return;
        }
        String name = a.str(0).toLowerCase(java.util.Locale.ROOT);
        if (num < 1) {
            r.error("ERR at least 1 input key is needed for '" + name + "' command");
            return;
        }
        if (num > a.argc() - numIdx - 1) {
            r.error(Errors.SYNTAX);
            return;
        }
        int n = num.intValue();
        ZSetValue[] src = new ZSetValue[n];
        for (int i = 0; i < n; i++) {
            Entry e = dst != null ? write(c, a, numIdx + 1 + i) : read(c, a, numIdx + 1 + i);
            if (e != null) {
                src[i] = algebraInputOrReply(e, r);
                if (src[i] == null) {
                    return;
                }
            }
        }
        double[] weights = new double[n];
        Arrays.fill(weights, 1.0);
        int aggregate = AGG_SUM;
        boolean withScores = false;
        int j = numIdx + 1 + n;
        while (j < a.argc()) {
            int remaining = a.argc() - j;
            if (op != SetOp.DIFF && remaining >= n + 1 && a.is(j, WEIGHTS)) {
                j++;
                for (int i = 0; i < n; i++, j++) {
                    weights[i] = a.doubleAt(j);
                    if (Double.isNaN(weights[i])) {
                        r.error("ERR weight value is not a float");
                        return;
                    }
                }
            } else if (op != SetOp.DIFF && remaining >= 2 && a.is(j, AGGREGATE)) {
                j++;
                if (a.is(j, SUM)) {
                    aggregate = AGG_SUM;
                } else if (a.is(j, MIN)) {
                    aggregate = AGG_MIN;
                } else if (a.is(j, MAX)) {
                    aggregate = AGG_MAX;
                } else {
                    r.error(Errors.SYNTAX);
                    return;
                }
                j++;
            } else if (dst == null && a.is(j, WITHSCORES)) {
                j++;
                withScores = true;
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        ZSetValue result = compute(op, src, weights, aggregate);
        if (dst != null) {
            result.convertToListpackIfNeeded(result.maxMemberLength(), maxEntries(), maxValue());
            String event = op == SetOp.UNION ? "zunionstore" : op == SetOp.INTER ? "zinterstore" : "zdiffstore";
            storeResult(c, dst, result, event, r);
            return;
        }
        List<Node> out = new ArrayList<>();
        for (Node x = result.first(); x != null; x = x.next()) {
            out.add(x);
        }
        replyElements(r, out, withScores);
    }

    /**
     * An input of the set algebra: a zset as it is, or a plain set as a zset whose members all
     * score 1.0, as Redis' zsetopsrc accepts both. Null, with WRONGTYPE written, for other types.
     */
    static ZSetValue algebraInputOrReply(Entry e, ReplySink r) {
        if (e.value() instanceof ZSetValue) {
            return (ZSetValue) e.value();
        }
        if (e.value() instanceof SetValue) {
            ZSetValue z = new ZSetValue(false);
            ((SetValue) e.value()).forEach(m -> z.insert(m, 1.0));
            return z;
        }
        r.error(Errors.WRONGTYPE);
        return null;
    }

    private static double aggregate(int how, double acc, double v) {
        switch (how) {
            case AGG_MIN:
                return Math.min(acc, v);
            case AGG_MAX:
                return Math.max(acc, v);
            default:
                double s = acc + v;
                return Double.isNaN(s) ? 0.0 : s; // inf + -inf
        }
    }

    private static double weighted(double w, double score) {
        double s = w * score;
        return Double.isNaN(s) ? 0.0 : s; // 0 * inf
    }

    /** The result of a set operation as a new skiplist-encoded zset (the caller picks the encoding). */
    static ZSetValue compute(SetOp op, ZSetValue[] src, double[] weights, int agg) {
        ZSetValue result = new ZSetValue(false);
        int n = src.length;
        if (op == SetOp.DIFF) {
            ZSetValue first = src[0];
            if (first == null) {
                return result;
            }
            for (Node x = first.first(); x != null; x = x.next()) {
                boolean found = false;
                for (int i = 1; i < n && !found; i++) {
                    found = src[i] != null && src[i].node(x.member) != null;
                }
                if (!found) {
                    result.insert(x.member.clone(), x.score);
                }
            }
            return result;
        }
        // order the inputs by size, smallest first, as Redis does
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Long.compare(src[x] == null ? 0 : src[x].size(), src[y] == null ? 0 : src[y].size()));
        if (op == SetOp.INTER) {
            ZSetValue s0 = src[order[0]];
            if (s0 == null || s0.size() == 0) {
                return result;
            }
            for (Node x = s0.first(); x != null; x = x.next()) {
                double score = weighted(weights[order[0]], x.score);
                boolean all = true;
                for (int k = 1; k < n; k++) {
                    ZSetValue s = src[order[k]];
                    Node y = s == null ? null : s.node(x.member);
                    if (y == null) {
                        all = false;
                        break;
                    }
                    score = aggregate(agg, score, weighted(weights[order[k]], y.score));
                }
                if (all) {
                    result.insert(x.member.clone(), score);
                }
            }
            return result;
        }
        Map<ByteBuffer, double[]> acc = new HashMap<>();
        List<byte[]> members = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            ZSetValue s = src[order[k]];
            if (s == null) {
                continue;
            }
            for (Node x = s.first(); x != null; x = x.next()) {
                double score = weighted(weights[order[k]], x.score);
                ByteBuffer key = ByteBuffer.wrap(x.member);
                double[] cur = acc.get(key);
                if (cur == null) {
                    acc.put(key, new double[]{score});
                    members.add(x.member);
                } else {
                    cur[0] = aggregate(agg, cur[0], score);
                }
            }
        }
        for (byte[] m : members) {
            result.insert(m.clone(), acc.get(ByteBuffer.wrap(m))[0]);
        }
        return result;
    }

    private void zintercard(Client c, Args a, ReplySink r) {
        Long num = longOrReply(a, 1, r);
        if (num == null) {
            return;
        }
        if (num < 1) {
            r.error("ERR at least 1 input key is needed for 'zintercard' command");
            return;
        }
        if (num > a.argc() - 2) {
            r.error(Errors.SYNTAX);
            return;
        }
        int n = num.intValue();
        long limit = 0;
        for (int j = 2 + n; j < a.argc(); j++) {
            if (a.is(j, LIMIT) && j + 1 < a.argc()) {
                j++;
                if (!a.isLong(j) || a.longAt(j) < 0) {
                    r.error("ERR LIMIT can't be negative");
                    return;
                }
                limit = a.longAt(j);
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        ZSetValue[] src = new ZSetValue[n];
        for (int i = 0; i < n; i++) {
            Entry e = read(c, a, 2 + i);
            if (e != null) {
                src[i] = algebraInputOrReply(e, r);
                if (src[i] == null) {
                    return;
                }
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            if (src[i] == null) {
                r.integer(0);
                return;
            }
        }
        Arrays.sort(order, (x, y) -> Long.compare(src[x].size(), src[y].size()));
        long card = 0;
        for (Node x = src[order[0]].first(); x != null; x = x.next()) {
            boolean all = true;
            for (int k = 1; k < n && all; k++) {
                all = src[order[k]].node(x.member) != null;
            }
            if (all) {
                card++;
                if (limit > 0 && card >= limit) {
                    break;
                }
            }
        }
        r.integer(card);
    }

    // ---- ZSCAN ----

    /** Redis' d2string, how a listpack stores a score: integral values without exponent, -0 as 0. */
    static String listpackScore(double d) {
        if (!Double.isInfinite(d) && d >= (double) (-Long.MAX_VALUE / 2) && d <= (double) (Long.MAX_VALUE / 2)
            && d == (long) d) {
            return Long.toString((long) d);
        }
        return Numbers.formatDouble(d);
    }

    private void zscan(Client c, Args a, ReplySink r) {
        if (!Numbers.isLong(a.buf(), a.off(2), a.len(2)) && !isUnsignedCursor(a, 2)) {
            r.error("ERR invalid cursor");
            return;
        }
        long cursor = isUnsignedCursor(a, 2) ? Long.parseUnsignedLong(a.str(2)) : a.longAt(2);
        long count = 10;
        byte[] pattern = null;
        for (int i = 3; i < a.argc(); i += 2) {
            if (a.is(i, COUNT) && i + 1 < a.argc()) {
                Long n = longOrReply(a, i + 1, r);
                if (n == null) {
                    return;
                }
                if (n < 1) {
                    r.error(Errors.SYNTAX);
                    return;
                }
                count = n;
            } else if (a.is(i, MATCH) && i + 1 < a.argc()) {
                pattern = a.bytes(i + 1);
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        Entry e = read(c, a, 1);
        if (e == null) {
            r.array(2);
            r.bulk("0");
            r.array(0);
            return;
        }
        ZSetValue z = zsetOrReply(e, r);
        if (z == null) {
            return;
        }
        List<Node> page = new ArrayList<>();
        long next;
        if (z.isListpack()) {
            // a listpack is returned whole in one call, as Redis does
            for (Node x = z.first(); x != null; x = x.next()) {
                page.add(x);
            }
            next = 0;
        } else {
            Node x = cursor >= 0 ? z.byRank(cursor) : null;
            long k = 0;
            for (; x != null && k < count; k++, x = x.next()) {
                page.add(x);
            }
            next = x == null ? 0 : cursor + k;
        }
        List<Node> kept = new ArrayList<>();
        for (Node x : page) {
            if (pattern == null || Glob.match(pattern, x.member, false)) {
                kept.add(x);
            }
        }
        r.array(2);
        r.bulk(Long.toUnsignedString(next));
        r.array(kept.size() * 2);
        for (Node x : kept) {
            r.bulk(x.member);
            r.bulk(z.isListpack() ? listpackScore(x.score) : Numbers.formatDouble(x.score));
        }
    }

    private static boolean isUnsignedCursor(Args a, int i) {
        String s = a.str(i);
        if (s.isEmpty() || s.length() > 20) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            if (s.charAt(k) < '0' || s.charAt(k) > '9') {
                return false;
            }
        }
        try {
            Long.parseUnsignedLong(s);
            return true;
        } catch (NumberFormatException ex) {
            return false;
        }
    }
}
