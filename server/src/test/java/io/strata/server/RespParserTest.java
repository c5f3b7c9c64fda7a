package io.strata.server;

import io.strata.engine.command.Args;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Unit tests of the RESP request decoder: every framing is fed whole and one byte at a time
 * (as Netty's decoder tests do), limits are checked before anything is allocated for a length,
 * and random garbage never escapes as an exception or a loop.
 */
class RespParserTest {
    private static final long MAX_BULK = 512L * 1024 * 1024;

    /** What one {@link RespParser#next()} call sequence yielded: commands, then maybe an error. */
    private static final class Outcome {
        final List<List<String>> commands = new ArrayList<>();
        String error;
        boolean needMore;
    }

    private static String str(Args a, int i) {
        return new String(a.buf(), a.off(i), a.len(i), StandardCharsets.ISO_8859_1);
    }

    private static List<String> toList(Args a) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < a.argc(); i++) {
            l.add(str(a, i));
        }
        return l;
    }

    /** Drains the parser; stops at the first error or when it needs more input. */
    private static boolean drain(RespParser p, Outcome o) {
        while (true) {
            int r = p.next();
            if (r == RespParser.COMMAND) {
                o.commands.add(toList(p.args()));
            } else if (r == RespParser.NEED_MORE) {
                o.needMore = true;
                return true;
            } else if (r == RespParser.ERROR) {
                o.error = p.error();
                return false;
            } else {
                fail("unexpected result " + r);
            }
        }
    }

    private static Outcome whole(byte[] input, long maxBulk) {
        RespParser p = new RespParser(maxBulk);
        Outcome o = new Outcome();
        p.feed(input, 0, input.length);
        drain(p, o);
        return o;
    }

    private static Outcome byteAtATime(byte[] input, long maxBulk) {
        RespParser p = new RespParser(maxBulk);
        Outcome o = new Outcome();
        for (int i = 0; i < input.length; i++) {
            p.feed(input, i, 1);
            o.needMore = false;
            if (!drain(p, o)) {
                break;
            }
        }
        return o;
    }

    private static Outcome whole(String input) {
        return whole(input.getBytes(StandardCharsets.ISO_8859_1), MAX_BULK);
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String multibulk(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }

    private static List<String> cmd(String... args) {
        return Arrays.asList(args);
    }

    private static void assertSameWholeAndByteAtATime(String input, List<List<String>> expected) {
        byte[] b = latin1(input);
        Outcome w = whole(b, MAX_BULK);
        Outcome s = byteAtATime(b, MAX_BULK);
        assertEquals(expected, w.commands, "fed whole: " + printable(input));
        assertEquals(expected, s.commands, "fed one byte at a time: " + printable(input));
        assertEquals(w.error, s.error, "same error either way: " + printable(input));
    }

    private static String printable(String s) {
        return s.length() > 200 ? s.substring(0, 200).replace("\r", "\\r").replace("\n", "\\n") + "..."
            : s.replace("\r", "\\r").replace("\n", "\\n");
    }

    // ---- framing ----

    @Test
    void shouldDecodeMultibulkTheSameWholeAndOneByteAtATime() {
        assertSameWholeAndByteAtATime(multibulk("SET", "key", "value"), List.of(cmd("SET", "key", "value")));
        assertSameWholeAndByteAtATime(multibulk("PING"), List.of(cmd("PING")));
        assertSameWholeAndByteAtATime(multibulk("SET", "k", ""), List.of(cmd("SET", "k", "")));
    }

    @Test
    void shouldKeepCrlfAndBinaryBytesInsideBulkData() {
        String v = "a\r\nb\u0000\u00ff*3\r\n$1\r\n";
        assertSameWholeAndByteAtATime(multibulk("SET", "bin", v), List.of(cmd("SET", "bin", v)));
    }

    @Test
    void shouldDecodeInlineCommandsTheSameWholeAndOneByteAtATime() {
        assertSameWholeAndByteAtATime("PING\r\n", List.of(cmd("PING")));
        assertSameWholeAndByteAtATime("set   key  value\n", List.of(cmd("set", "key", "value")));
        assertSameWholeAndByteAtATime("  get\tkey \r\n", List.of(cmd("get", "key")));
    }

    @Test
    void shouldDecodeInlineQuotesAndEscapes() {
        assertSameWholeAndByteAtATime("set \"a b\" 'c'\r\n", List.of(cmd("set", "a b", "c")));
        assertSameWholeAndByteAtATime("echo \"x\\ny\\t\\\"z\\\\\"\r\n", List.of(cmd("echo", "x\ny\t\"z\\")));
        assertSameWholeAndByteAtATime("echo \"\\x41\\x7a\\xff\"\r\n", List.of(cmd("echo", "Az\u00ff")));
        assertSameWholeAndByteAtATime("echo 'it\\'s' \"\"\r\n", List.of(cmd("echo", "it's", "")));
        // inside single quotes only \' is an escape
        assertSameWholeAndByteAtATime("echo 'a\\nb'\r\n", List.of(cmd("echo", "a\\nb")));
        // quotes in the middle of a word open a quoted part, as in sdssplitargs
        assertSameWholeAndByteAtATime("echo ab\"c d\"\r\n", List.of(cmd("echo", "abc d")));
        // only C isspace() characters separate words (Java's isWhitespace would also take 0x1F)
        assertSameWholeAndByteAtATime("\u001fping \u000bx\r\n", List.of(cmd("\u001fping", "x")));
    }

    @Test
    void shouldIgnoreEmptyInlineLines() {
        assertSameWholeAndByteAtATime("\r\n\r\n\nPING\r\n   \r\n\nECHO x\n",
            List.of(cmd("PING"), cmd("ECHO", "x")));
    }

    @Test
    void shouldSkipEmptyAndNullMultibulks() {
        assertSameWholeAndByteAtATime("*0\r\n*-1\r\n" + multibulk("PING") + "*0\r\n",
            List.of(cmd("PING")));
    }

    @Test
    void shouldDecodeEveryCommandOfAPipelineInOrder() {
        StringBuilder sb = new StringBuilder();
        List<List<String>> expected = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            if (i % 3 == 0) {
                sb.append("SET k").append(i).append(" v").append(i).append("\r\n");
            } else {
                sb.append(multibulk("SET", "k" + i, "v" + i));
            }
            expected.add(cmd("SET", "k" + i, "v" + i));
        }
        Outcome o = whole(sb.toString());
        assertEquals(expected, o.commands);
        assertEquals(null, o.error);
        assertTrue(o.needMore);
        // and split at every possible point between two reads
        byte[] b = latin1(multibulk("SET", "a", "1") + "GET a\r\n" + multibulk("DEL", "a"));
        for (int cut = 0; cut <= b.length; cut++) {
            RespParser p = new RespParser(MAX_BULK);
            Outcome split = new Outcome();
            p.feed(b, 0, cut);
            drain(p, split);
            p.feed(b, cut, b.length - cut);
            drain(p, split);
            assertEquals(List.of(cmd("SET", "a", "1"), cmd("GET", "a"), cmd("DEL", "a")), split.commands, "cut=" + cut);
        }
    }

    @Test
    void shouldDecodeAPartialCommandOnlyWhenComplete() {
        RespParser p = new RespParser(MAX_BULK);
        byte[] b = latin1(multibulk("SET", "key", "value"));
        p.feed(b, 0, b.length - 1);
        assertEquals(RespParser.NEED_MORE, p.next());
        assertEquals(b.length - 1, p.pending());
        p.feed(b, b.length - 1, 1);
        assertEquals(RespParser.COMMAND, p.next());
        assertEquals(cmd("SET", "key", "value"), toList(p.args()));
        assertEquals(RespParser.NEED_MORE, p.next());
    }

    @Test
    void shouldDecodeALargeBulkArrivingInChunks() {
        byte[] value = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(value);
        byte[] head = latin1("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + value.length + "\r\n");
        RespParser p = new RespParser(MAX_BULK);
        p.feed(head, 0, head.length);
        assertEquals(RespParser.NEED_MORE, p.next());
        for (int off = 0; off < value.length; off += 65536) {
            p.feed(value, off, Math.min(65536, value.length - off));
            assertEquals(RespParser.NEED_MORE, p.next());
        }
        p.feed(latin1("\r\n"), 0, 2);
        assertEquals(RespParser.COMMAND, p.next());
        Args a = p.args();
        assertEquals(3, a.argc());
        assertTrue(Arrays.equals(value, a.bytes(2)));
    }

    // ---- limits and errors ----

    @Test
    void shouldRejectBulkLongerThanLimit() {
        long limit = 1024 * 1024;
        Outcome o = whole(latin1("*2\r\n$3\r\nGET\r\n$" + (limit + 1) + "\r\n"), limit);
        assertEquals("Protocol error: invalid bulk length", o.error);
        Outcome atLimit = whole(latin1("*2\r\n$3\r\nGET\r\n$" + limit + "\r\n"), limit);
        assertEquals(null, atLimit.error);
        assertTrue(atLimit.needMore);
    }

    @Test
    void shouldRejectBulkLengthWithoutAllocatingIt() {
        RespParser p = new RespParser(MAX_BULK);
        int before = p.capacity();
        byte[] b = latin1("*1\r\n$" + (MAX_BULK) + "\r\nab");
        p.feed(b, 0, b.length);
        assertEquals(RespParser.NEED_MORE, p.next());
        assertEquals(before, p.capacity(), "the buffer grows with data received, not with the declared length");
        assertEquals("Protocol error: invalid bulk length", whole("*1\r\n$99999999999999999999999\r\n").error);
    }

    @Test
    void shouldRejectNegativeOrMalformedBulkLength() {
        assertEquals("Protocol error: invalid bulk length", whole("*1\r\n$-1\r\n").error);
        assertEquals("Protocol error: invalid bulk length", whole("*1\r\n$x\r\n").error);
        assertEquals("Protocol error: invalid bulk length", whole("*1\r\n$\r\n").error);
        assertEquals("Protocol error: invalid bulk length", whole("*1\r\n$1 \r\n").error);
    }

    @Test
    void shouldRejectBigRequestsFromAClientThatMustAuthenticate() {
        // texts and limits as redis-server 7.0.15 with requirepass set
        RespParser p = new RespParser(MAX_BULK);
        p.setUnauthenticated(true);
        byte[] ten = latin1("*10\r\n");
        p.feed(ten, 0, ten.length);
        assertEquals(RespParser.NEED_MORE, p.next());
        RespParser q = new RespParser(MAX_BULK);
        q.setUnauthenticated(true);
        byte[] eleven = latin1("*11\r\n");
        q.feed(eleven, 0, eleven.length);
        assertEquals(RespParser.ERROR, q.next());
        assertEquals("Protocol error: unauthenticated multibulk length", q.error());

        RespParser b = new RespParser(MAX_BULK);
        b.setUnauthenticated(true);
        byte[] ok = latin1("*2\r\n$4\r\nAUTH\r\n$16384\r\n");
        b.feed(ok, 0, ok.length);
        assertEquals(RespParser.NEED_MORE, b.next());
        RespParser c = new RespParser(MAX_BULK);
        c.setUnauthenticated(true);
        byte[] big = latin1("*2\r\n$4\r\nAUTH\r\n$16385\r\n");
        c.feed(big, 0, big.length);
        assertEquals(RespParser.ERROR, c.next());
        assertEquals("Protocol error: unauthenticated bulk length", c.error());

        // once authenticated the normal limits apply again
        RespParser d = new RespParser(MAX_BULK);
        d.setUnauthenticated(false);
        d.feed(big, 0, big.length);
        assertEquals(RespParser.NEED_MORE, d.next());
    }

    @Test
    void shouldParseLengthsExactlyAsRedisString2ll() {
        // replies checked against redis-server 7.0.15: no '+', no leading zeros, no "-0"
        assertEquals("Protocol error: invalid bulk length", whole("*1\r\n$04\r\nPING\r\n").error);
        assertEquals("Protocol error: invalid bulk length", whole("*1\r\n$+4\r\nPING\r\n").error);
        assertEquals("Protocol error: invalid bulk length", whole("*1\r\n$-0\r\n").error);
        assertEquals("Protocol error: invalid multibulk length", whole("*01\r\n$4\r\nPING\r\n").error);
        assertEquals("Protocol error: invalid multibulk length", whole("*-0\r\n").error);
        assertEquals("Protocol error: invalid multibulk length", whole("*1\n$4\r\nPING\r\n").error);
        assertEquals("Protocol error: invalid bulk length", whole("*1\r\n$4\n\nPING\r\n").error);
        assertEquals(List.of(cmd("ECHO", "")), whole("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n").commands);
        // like Redis, the two bytes after bulk data are skipped unchecked
        assertEquals(List.of(cmd("PING"), cmd("PING")), whole("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n").commands);
        assertEquals(List.of(cmd("PING")), whole("*1\r\n$4\r\nPING\r\r\n").commands);
    }

    @Test
    void shouldNotAllocateForAHugeMultibulkCountWithoutData() {
        RespParser p = new RespParser(MAX_BULK);
        int before = p.capacity();
        byte[] b = latin1("*" + Integer.MAX_VALUE + "\r\n");
        p.feed(b, 0, b.length);
        assertEquals(RespParser.NEED_MORE, p.next());
        assertEquals(before, p.capacity());
        byte[] arg = latin1("$4\r\nPING\r\n");
        p.feed(arg, 0, arg.length);
        assertEquals(RespParser.NEED_MORE, p.next());
    }

    @Test
    void shouldRejectMultibulkCountOverIntMax() {
        assertEquals("Protocol error: invalid multibulk length", whole("*2147483648\r\n").error);
        assertEquals("Protocol error: invalid multibulk length", whole("*abc\r\n").error);
        assertEquals("Protocol error: invalid multibulk length", whole("*\r\n").error);
    }

    @Test
    void shouldRejectMultibulkCountLineOver64KB() {
        char[] digits = new char[64 * 1024 + 10];
        Arrays.fill(digits, '1');
        Outcome o = whole("*" + new String(digits));
        assertEquals("Protocol error: too big mbulk count string", o.error);
        Outcome s = byteAtATime(latin1("*" + new String(digits)), MAX_BULK);
        assertEquals("Protocol error: too big mbulk count string", s.error);
    }

    @Test
    void shouldRejectBulkCountLineOver64KB() {
        char[] digits = new char[64 * 1024 + 10];
        Arrays.fill(digits, '1');
        assertEquals("Protocol error: too big bulk count string", whole("*1\r\n$" + new String(digits)).error);
    }

    @Test
    void shouldRejectInlineLineOver64KB() {
        char[] text = new char[64 * 1024 + 10];
        Arrays.fill(text, 'a');
        assertEquals("Protocol error: too big inline request", whole(new String(text)).error);
        assertEquals("Protocol error: too big inline request", byteAtATime(latin1(new String(text)), MAX_BULK).error);
    }

    @Test
    void shouldAcceptAnInlineLineJustUnder64KB() {
        char[] text = new char[60 * 1024];
        Arrays.fill(text, 'a');
        Outcome o = whole("echo " + new String(text) + "\r\n");
        assertEquals(null, o.error);
        assertEquals(List.of(cmd("echo", new String(text))), o.commands);
    }

    @Test
    void shouldRejectAnArgumentThatIsNotABulk() {
        assertEquals("Protocol error: expected '$', got 'x'", whole("*2\r\n$3\r\nGET\r\nx\r\n").error);
        assertEquals("Protocol error: expected '$', got ':'", whole("*1\r\n:1\r\n").error);
        assertEquals("Protocol error: expected '$', got 'x'", byteAtATime(latin1("*2\r\n$3\r\nGET\r\nxyz"), MAX_BULK).error);
    }

    @Test
    void shouldRejectUnbalancedQuotes() {
        assertEquals("Protocol error: unbalanced quotes in request", whole("set \"a b\r\n").error);
        assertEquals("Protocol error: unbalanced quotes in request", whole("set 'a\r\n").error);
        // a closing quote must be followed by a space or the end of the line
        assertEquals("Protocol error: unbalanced quotes in request", whole("set \"a\"b\r\n").error);
        assertEquals("Protocol error: unbalanced quotes in request", whole("set 'a'b\r\n").error);
        assertEquals("Protocol error: unbalanced quotes in request", whole("echo \"ab\\\r\n").error);
    }

    @Test
    void shouldReturnCommandsBeforeTheErrorThatFollowsThem() {
        Outcome o = whole(multibulk("PING") + "*1\r\n$x\r\n" + multibulk("PING"));
        assertEquals(List.of(cmd("PING")), o.commands);
        assertEquals("Protocol error: invalid bulk length", o.error);
    }

    @Test
    void shouldKeepTheBufferSmallAfterABigCommandWhenIdle() {
        RespParser p = new RespParser(MAX_BULK);
        byte[] big = latin1(multibulk("SET", "k", "x".repeat(1024 * 1024)));
        p.feed(big, 0, big.length);
        assertEquals(RespParser.COMMAND, p.next());
        assertEquals(RespParser.NEED_MORE, p.next());
        p.shrinkIfIdle();
        assertTrue(p.capacity() <= 64 * 1024, "capacity=" + p.capacity());
        byte[] next = latin1(multibulk("GET", "k"));
        p.feed(next, 0, next.length);
        assertEquals(RespParser.COMMAND, p.next());
        assertEquals(cmd("GET", "k"), toList(p.args()));
    }

    // ---- robustness ----

    @Test
    void shouldSurviveRandomGarbage() {
        // preemptive: a decoder stuck in a loop fails the test instead of hanging the build
        assertTimeoutPreemptively(Duration.ofSeconds(120), RespParserTest::feedRandomGarbage);
    }

    private static void feedRandomGarbage() {
        Random rnd = new Random(0x5715A7AL);
        byte[] alphabet = latin1("*$\r\n\r\n0123456789-+:\"' \\xabcSETGET\t\u0000\u00ff");
        long deadline = System.nanoTime() + 20_000_000_000L;
        int iterations = 0;
        for (; iterations < 20_000 && System.nanoTime() < deadline; iterations++) {
            int n = 1 + rnd.nextInt(200);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                int kind = rnd.nextInt(10);
                if (kind < 6) {
                    out.write(alphabet[rnd.nextInt(alphabet.length)]);
                } else if (kind < 8) {
                    out.write(rnd.nextInt(256));
                } else {
                    String frag = multibulk("SET", "k" + rnd.nextInt(10), "v");
                    byte[] f = latin1(frag.substring(0, rnd.nextInt(frag.length() + 1)));
                    out.write(f, 0, f.length);
                }
            }
            byte[] input = out.toByteArray();
            RespParser p = new RespParser(1024 * 1024);
            int pos = 0;
            boolean stop = false;
            while (pos < input.length && !stop) {
                int chunk = 1 + rnd.nextInt(Math.min(32, input.length - pos));
                p.feed(input, pos, chunk);
                pos += chunk;
                // a decoder making progress returns at most one COMMAND per byte it holds
                for (int calls = 0; ; calls++) {
                    if (calls > input.length + 2) {
                        fail("no progress decoding seed input #" + iterations);
                    }
                    int r;
                    try {
                        r = p.next();
                    } catch (RuntimeException e) {
                        throw new AssertionError("exception decoding input #" + iterations + ": "
                            + Arrays.toString(input), e);
                    }
                    if (r == RespParser.COMMAND) {
                        assertTrue(p.args().argc() > 0, "a command has at least one argument");
                        continue;
                    }
                    if (r == RespParser.ERROR) {
                        assertTrue(p.error().startsWith("Protocol error: "), p.error());
                        stop = true;
                    } else {
                        assertEquals(RespParser.NEED_MORE, r);
                    }
                    break;
                }
            }
        }
        assertTrue(iterations > 100, "ran " + iterations + " iterations");
    }

    @Test
    void shouldDecodeRandomValidPipelinesTheSameInAnyChunking() {
        Random rnd = new Random(42);
        for (int iter = 0; iter < 300; iter++) {
            StringBuilder sb = new StringBuilder();
            List<List<String>> expected = new ArrayList<>();
            int cmds = 1 + rnd.nextInt(20);
            for (int c = 0; c < cmds; c++) {
                int argc = 1 + rnd.nextInt(5);
                String[] args = new String[argc];
                for (int i = 0; i < argc; i++) {
                    char[] chars = new char[rnd.nextInt(12)];
                    for (int j = 0; j < chars.length; j++) {
                        chars[j] = (char) rnd.nextInt(256);
                    }
                    args[i] = new String(chars);
                }
                sb.append(multibulk(args));
                expected.add(Arrays.asList(args));
            }
            byte[] b = latin1(sb.toString());
            RespParser p = new RespParser(MAX_BULK);
            Outcome o = new Outcome();
            int pos = 0;
            while (pos < b.length) {
                int chunk = 1 + rnd.nextInt(Math.min(40, b.length - pos));
                p.feed(b, pos, chunk);
                pos += chunk;
                assertTrue(drain(p, o));
            }
            assertEquals(expected, o.commands, "iteration " + iter);
        }
    }
}
