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
import io.strata.engine.types.ListValue;
import io.strata.engine.util.Bytes;

import java.util.ArrayList;
import java.util.List;

import static io.strata.engine.command.CommandFlag.BLOCKING;
import static io.strata.engine.command.CommandFlag.DENYOOM;
import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.NOSCRIPT;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.WRITE;

/**
 * List commands (Redis' t_list.c), blocking ones included. Every push or insert signals the key
 * ready for blocked clients; a list that loses its last element is deleted ("del" event), as
 * Redis 7.0 does. The blocking commands block through {@link Engine#block}: when a key is
 * signalled the engine re-runs the same command, which then finds the data.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class ListCommands extends CommandGroup {
    private static final byte[] LEFT = Bytes.ascii("left");
    private static final byte[] RIGHT = Bytes.ascii("right");
    private static final byte[] BEFORE = Bytes.ascii("before");
    private static final byte[] AFTER = Bytes.ascii("after");
    private static final byte[] RANK = Bytes.ascii("rank");
    private static final byte[] COUNT = Bytes.ascii("count");
    private static final byte[] MAXLEN = Bytes.ascii("maxlen");

    /** A C hex float (strtold accepts it, so Redis' timeouts do). */
    private static final java.util.regex.Pattern HEX_FLOAT =
        java.util.regex.Pattern.compile("[+-]?0[xX](\\p{XDigit}+\\.?\\p{XDigit}*|\\.\\p{XDigit}+)([pP][+-]?[0-9]+)?");

    /** Sentinels of {@link #whereOrReply}. */
    private static final int HEAD = 0;
    private static final int TAIL = 1;
    private static final int BAD = -1;

    public ListCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "list";
        t.add(cmd("lpush", -3, (c, a, r) -> push(c, a, r, true, false)).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Prepend one or multiple elements to a list"));
        t.add(cmd("rpush", -3, (c, a, r) -> push(c, a, r, false, false)).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Append one or multiple elements to a list"));
        t.add(cmd("lpushx", -3, (c, a, r) -> push(c, a, r, true, true)).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "2.2.0", "Prepend an element to a list, only if the list exists"));
        t.add(cmd("rpushx", -3, (c, a, r) -> push(c, a, r, false, true)).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "2.2.0", "Append an element to a list, only if the list exists"));
        t.add(cmd("lpop", -2, (c, a, r) -> pop(c, a, r, true)).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Remove and get the first elements in a list"));
        t.add(cmd("rpop", -2, (c, a, r) -> pop(c, a, r, false)).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Remove and get the last elements in a list"));
        t.add(cmd("llen", 2, this::llen).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Get the length of a list"));
        t.add(cmd("lrange", 4, this::lrange).flags(READONLY).keys(1, 1, 1)
            .doc(g, "1.0.0", "Get a range of elements from a list"));
        t.add(cmd("lindex", 3, this::lindex).flags(READONLY).keys(1, 1, 1)
            .doc(g, "1.0.0", "Get an element from a list by its index"));
        t.add(cmd("lset", 4, this::lset).flags(WRITE, DENYOOM).keys(1, 1, 1)
            .doc(g, "1.0.0", "Set the value of an element in a list by its index"));
        t.add(cmd("linsert", 5, this::linsert).flags(WRITE, DENYOOM).keys(1, 1, 1)
            .doc(g, "2.2.0", "Insert an element before or after another element in a list"));
        t.add(cmd("lrem", 4, this::lrem).flags(WRITE).keys(1, 1, 1)
            .doc(g, "1.0.0", "Remove elements from a list"));
        t.add(cmd("ltrim", 4, this::ltrim).flags(WRITE).keys(1, 1, 1)
            .doc(g, "1.0.0", "Trim a list to the specified range"));
        t.add(cmd("lpos", -3, this::lpos).flags(READONLY).keys(1, 1, 1)
            .doc(g, "6.0.6", "Return the index of matching elements on a list"));
        t.add(cmd("rpoplpush", 3, (c, a, r) -> move(c, a, r, false, true)).flags(WRITE, DENYOOM).keys(1, 2, 1)
            .doc(g, "1.2.0", "Remove the last element in a list, prepend it to another list and return it"));
        t.add(cmd("lmove", 5, this::lmove).flags(WRITE, DENYOOM).keys(1, 2, 1)
            .doc(g, "6.2.0", "Pop an element from a list, push it to another list and return it"));
        t.add(cmd("lmpop", -4, this::lmpop).flags(WRITE).movableKeys(numkeysAt(1))
            .doc(g, "7.0.0", "Pop elements from a list"));
        t.add(cmd("blpop", -3, (c, a, r) -> bpop(c, a, r, true)).flags(WRITE, NOSCRIPT, BLOCKING).keys(1, -2, 1)
            .doc(g, "2.0.0", "Remove and get the first element in a list, or block until one is available"));
        t.add(cmd("brpop", -3, (c, a, r) -> bpop(c, a, r, false)).flags(WRITE, NOSCRIPT, BLOCKING).keys(1, -2, 1)
            .doc(g, "2.0.0", "Remove and get the last element in a list, or block until one is available"));
        t.add(cmd("brpoplpush", 4, this::brpoplpush).flags(WRITE, DENYOOM, NOSCRIPT, BLOCKING).keys(1, 2, 1)
            .doc(g, "2.2.0", "Pop an element from a list, push it to another list and return it; or block until one is available"));
        t.add(cmd("blmove", 6, this::blmove).flags(WRITE, DENYOOM, NOSCRIPT, BLOCKING).keys(1, 2, 1)
            .doc(g, "6.2.0", "Pop an element from a list, push it to another list and return it; or block until one is available"));
        t.add(cmd("blmpop", -5, this::blmpop).flags(WRITE, BLOCKING).movableKeys(numkeysAt(2))
            .doc(g, "7.0.0", "Pop elements from a list, or block until one is available"));
    }

    /** Keys of [B]LMPOP: {@code numkeys} at {@code idx}, the keys right after it. */
    private static KeySpec numkeysAt(int idx) {
        return a -> {
            List<Integer> out = new ArrayList<>();
            if (idx >= a.argc() || !a.isLong(idx)) {
                return out;
            }
            long n = a.longAt(idx);
            for (int i = idx + 1; i <= idx + n && i < a.argc(); i++) {
                out.add(i);
            }
            return out;
        };
    }

    // ---- helpers ----

    private ListValue newList() {
        return new ListValue(engine.config.listMaxListpackSize);
    }

    /** True when {@code e} holds a list; otherwise writes WRONGTYPE and returns false. */
    private static boolean isListOrReply(Entry e, ReplySink r) {
        if (e.value() instanceof ListValue) {
            return true;
        }
        r.error(Errors.WRONGTYPE);
        return false;
    }

    /** LEFT → HEAD, RIGHT → TAIL; anything else writes a syntax error and returns BAD. */
    private static int whereOrReply(Args a, int i, ReplySink r) {
        if (a.is(i, LEFT)) {
            return HEAD;
        }
        if (a.is(i, RIGHT)) {
            return TAIL;
        }
        r.error(Errors.SYNTAX);
        return BAD;
    }

    /** Redis' getRangeLongFromObjectOrReply(1, LONG_MAX, msg): -1 after replying {@code error}. */
    private static long positiveOrReply(Args a, int i, String error, ReplySink r) {
        if (!a.isLong(i) || a.longAt(i) < 1) {
            r.error(error);
            return -1;
        }
        return a.longAt(i);
    }

    /**
     * A blocking timeout in (decimal) seconds as an absolute deadline in ms, 0 = forever; -1
     * after replying an error. Redis 7.0 casts the ms value to long long, so a value too large
     * for it (inf, 1e17 s) wraps negative and is refused as negative; we answer the same.
     */
    private long deadlineOrReply(Args a, int i, ReplySink r) {
        double secs = timeoutSeconds(a, i);
        if (Double.isNaN(secs)) {
            r.error(Errors.TIMEOUT_NOT_FLOAT);
            return -1;
        }
        double ms = Math.ceil(secs * 1000.0);
        if (ms < 0 || !(ms < 9.223372036854775807E18)) {
            r.error(Errors.TIMEOUT_NEGATIVE);
            return -1;
        }
        long t = (long) ms;
        if (t == 0) {
            return 0;
        }
        long now = ks.now();
        return t > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + t;
    }

    /**
     * A timeout as Redis 7.0 reads it (strtold): a decimal float, or a C hex float such as
     * {@code 0x10} that Redis accepts too. NaN when neither.
     */
    private static double timeoutSeconds(Args a, int i) {
        double d = a.doubleAt(i);
        if (!Double.isNaN(d) || a.len(i) > 64) {
            return d;
        }
        String s = a.str(i);
        if (!HEX_FLOAT.matcher(s).matches()) {
            return Double.NaN;
        }
        return Double.parseDouble(s.indexOf('p') >= 0 || s.indexOf('P') >= 0 ? s : s + "p0");
    }

    /** Records a push into {@code e}: change, event, and wakes clients blocked on the key. */
    private void pushed(Client c, Entry e, boolean head) {
        ks.changed(c.db, e.key);
        engine.notifier.notify(Notifier.LIST, head ? "lpush" : "rpush", c.db, e.key);
        engine.signalKeyAsReady(c.db, e.key);
    }

    /** Redis' listElementsRemoved: the pop event, then the key's deletion ("del") when empty. */
    private void popped(Client c, Entry e, boolean head) {
        engine.notifier.notify(Notifier.LIST, head ? "lpop" : "rpop", c.db, e.key);
        deleteIfEmpty(c, e);
    }

    private void deleteIfEmpty(Client c, Entry e) {
        if (((ListValue) e.value()).size() == 0) {
            ks.delete(c.db, e);
            engine.notifier.notify(Notifier.GENERIC, "del", c.db, e.key);
        } else {
            ks.changed(c.db, e.key);
        }
    }

    private static byte[] poll(ListValue l, boolean head) {
        return head ? l.pollFirst() : l.pollLast();
    }

    private static void bulk(ReplySink r, byte[] b) {
        r.bulk(b, 0, b.length);
    }

    /** Replies [key, [up to count elements]] popped from {@code e}, as LMPOP/BLMPOP do. */
    private void popRangeWithKey(Client c, Entry e, boolean head, long count, ReplySink r) {
        ListValue l = (ListValue) e.value();
        long n = Math.min(count, l.size());
        r.array(2);
        bulk(r, e.key);
        r.array((int) n);
        for (long i = 0; i < n; i++) {
            bulk(r, poll(l, head));
        }
        popped(c, e, head);
    }

    // ---- push / pop ----

    /** LPUSH, RPUSH and, with {@code onlyExisting}, LPUSHX and RPUSHX. */
    private void push(Client c, Args a, ReplySink r, boolean head, boolean onlyExisting) {
        Entry e = write(c, a, 1);
        if (e != null && !isListOrReply(e, r)) {
            return;
        }
        if (e == null) {
            if (onlyExisting) {
                r.integer(0);
                return;
            }
            e = ks.add(c.db, a.bytes(1), newList());
        }
        ListValue l = (ListValue) e.value();
        for (int i = 2; i < a.argc(); i++) {
            if (head) {
                l.addFirst(a.bytes(i));
            } else {
                l.addLast(a.bytes(i));
            }
        }
        r.integer(l.size());
        pushed(c, e, head);
    }

    /** LPOP and RPOP, with the optional count (null array on a missing key when given). */
    private void pop(Client c, Args a, ReplySink r, boolean head) {
        if (a.argc() > 3) {
            r.error(Errors.wrongArity(head ? "lpop" : "rpop"));
            return;
        }
        boolean hasCount = a.argc() == 3;
        long count = 0;
        if (hasCount) {
            if (!a.isLong(2) || a.longAt(2) < 0) {
                r.error(Errors.NOT_POSITIVE);
                return;
            }
            count = a.longAt(2);
        }
        Entry e = write(c, a, 1);
        if (e == null) {
            if (hasCount) {
                r.nullArray();
            } else {
                r.nullBulk();
            }
            return;
        }
        if (!isListOrReply(e, r)) {
            return;
        }
        ListValue l = (ListValue) e.value();
        if (!hasCount) {
            bulk(r, poll(l, head));
        } else if (count == 0) {
            r.array(0);
            return;
        } else {
            long n = Math.min(count, l.size());
            r.array((int) n);
            for (long i = 0; i < n; i++) {
                bulk(r, poll(l, head));
            }
        }
        popped(c, e, head);
    }

    // ---- reads ----

    private void llen(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.integer(0);
        } else if (isListOrReply(e, r)) {
            r.integer(((ListValue) e.value()).size());
        }
    }

    private void lrange(Client c, Args a, ReplySink r) {
        Long start = longOrReply(a, 2, r);
        if (start == null) {
            return;
        }
        Long end = longOrReply(a, 3, r);
        if (end == null) {
            return;
        }
        Entry e = read(c, a, 1);
        if (e == null) {
            r.array(0);
            return;
        }
        if (!isListOrReply(e, r)) {
            return;
        }
        ListValue l = (ListValue) e.value();
        long llen = l.size();
        long s = start < 0 ? llen + start : start;
        long t = end < 0 ? llen + end : end;
        if (s < 0) {
            s = 0;
        }
        if (s > t || s >= llen) {
            r.array(0);
            return;
        }
        if (t >= llen) {
            t = llen - 1;
        }
        long n = t - s + 1;
        r.array((int) n);
        l.range(s, n, v -> bulk(r, v));
    }

    private void lindex(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.nullBulk();
            return;
        }
        if (!isListOrReply(e, r)) {
            return;
        }
        Long index = longOrReply(a, 2, r);
        if (index == null) {
            return;
        }
        ListValue l = (ListValue) e.value();
        long i = index < 0 ? l.size() + index : index;
        if (i < 0 || i >= l.size()) {
            r.nullBulk();
        } else {
            bulk(r, l.get(i));
        }
    }

    private void lpos(Client c, Args a, ReplySink r) {
        long rank = 1;
        long count = -1; // -1: COUNT not given
        long maxlen = 0;
        for (int j = 3; j < a.argc(); j++) {
            boolean moreArgs = j + 1 < a.argc();
            if (a.is(j, RANK) && moreArgs) {
                j++;
                Long v = longOrReply(a, j, r);
                if (v == null) {
                    return;
                }
                if (v == 0) {
                    r.error(Errors.RANK_ZERO);
                    return;
                }
                rank = v;
            } else if (a.is(j, COUNT) && moreArgs) {
                j++;
                if (!a.isLong(j) || a.longAt(j) < 0) {
                    r.error(Errors.LPOS_COUNT_NEGATIVE);
                    return;
                }
                count = a.longAt(j);
            } else if (a.is(j, MAXLEN) && moreArgs) {
                j++;
                if (!a.isLong(j) || a.longAt(j) < 0) {
                    r.error(Errors.LPOS_MAXLEN_NEGATIVE);
                    return;
                }
                maxlen = a.longAt(j);
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        // a negative rank searches from the tail; like Redis' C, -LONG_MIN stays LONG_MIN
        boolean fromHead = true;
        if (rank < 0) {
            rank = -rank;
            fromHead = false;
        }
        Entry e = read(c, a, 1);
        if (e == null) {
            if (count != -1) {
                r.array(0);
            } else {
                r.nullBulk();
            }
            return;
        }
        if (!isListOrReply(e, r)) {
            return;
        }
        ListValue l = (ListValue) e.value();
        long llen = l.size();
        ListValue.Cursor cur = l.cursor(fromHead ? 0 : llen - 1, fromHead);
        List<Long> found = new ArrayList<>();
        long index = 0;
        long matches = 0;
        long matchIndex = -1;
        int off = a.off(2);
        int len = a.len(2);
        while (cur.hasNext() && (maxlen == 0 || index < maxlen)) {
            if (Bytes.equals(cur.next(), a.buf(), off, len)) {
                matches++;
                if (matches >= rank) {
                    long at = fromHead ? index : llen - index - 1;
                    if (count != -1) {
                        found.add(at);
                        if (count != 0 && matches - rank + 1 >= count) {
                            break;
                        }
                    } else {
                        matchIndex = at;
                        break;
                    }
                }
            }
            index++;
        }
        if (count != -1) {
            r.array(found.size());
            for (long v : found) {
                r.integer(v);
            }
        } else if (matchIndex != -1) {
            r.integer(matchIndex);
        } else {
            r.nullBulk();
        }
    }

    // ---- in-place edits ----

    private void lset(Client c, Args a, ReplySink r) {
        Entry e = write(c, a, 1);
        if (e == null) {
            r.error(Errors.NO_SUCH_KEY);
            return;
        }
        if (!isListOrReply(e, r)) {
            return;
        }
        Long index = longOrReply(a, 2, r);
        if (index == null) {
            return;
        }
        ListValue l = (ListValue) e.value();
        long i = index < 0 ? l.size() + index : index;
        if (i < 0 || i >= l.size()) {
            r.error(Errors.INDEX_OUT_OF_RANGE);
            return;
        }
        l.set(i, a.bytes(3));
        r.ok();
        ks.changed(c.db, e.key);
        engine.notifier.notify(Notifier.LIST, "lset", c.db, e.key);
    }

    private void linsert(Client c, Args a, ReplySink r) {
        boolean after;
        if (a.is(2, AFTER)) {
            after = true;
        } else if (a.is(2, BEFORE)) {
            after = false;
        } else {
            r.error(Errors.SYNTAX);
            return;
        }
        Entry e = write(c, a, 1);
        if (e == null) {
            r.integer(0);
            return;
        }
        if (!isListOrReply(e, r)) {
            return;
        }
        ListValue l = (ListValue) e.value();
        ListValue.Cursor cur = l.cursor(0, true);
        while (cur.hasNext()) {
            if (Bytes.equals(cur.next(), a.buf(), a.off(3), a.len(3))) {
                cur.insert(a.bytes(4), after);
                r.integer(l.size());
                ks.changed(c.db, e.key);
                engine.notifier.notify(Notifier.LIST, "linsert", c.db, e.key);
                engine.signalKeyAsReady(c.db, e.key);
                return;
            }
        }
        r.integer(-1);
    }

    private void lrem(Client c, Args a, ReplySink r) {
        Long count = longOrReply(a, 2, r);
        if (count == null) {
            return;
        }
        Entry e = write(c, a, 1);
        if (e == null) {
            r.integer(0);
            return;
        }
        if (!isListOrReply(e, r)) {
            return;
        }
        ListValue l = (ListValue) e.value();
        long toRemove = count;
        boolean forward = true;
        if (toRemove < 0) {
            toRemove = -toRemove; // as in C, -LONG_MIN stays negative: then every match goes
            forward = false;
        }
        ListValue.Cursor cur = l.cursor(forward ? 0 : l.size() - 1, forward);
        long removed = 0;
        while (cur.hasNext()) {
            if (Bytes.equals(cur.next(), a.buf(), a.off(3), a.len(3))) {
                cur.remove();
                removed++;
                if (toRemove != 0 && removed == toRemove) {
                    break;
                }
            }
        }
        l.compact();
        if (removed > 0) {
            engine.notifier.notify(Notifier.LIST, "lrem", c.db, e.key);
            deleteIfEmpty(c, e);
        }
        r.integer(removed);
    }

    private void ltrim(Client c, Args a, ReplySink r) {
        Long start = longOrReply(a, 2, r);
        if (start == null) {
            return;
        }
        Long end = longOrReply(a, 3, r);
        if (end == null) {
            return;
        }
        Entry e = write(c, a, 1);
        if (e == null) {
            r.ok();
            return;
        }
        if (!isListOrReply(e, r)) {
            return;
        }
        ListValue l = (ListValue) e.value();
        long llen = l.size();
        long s = start < 0 ? llen + start : start;
        long t = end < 0 ? llen + end : end;
        if (s < 0) {
            s = 0;
        }
        long leftTrim;
        long rightTrim;
        if (s > t || s >= llen) {
            leftTrim = llen; // out of range or start > end: the list goes
            rightTrim = 0;
        } else {
            if (t >= llen) {
                t = llen - 1;
            }
            leftTrim = s;
            rightTrim = llen - t - 1;
        }
        l.removeFirst(leftTrim);
        l.removeLast(rightTrim);
        engine.notifier.notify(Notifier.LIST, "ltrim", c.db, e.key);
        deleteIfEmpty(c, e);
        r.ok();
    }

    // ---- moves ----

    private void lmove(Client c, Args a, ReplySink r) {
        int from = whereOrReply(a, 3, r);
        if (from == BAD) {
            return;
        }
        int to = whereOrReply(a, 4, r);
        if (to == BAD) {
            return;
        }
        move(c, a, r, from == HEAD, to == HEAD);
    }

    /** LMOVE/RPOPLPUSH core (source at argument 1, destination at 2), also run by their blocking forms. */
    private void move(Client c, Args a, ReplySink r, boolean fromHead, boolean toHead) {
        Entry src = write(c, a, 1);
        if (src == null) {
            r.nullBulk();
            return;
        }
        if (!isListOrReply(src, r)) {
            return;
        }
        Entry dst = write(c, a, 2);
        if (dst != null && !isListOrReply(dst, r)) {
            return;
        }
        byte[] v = poll((ListValue) src.value(), fromHead);
        if (dst == null) {
            dst = ks.add(c.db, a.bytes(2), newList());
        }
        ListValue d = (ListValue) dst.value();
        if (toHead) {
            d.addFirst(v);
        } else {
            d.addLast(v);
        }
        bulk(r, v);
        pushed(c, dst, toHead);
        popped(c, src, fromHead);
    }

    private void lmpop(Client c, Args a, ReplySink r) {
        MpopArgs m = mpopArgsOrReply(a, 1, r);
        if (m == null) {
            return;
        }
        for (int j = 2; j < 2 + m.numKeys; j++) {
            Entry e = write(c, a, j);
            if (e == null) {
                continue;
            }
            if (!isListOrReply(e, r)) {
                return;
            }
            popRangeWithKey(c, e, m.head, m.count, r);
            return;
        }
        r.nullArray();
    }

    /** Parsed numkeys, LEFT|RIGHT and COUNT of LMPOP and BLMPOP. */
    private record MpopArgs(int numKeys, boolean head, long count) {
    }

    /** Parses [B]LMPOP's {@code numkeys key... LEFT|RIGHT [COUNT count]} from {@code idx}; null after replying. */
    private static MpopArgs mpopArgsOrReply(Args a, int idx, ReplySink r) {
        long numKeys = positiveOrReply(a, idx, Errors.NUMKEYS_NOT_POSITIVE, r);
        if (numKeys < 0) {
            return null;
        }
        if (numKeys > a.argc() - idx - 2) {
            r.error(Errors.SYNTAX);
            return null;
        }
        int whereIdx = idx + (int) numKeys + 1;
        int where = whereOrReply(a, whereIdx, r);
        if (where == BAD) {
            return null;
        }
        long count = -1;
        for (int j = whereIdx + 1; j < a.argc(); j++) {
            if (count == -1 && a.is(j, COUNT) && j + 1 < a.argc()) {
                j++;
                count = positiveOrReply(a, j, Errors.COUNT_NOT_POSITIVE, r);
                if (count < 0) {
                    return null;
                }
            } else {
                r.error(Errors.SYNTAX);
                return null;
            }
        }
        return new MpopArgs((int) numKeys, where == HEAD, count == -1 ? 1 : count);
    }

    // ---- blocking ----

    private void bpop(Client c, Args a, ReplySink r, boolean head) {
        long deadline = deadlineOrReply(a, a.argc() - 1, r);
        if (deadline < 0) {
            return;
        }
        blockingPop(c, a, r, 1, a.argc() - 2, head, -1, deadline);
    }

    private void blmpop(Client c, Args a, ReplySink r) {
        long deadline = deadlineOrReply(a, 1, r);
        if (deadline < 0) {
            return;
        }
        MpopArgs m = mpopArgsOrReply(a, 2, r);
        if (m == null) {
            return;
        }
        blockingPop(c, a, r, 3, m.numKeys, m.head, m.count, deadline);
    }

    /**
     * BLPOP/BRPOP ({@code count} -1: reply [key, element]) and BLMPOP (reply [key, [elements]]):
     * serves from the first non-empty key, else blocks on all of them. Inside MULTI it answers
     * as on timeout. Re-run for a blocked client, the key that woke it is tried first and a key
     * of another type is passed over: Redis 7.0 serves a waiter from the signalled key, and only
     * when it holds a list.
     */
    private void blockingPop(Client c, Args a, ReplySink r, int first, int numKeys, boolean head, long count,
                             long deadline) {
        boolean rerun = c.isBlocked();
        int woken = -1;
        byte[] wokenBy = rerun ? engine.wokenBy() : null;
        for (int j = first; wokenBy != null && j < first + numKeys; j++) {
            if (Bytes.equals(wokenBy, a.buf(), a.off(j), a.len(j))) {
                woken = j;
                break;
            }
        }
        if (woken >= 0 && popFromOrReply(c, a, r, woken, head, count, true)) {
            return;
        }
        for (int j = first; j < first + numKeys; j++) {
            if (j != woken && popFromOrReply(c, a, r, j, head, count, rerun)) {
                return;
            }
        }
        if (!engine.canBlock(c)) {
            r.nullArray();
            return;
        }
        List<byte[]> keys = new ArrayList<>(numKeys);
        for (int j = first; j < first + numKeys; j++) {
            keys.add(a.bytes(j));
        }
        engine.block(c, keys, deadline);
    }

    /**
     * One key of BLPOP/BRPOP/BLMPOP: pops and replies when it holds a non-empty list, replies
     * WRONGTYPE for another type (passed over when {@code rerun}), and returns whether it replied.
     */
    private boolean popFromOrReply(Client c, Args a, ReplySink r, int j, boolean head, long count, boolean rerun) {
        Entry e = write(c, a, j);
        if (e == null) {
            return false;
        }
        if (!(e.value() instanceof ListValue)) {
            if (rerun) {
                return false;
            }
            r.error(Errors.WRONGTYPE);
            return true;
        }
        if (count >= 0) {
            popRangeWithKey(c, e, head, count, r);
        } else {
            r.array(2);
            bulk(r, e.key);
            bulk(r, poll((ListValue) e.value(), head));
            popped(c, e, head);
        }
        return true;
    }

    private void brpoplpush(Client c, Args a, ReplySink r) {
        long deadline = deadlineOrReply(a, 3, r);
        if (deadline >= 0) {
            blockingMove(c, a, r, false, true, deadline);
        }
    }

    private void blmove(Client c, Args a, ReplySink r) {
        int from = whereOrReply(a, 3, r);
        if (from == BAD) {
            return;
        }
        int to = whereOrReply(a, 4, r);
        if (to == BAD) {
            return;
        }
        long deadline = deadlineOrReply(a, 5, r);
        if (deadline >= 0) {
            blockingMove(c, a, r, from == HEAD, to == HEAD, deadline);
        }
    }

    /**
     * BLMOVE/BRPOPLPUSH: moves at once when the source has data, else blocks on the source
     * (inside MULTI: a null bulk, as Redis 7.0 answers there; on timeout the engine answers a
     * null array, as Redis does too). A served waiter whose destination holds another type gets
     * WRONGTYPE, as in Redis.
     */
    private void blockingMove(Client c, Args a, ReplySink r, boolean fromHead, boolean toHead, long deadline) {
        Entry src = write(c, a, 1);
        if (src != null && !(src.value() instanceof ListValue)) {
            if (!c.isBlocked()) {
                r.error(Errors.WRONGTYPE);
                return;
            }
            src = null; // a waiter is served only from a list
        }
        if (src != null) {
            move(c, a, r, fromHead, toHead);
            return;
        }
        if (!engine.canBlock(c)) {
            r.nullBulk();
            return;
        }
        engine.block(c, List.of(a.bytes(1)), deadline);
    }
}
