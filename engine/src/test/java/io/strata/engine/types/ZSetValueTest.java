package io.strata.engine.types;

import io.strata.engine.types.ZSetValue.LexRange;
import io.strata.engine.types.ZSetValue.Node;
import io.strata.engine.types.ZSetValue.ScoreRange;
import io.strata.engine.util.Bytes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZSetValueTest {
    private static byte[] b(String s) {
        return Bytes.utf8(s);
    }

    /** The elements in order as "member=score", walking forwards (or backwards from the last). */
    private static List<String> walk(ZSetValue z, boolean backwards) {
        List<String> out = new ArrayList<>();
        for (Node n = backwards ? z.last() : z.first(); n != null; n = backwards ? n.prev() : n.next()) {
            out.add(backwards ? 0 : out.size(), Bytes.str(n.member) + "=" + n.score);
        }
        return out;
    }

    private static String str(Node n) {
        return n == null ? null : Bytes.str(n.member) + "=" + n.score;
    }

    @Test
    @DisplayName("A listpack zset answers every query as the skiplist does over random changes, until it converts")
    void listpackAgreesWithSkiplist() {
        Random rnd = new Random(42);
        double[] scores = {0, 1, -1, 2.5, 3, 1e300, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -7, 1L << 53, (1L << 53) + 2,
            -(1L << 40), 0.1};
        for (int round = 0; round < 200; round++) {
            ZSetValue lp = new ZSetValue(true);
            ZSetValue sl = new ZSetValue(false);
            int ops = rnd.nextInt(60);
            for (int k = 0; k < ops; k++) {
                byte[] m = b("m" + rnd.nextInt(20));
                double s = rnd.nextInt(4) == 0 ? scores[rnd.nextInt(scores.length)] : rnd.nextInt(10);
                switch (rnd.nextInt(5)) {
                    case 0, 1, 2 -> {
                        Node a = lp.node(m);
                        Node c = sl.node(m);
                        assertEquals(str(c), str(a));
                        if (a == null) {
                            assertEquals(str(sl.insert(m.clone(), s)), str(lp.insert(m.clone(), s)));
                        } else {
                            assertEquals(str(sl.updateScore(c, s)), str(lp.updateScore(a, s)));
                        }
                    }
                    case 3 -> assertEquals(sl.remove(m), lp.remove(m));
                    default -> {
                        double lo = rnd.nextInt(12) - 1;
                        ScoreRange r = new ScoreRange(lo, rnd.nextBoolean(), lo + rnd.nextInt(5), rnd.nextBoolean());
                        if (rnd.nextBoolean()) {
                            assertEquals(sl.removeRange(r), lp.removeRange(r));
                        } else if (sl.size() > 0) {
                            long start = rnd.nextInt((int) sl.size());
                            long end = Math.min(sl.size() - 1, start + rnd.nextInt(3));
                            assertEquals(sl.removeRankRange(start, end), lp.removeRankRange(start, end));
                        }
                    }
                }
                assertEquals(sl.size(), lp.size());
                assertEquals(walk(sl, false), walk(lp, false));
            }
            assertEquals("listpack", lp.encoding());
            assertEquals(walk(sl, true), walk(lp, true), "backwards walk");
            for (int i = 0; i < sl.size(); i++) {
                assertEquals(str(sl.byRank(i)), str(lp.byRank(i)));
                assertEquals(i, lp.rank(lp.byRank(i)));
                assertEquals(sl.rank(sl.byRank(i)), lp.rank(lp.node(sl.byRank(i).member)));
            }
            assertNull(lp.byRank(sl.size()));
            for (int q = 0; q < 20; q++) {
                double lo = rnd.nextInt(12) - 2;
                ScoreRange r = new ScoreRange(lo, rnd.nextBoolean(), lo + rnd.nextInt(6) - 1, rnd.nextBoolean());
                assertEquals(str(sl.firstInRange(r)), str(lp.firstInRange(r)));
                assertEquals(str(sl.lastInRange(r)), str(lp.lastInRange(r)));
                assertEquals(sl.count(r), lp.count(r));
            }
            assertEquals(sl.maxMemberLength(), lp.maxMemberLength());
            ZSetValue copy = lp.copy();
            lp.convertIfNeeded(lp.size() + 1, 1, lp.size(), 64);
            assertEquals("skiplist", lp.encoding());
            assertEquals(walk(sl, false), walk(lp, false), "after converting to skiplist");
            assertEquals(walk(sl, false), walk(copy, false), "the copy is independent");
            sl.convertToListpackIfNeeded(sl.maxMemberLength(), 128, 64);
            assertEquals("listpack", sl.encoding());
            assertEquals(walk(lp, false), walk(sl, false), "after converting back to listpack");
        }
    }

    @Test
    @DisplayName("Lex ranges of a listpack zset with equal scores match the skiplist's")
    void lexRangesAgree() {
        Random rnd = new Random(7);
        for (int round = 0; round < 100; round++) {
            ZSetValue lp = new ZSetValue(true);
            ZSetValue sl = new ZSetValue(false);
            for (int i = rnd.nextInt(15); i > 0; i--) {
                byte[] m = b(Character.toString('a' + rnd.nextInt(12)));
                if (sl.node(m) == null) {
                    sl.insert(m, 0);
                    lp.insert(m.clone(), 0);
                }
            }
            for (int q = 0; q < 20; q++) {
                char lo = (char) ('a' + rnd.nextInt(14) - 1);
                char hi = (char) (lo + rnd.nextInt(5));
                LexRange r = new LexRange(b(Character.toString(lo)), rnd.nextBoolean(), rnd.nextInt(6) == 0 ? -1 : 0,
                    b(Character.toString(hi)), rnd.nextBoolean(), rnd.nextInt(6) == 0 ? 1 : 0);
                assertEquals(str(sl.firstInLex(r)), str(lp.firstInLex(r)));
                assertEquals(str(sl.lastInLex(r)), str(lp.lastInLex(r)));
                assertEquals(sl.count(r), lp.count(r));
            }
            LexRange r = new LexRange(b("c"), false, 0, b("f"), true, 0);
            assertEquals(sl.removeRange(r), lp.removeRange(r));
            assertEquals(walk(sl, false), walk(lp, false));
        }
    }

    @Test
    @DisplayName("A listpack zset stores -0 as 0, integer scores in a byte and 5 small members in one 40-byte array")
    void compactScores() {
        ZSetValue z = new ZSetValue(true);
        z.insert(b("neg"), -0.0);
        assertEquals("0.0", Double.toString(z.score(b("neg"))));
        z.remove(b("neg"));
        for (int i = 1; i <= 5; i++) {
            z.insert(b("m" + i), i);
        }
        // count, then 5 x {len, 2 bytes, 1-byte score}: 21 bytes in an array of 40, and this
        // standalone object (a key's entry keeps the array alone)
        assertEquals(24 + 40, z.memoryUsage());
        z.insert(b("pi"), Math.PI);
        z.insert(b("big"), 1e18);
        assertEquals(Math.PI, z.score(b("pi")));
        assertEquals(1e18, z.score(b("big")));
        assertEquals(7, z.size());
        ZSetValue sl = new ZSetValue(false);
        sl.insert(b("x"), -0.0);
        assertTrue(Double.doubleToRawLongBits(sl.score(b("x"))) != 0, "a skiplist keeps -0");
        sl.convertToListpackIfNeeded(1, 128, 64);
        assertEquals(0L, Double.doubleToRawLongBits(sl.score(b("x"))), "the listpack turns it into 0");
    }
}
