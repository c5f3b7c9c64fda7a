package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.Notifier;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.KeySpec;
import io.strata.engine.command.ReplySink;
import io.strata.engine.keyspace.Database;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.types.HashValue;
import io.strata.engine.types.ListValue;
import io.strata.engine.types.SetValue;
import io.strata.engine.types.Value;
import io.strata.engine.types.ZSetValue;
import io.strata.engine.util.Bytes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static io.strata.engine.command.CommandFlag.DENYOOM;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.WRITE;

/**
 * SORT and SORT_RO (Redis' sort.c): sorts a list, set or sorted set numerically or by bytes,
 * optionally by the values of other keys (BY), fetching other keys per element (GET), with
 * LIMIT, and storing the result as a list (STORE).
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class SortCommands extends CommandGroup {
    private static final byte[] ASC = Bytes.ascii("asc");
    private static final byte[] DESC = Bytes.ascii("desc");
    private static final byte[] ALPHA = Bytes.ascii("alpha");
    private static final byte[] LIMIT = Bytes.ascii("limit");
    private static final byte[] STORE = Bytes.ascii("store");
    private static final byte[] BY = Bytes.ascii("by");
    private static final byte[] GET = Bytes.ascii("get");

    public SortCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String complexity = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
            + "number of returned elements. When the elements are not sorted, complexity is O(N).";
        t.add(cmd("sort", -2, (c, a, r) -> sort(c, a, r, false)).flags(WRITE, DENYOOM).keys(1, 1, 1)
            .movableKeys(sortKeys())
            .doc("generic", "1.0.0", "Sort the elements in a list, set or sorted set")
            .complexity(complexity).acl("@set", "@sortedset", "@list", "@dangerous"));
        // SORT_RO has no STORE, but its BY/GET key spec is "unknown", so Redis marks it movablekeys too
        t.add(cmd("sort_ro", -2, (c, a, r) -> sort(c, a, r, true)).flags(READONLY).keys(1, 1, 1)
            .movableKeys(KeySpec.range(1, 1, 1))
            .doc("generic", "7.0.0", "Sort the elements in a list, set or sorted set. Read-only variant of SORT.")
            .complexity(complexity).acl("@set", "@sortedset", "@list", "@dangerous"));
    }

    /**
     * Redis' sortGetKeys: the sorted key, plus the last STORE destination. LIMIT skips two
     * arguments and GET/BY one, so "GET store" names no destination.
     */
    static KeySpec sortKeys() {
        return a -> {
            List<Integer> out = new ArrayList<>();
            out.add(1);
            int store = -1;
            for (int i = 2; i < a.argc(); i++) {
                if (a.is(i, LIMIT)) {
                    i += 2;
                } else if (a.is(i, GET) || a.is(i, BY)) {
                    i += 1;
                } else if (a.is(i, STORE) && i + 1 < a.argc()) {
                    store = i + 1;
                }
            }
            if (store > 0) {
                out.add(store);
            }
            return out;
        };
    }

    /** One element being sorted: the element, and what it sorts by. */
    private static final class Item {
        final byte[] obj;
        double score;
        /** ALPHA with BY: the value of the BY key, null when missing. */
        byte[] cmp;

        Item(byte[] obj) {
            this.obj = obj;
        }
    }

    /** Redis' sortCommandGeneric. */
    private void sort(Client c, Args a, ReplySink r, boolean readonly) {
        boolean desc = false;
        boolean alpha = false;
        boolean dontsort = false;
        long limitStart = 0;
        long limitCount = -1;
        byte[] sortBy = null;
        byte[] storeKey = null;
        List<byte[]> gets = new ArrayList<>();
        for (int j = 2; j < a.argc(); j++) {
            int left = a.argc() - j - 1;
            if (a.is(j, ASC)) {
                desc = false;
            } else if (a.is(j, DESC)) {
                desc = true;
            } else if (a.is(j, ALPHA)) {
                alpha = true;
            } else if (a.is(j, LIMIT) && left >= 2) {
                Long s = longOrReply(a, j + 1, r);
                if (s == null) {
                    return;
                }
                Long n = longOrReply(a, j + 2, r);
                if (n == null) {
                    return;
                }
                limitStart = s;
                limitCount = n;
                j += 2;
            } else if (!readonly && a.is(j, STORE) && left >= 1) {
                storeKey = a.bytes(j + 1);
                j++;
            } else if (a.is(j, BY) && left >= 1) {
                sortBy = a.bytes(j + 1);
                // a BY pattern without '*' is constant: nothing to sort by, keep the native order
                dontsort = indexOf(sortBy, (byte) '*', 0) < 0;
                j++;
            } else if (a.is(j, GET) && left >= 1) {
                gets.add(a.bytes(j + 1));
                j++;
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }

        Entry e = read(c, a, 1);
        Object value = e == null ? null : e.value();
        if (value != null && !(value instanceof ListValue) && !(value instanceof SetValue)
            && !(value instanceof ZSetValue)) {
            r.error(Errors.WRONGTYPE);
            return;
        }
        // a set's native order is not reproducible, so Redis sorts it when the result is stored
        if (dontsort && value instanceof SetValue && storeKey != null) {
            dontsort = false;
            alpha = true;
            sortBy = null;
        }
        if (value instanceof ZSetValue && ((ZSetValue) value).isListpack()) {
            // Redis converts a listpack zset to a skiplist for SORT, for good (OBJECT ENCODING shows it)
            ((ZSetValue) value).convertIfNeeded(Long.MAX_VALUE, 0, 0, 0);
            ks.lookupWrite(c.db, e.key, 0, e.key.length); // re-estimate its memory
        }

        long vectorLen = value == null ? 0 : ((Value) value).size();
        long start = Math.min(Math.max(limitStart, 0), vectorLen);
        limitCount = Math.min(Math.max(limitCount, -1), vectorLen);
        long end = limitCount < 0 ? vectorLen - 1 : start + limitCount - 1;
        if (start >= vectorLen) {
            start = vectorLen - 1;
            end = vectorLen - 2;
        }
        if (end >= vectorLen) {
            end = vectorLen - 1;
        }
        boolean ordered = value instanceof ListValue || value instanceof ZSetValue;
        if (ordered && dontsort && (start != 0 || end != vectorLen - 1)) {
            vectorLen = end - start + 1;
        }

        List<Item> vector = new ArrayList<>((int) Math.max(0, vectorLen));
        if (value instanceof ListValue && dontsort) {
            // native order, with LIMIT applied while loading, DESC walking from the tail
            ListValue l = (ListValue) value;
            if (end >= start) {
                ListValue.Cursor cur = l.cursor(desc ? l.size() - start - 1 : start, !desc);
                while (vector.size() < vectorLen && cur.hasNext()) {
                    vector.add(new Item(cur.next()));
                }
                end -= start;
                start = 0;
            }
        } else if (value instanceof ListValue) {
            ListValue l = (ListValue) value;
            ListValue.Cursor cur = l.cursor(0, true);
            while (cur.hasNext()) {
                vector.add(new Item(cur.next()));
            }
        } else if (value instanceof SetValue) {
            ((SetValue) value).forEach(m -> vector.add(new Item(m)));
        } else if (value instanceof ZSetValue && dontsort) {
            // rank order, LIMIT as a rank range, DESC from the highest score
            ZSetValue z = (ZSetValue) value;
            ZSetValue.Node x = desc ? (start > 0 ? z.byRank(z.size() - start - 1) : z.last())
                : (start > 0 ? z.byRank(start) : z.first());
            for (long k = 0; k < vectorLen && x != null; k++) {
                vector.add(new Item(x.member));
                x = desc ? x.prev() : x.next();
            }
            end -= start;
            start = 0;
        } else if (value instanceof ZSetValue) {
            for (ZSetValue.Node x = ((ZSetValue) value).first(); x != null; x = x.next()) {
                vector.add(new Item(x.member));
            }
        }

        boolean conversionError = false;
        if (!dontsort) {
            for (Item it : vector) {
                byte[] by = it.obj;
                if (sortBy != null) {
                    by = lookupByPattern(c.db, sortBy, it.obj);
                    if (by == null) {
                        continue; // score 0, or sorts first under ALPHA
                    }
                }
                if (alpha) {
                    if (sortBy != null) {
                        it.cmp = by;
                    }
                } else {
                    it.score = strtod(by);
                    if (Double.isNaN(it.score)) {
                        conversionError = true;
                    }
                }
            }
            vector.sort(comparator(alpha, sortBy != null, desc));
        }

        int getops = gets.size();
        long outputLen = getops > 0 ? getops * (end - start + 1) : end - start + 1;
        if (conversionError) {
            r.error(Errors.SORT_NOT_DOUBLE);
        } else if (storeKey == null) {
            r.array((int) outputLen);
            for (long j = start; j <= end; j++) {
                Item it = vector.get((int) j);
                if (getops == 0) {
                    r.bulk(it.obj);
                }
                for (byte[] pattern : gets) {
                    byte[] v = lookupByPattern(c.db, pattern, it.obj);
                    if (v == null) {
                        r.nullBulk();
                    } else {
                        r.bulk(v);
                    }
                }
            }
        } else {
            ListValue out = new ListValue(engine.config.listMaxListpackSize);
            for (long j = start; j <= end; j++) {
                Item it = vector.get((int) j);
                if (getops == 0) {
                    out.addLast(it.obj.clone());
                }
                for (byte[] pattern : gets) {
                    byte[] v = lookupByPattern(c.db, pattern, it.obj);
                    out.addLast(v == null ? Bytes.EMPTY : v.clone());
                }
            }
            store(c, storeKey, out, outputLen);
            r.integer(outputLen);
        }
    }

    /** Stores the result list, or deletes the destination when it is empty, with Redis' events. */
    private void store(Client c, byte[] dst, ListValue out, long outputLen) {
        if (outputLen > 0) {
            ks.set(c.db, dst, out, false);
            ks.dirty += outputLen - 1; // Redis counts one change per stored element
            engine.notifier.notify(Notifier.LIST, "sortstore", c.db, dst);
            engine.signalKeyAsReady(c.db, dst);
        } else if (ks.delete(c.db, dst, 0, dst.length)) {
            engine.notifier.notify(Notifier.GENERIC, "del", c.db, dst);
        }
    }

    /**
     * Redis' sortCompare. Numeric: by score, equal scores by the elements' bytes, so the result
     * is deterministic. ALPHA with BY: by the BY values, a missing one first. ALPHA alone: by
     * the elements' bytes. DESC reverses all of it. The sort is stable, as glibc's qsort.
     */
    private static Comparator<Item> comparator(boolean alpha, boolean byPattern, boolean desc) {
        Comparator<Item> cmp;
        if (!alpha) {
            cmp = (x, y) -> x.score > y.score ? 1 : x.score < y.score ? -1 : Bytes.compare(x.obj, y.obj);
        } else if (byPattern) {
            cmp = (x, y) -> {
                if (x.cmp == null || y.cmp == null) {
                    return x.cmp == y.cmp ? 0 : x.cmp == null ? -1 : 1;
                }
                return Bytes.compare(x.cmp, y.cmp);
            };
        } else {
            cmp = (x, y) -> Bytes.compare(x.obj, y.obj);
        }
        return desc ? cmp.reversed() : cmp;
    }

    /**
     * Redis' lookupKeyByPattern: "#" is the element itself; otherwise the first '*' of the
     * pattern is replaced by the element to name a key, holding a string, or a hash when the
     * pattern goes on with "->field" after the '*'. Null when the pattern has no '*', or the key
     * or field is missing or of another type.
     */
    private byte[] lookupByPattern(Database db, byte[] pattern, byte[] subst) {
        if (pattern.length == 1 && pattern[0] == '#') {
            return subst;
        }
        int star = indexOf(pattern, (byte) '*', 0);
        if (star < 0) {
            return null;
        }
        int arrow = indexOfArrow(pattern, star + 1);
        byte[] field = null;
        int keyEnd = pattern.length;
        if (arrow >= 0 && arrow + 2 < pattern.length) {
            field = java.util.Arrays.copyOfRange(pattern, arrow + 2, pattern.length);
            keyEnd = arrow;
        }
        byte[] key = new byte[star + subst.length + (keyEnd - star - 1)];
        System.arraycopy(pattern, 0, key, 0, star);
        System.arraycopy(subst, 0, key, star, subst.length);
        System.arraycopy(pattern, star + 1, key, star + subst.length, keyEnd - star - 1);
        Entry e = ks.lookupRead(db, key, 0, key.length);
        if (e == null) {
            return null;
        }
        if (field != null) {
            return e.value() instanceof HashValue ? ((HashValue) e.value()).get(field) : null;
        }
        return e.value() instanceof byte[] ? (byte[]) e.value() : null;
    }

    private static int indexOf(byte[] b, byte x, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfArrow(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '-' && b[i + 1] == '>') {
                return i;
            }
        }
        return -1;
    }

    /**
     * A score as Redis 7.0 reads it with C's strtod: leading white space, a sign, decimal or hex
     * ("0x1p3") digits, "inf"/"infinity"; the whole text (up to a NUL byte) must be used. The
     * empty string is 0. NaN when the text is not a number, is "nan", or is out of range
     * (ERANGE: overflow, or underflow to zero or a subnormal).
     */
    static double strtod(byte[] s) {
        int end = indexOf(s, (byte) 0, 0);
        if (end < 0) {
            end = s.length;
        }
        int i = 0;
        while (i < end && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) {
            i++;
        }
        StringBuilder sb = new StringBuilder();
        if (i < end && (s[i] == '+' || s[i] == '-')) {
            sb.append((char) s[i]);
            i++;
        }
        boolean neg = sb.length() > 0 && sb.charAt(0) == '-';
        if (startsWithIgnoreCase(s, i, end, "inf")) {
            i += startsWithIgnoreCase(s, i, end, "infinity") ? 8 : 3;
            return i == end ? (neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : Double.NaN;
        }
        boolean hex = i + 1 < end && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')
            && (i + 2 < end && (hexDigit(s[i + 2]) || (s[i + 2] == '.' && i + 3 < end && hexDigit(s[i + 3]))));
        if (hex) {
            sb.append("0x");
            i += 2;
        }
        int digits = 0;
        boolean nonZero = false;
        while (i < end && (hex ? hexDigit(s[i]) : isDigit(s[i]))) {
            nonZero |= s[i] != '0';
            sb.append((char) s[i++]);
            digits++;
        }
        if (i < end && s[i] == '.') {
            sb.append('.');
            i++;
            while (i < end && (hex ? hexDigit(s[i]) : isDigit(s[i]))) {
                nonZero |= s[i] != '0';
                sb.append((char) s[i++]);
                digits++;
            }
        }
        if (digits == 0) {
            // no conversion: strtod leaves the end pointer at the start of the text
            return end == 0 ? 0.0 : Double.NaN;
        }
        char expChar = hex ? 'p' : 'e';
        if (i < end && (s[i] | 0x20) == expChar) {
            int k = i + 1;
            String sign = "";
            if (k < end && (s[k] == '+' || s[k] == '-')) {
                sign = String.valueOf((char) s[k]);
                k++;
            }
            if (k < end && isDigit(s[k])) {
                sb.append(expChar).append(sign);
                while (k < end && isDigit(s[k])) {
                    sb.append((char) s[k++]);
                }
                i = k;
            }
        }
        if (hex && sb.indexOf("p") < 0) {
            sb.append("p0");
        }
        if (i != end) {
            return Double.NaN;
        }
        double d;
        try {
            d = Double.parseDouble(sb.toString());
        } catch (NumberFormatException ex) {
            return Double.NaN;
        }
        if (Double.isInfinite(d) || (nonZero && Math.abs(d) < Double.MIN_NORMAL)) {
            return Double.NaN; // ERANGE
        }
        return d;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean hexDigit(byte b) {
        return isDigit(b) || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    private static boolean startsWithIgnoreCase(byte[] s, int i, int end, String word) {
        if (end - i < word.length()) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if ((s[i + k] | 0x20) != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
