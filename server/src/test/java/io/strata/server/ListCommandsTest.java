package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.args.ListPosition;
import redis.clients.jedis.params.LPosParams;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of the non-blocking list commands, replies compared with Redis 7.0.15 byte for byte. */
class ListCommandsTest {
    static final String WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void flush() {
        try (Jedis j = server.jedis()) {
            j.flushAll();
        }
    }

    private static String bulks(String... items) {
        StringBuilder sb = new StringBuilder("*").append(items.length).append("\r\n");
        for (String s : items) {
            sb.append('$').append(s.length()).append("\r\n").append(s).append("\r\n");
        }
        return sb.toString();
    }

    @Test
    @Covers({"lpush", "rpush", "llen", "lrange", "lindex"})
    @DisplayName("LPUSH prepends in argument order, RPUSH appends, and LRANGE/LINDEX read with negative and out-of-range indexes")
    void pushAndRead() throws Exception {
        try (Jedis j = server.jedis()) {
            assertEquals(3, j.rpush("l", "a", "b", "c"));
            assertEquals(5, j.lpush("l", "y", "z"));
            assertEquals(List.of("z", "y", "a", "b", "c"), j.lrange("l", 0, -1));
            assertEquals(5, j.llen("l"));
            assertEquals(0, j.llen("missing"));
            assertEquals(List.of("b", "c"), j.lrange("l", -2, 100));
            assertEquals(List.of("z", "y", "a", "b", "c"), j.lrange("l", -100, 100));
            assertEquals(List.of(), j.lrange("l", 3, 1));
            assertEquals(List.of(), j.lrange("l", 5, 10));
            assertEquals(List.of(), j.lrange("missing", 0, -1));
            assertEquals("z", j.lindex("l", 0));
            assertEquals("c", j.lindex("l", -1));
            assertEquals("z", j.lindex("l", -5));
            assertNull(j.lindex("l", -6));
            assertNull(j.lindex("l", 5));
            assertNull(j.lindex("missing", 0));
        }
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("LRANGE", "l", "abc", "1"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("LINDEX", "l", "abc"));
            assertEquals("*0\r\n", c.call("LRANGE", "l", "-9223372036854775808", "-9223372036854775808"));
            assertEquals(bulks("z", "y", "a", "b", "c"), c.call("LRANGE", "l", "-9223372036854775808", "9223372036854775807"));
            assertEquals("-ERR wrong number of arguments for 'lpush' command\r\n", c.call("LPUSH", "l"));
        }
    }

    @Test
    @Covers({"lpushx", "rpushx", "lpush"})
    @DisplayName("LPUSHX and RPUSHX push only onto an existing list and never create the key")
    void pushx() throws Exception {
        try (Jedis j = server.jedis()) {
            assertEquals(0, j.lpushx("l", "a"));
            assertEquals(0, j.rpushx("l", "a", "b"));
            assertFalse(j.exists("l"));
            j.lpush("l", "m");
            assertEquals(3, j.lpushx("l", "b", "a"));
            assertEquals(5, j.rpushx("l", "y", "z"));
            assertEquals(List.of("a", "b", "m", "y", "z"), j.lrange("l", 0, -1));
        }
    }

    @Test
    @Covers({"lpop", "rpop", "rpush", "exists"})
    @DisplayName("LPOP/RPOP with and without count give Redis 7.0's RESP2 and RESP3 null and empty replies, and the last pop removes the key")
    void pop() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("$-1\r\n", c.call("LPOP", "l"));
            assertEquals("*-1\r\n", c.call("LPOP", "l", "2"));
            assertEquals("*-1\r\n", c.call("RPOP", "l", "0"));
            assertEquals(":4\r\n", c.call("RPUSH", "l", "a", "b", "c", "d"));
            assertEquals("*0\r\n", c.call("LPOP", "l", "0"));
            assertEquals("-ERR value is out of range, must be positive\r\n", c.call("LPOP", "l", "-1"));
            assertEquals("-ERR value is out of range, must be positive\r\n", c.call("RPOP", "l", "abc"));
            assertEquals("-ERR wrong number of arguments for 'lpop' command\r\n", c.call("LPOP", "l", "1", "2"));
            assertEquals("$1\r\na\r\n", c.call("LPOP", "l"));
            assertEquals("$1\r\nd\r\n", c.call("RPOP", "l"));
            assertEquals(bulks("c", "b"), c.call("RPOP", "l", "10"));
            assertEquals(":0\r\n", c.call("EXISTS", "l"));
            assertEquals(":3\r\n", c.call("RPUSH", "l", "a", "b", "c"));
            assertEquals(bulks("a", "b"), c.call("LPOP", "l", "2"));
            c.call("HELLO", "3");
            assertEquals("_\r\n", c.call("LPOP", "missing"));
            assertEquals("_\r\n", c.call("LPOP", "missing", "3"));
            assertEquals("*1\r\n$1\r\nc\r\n", c.call("LPOP", "l", "3"));
            assertEquals(":0\r\n", c.call("EXISTS", "l"));
        }
    }

    @Test
    @Covers({"lpush", "rpush", "lpushx", "rpushx", "lpop", "rpop", "llen", "lrange", "lindex", "lset",
        "linsert", "lrem", "ltrim", "lpos", "rpoplpush", "lmove", "lmpop", "blpop", "brpop", "brpoplpush",
        "blmove", "blmpop", "set"})
    @DisplayName("Every list command answers WRONGTYPE on a string key, after its own argument checks as Redis orders them")
    void wrongType() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("SET", "s", "x");
            c.call("RPUSH", "l", "a");
            assertEquals(WRONGTYPE, c.call("LPUSH", "s", "a"));
            assertEquals(WRONGTYPE, c.call("RPUSH", "s", "a"));
            assertEquals(WRONGTYPE, c.call("LPUSHX", "s", "a"));
            assertEquals(WRONGTYPE, c.call("RPUSHX", "s", "a"));
            assertEquals(WRONGTYPE, c.call("LPOP", "s"));
            assertEquals(WRONGTYPE, c.call("RPOP", "s", "0"));
            assertEquals(WRONGTYPE, c.call("LLEN", "s"));
            assertEquals(WRONGTYPE, c.call("LRANGE", "s", "0", "-1"));
            assertEquals(WRONGTYPE, c.call("LINDEX", "s", "abc"));
            assertEquals(WRONGTYPE, c.call("LSET", "s", "abc", "x"));
            assertEquals(WRONGTYPE, c.call("LINSERT", "s", "BEFORE", "a", "b"));
            assertEquals("-ERR syntax error\r\n", c.call("LINSERT", "s", "FOO", "a", "b"));
            assertEquals(WRONGTYPE, c.call("LREM", "s", "0", "x"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("LREM", "s", "abc", "x"));
            assertEquals(WRONGTYPE, c.call("LTRIM", "s", "0", "1"));
            assertEquals(WRONGTYPE, c.call("LPOS", "s", "a"));
            assertEquals("-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
                + "or use negative to start from the end of the list\r\n", c.call("LPOS", "s", "a", "RANK", "0"));
            assertEquals(WRONGTYPE, c.call("RPOPLPUSH", "s", "l"));
            assertEquals(WRONGTYPE, c.call("RPOPLPUSH", "l", "s"));
            assertEquals(WRONGTYPE, c.call("LMOVE", "s", "l", "LEFT", "LEFT"));
            assertEquals(WRONGTYPE, c.call("LMOVE", "l", "s", "LEFT", "LEFT"));
            assertEquals(WRONGTYPE, c.call("LMPOP", "2", "missing", "s", "LEFT"));
            assertEquals(WRONGTYPE, c.call("BLPOP", "missing", "s", "1"));
            assertEquals(WRONGTYPE, c.call("BRPOP", "s", "1"));
            assertEquals(WRONGTYPE, c.call("BRPOPLPUSH", "s", "l", "0"));
            assertEquals(WRONGTYPE, c.call("BRPOPLPUSH", "l", "s", "0"));
            assertEquals(WRONGTYPE, c.call("BLMOVE", "s", "l", "LEFT", "LEFT", "0"));
            assertEquals(WRONGTYPE, c.call("BLMPOP", "0", "1", "s", "LEFT"));
            // nothing was moved by the refused commands
            assertEquals(bulks("a"), c.call("LRANGE", "l", "0", "-1"));
            assertEquals("$1\r\nx\r\n", c.call("GET", "s"));
        }
    }

    @Test
    @Covers({"lset", "linsert", "rpush", "lrange"})
    @DisplayName("LSET replaces by index with Redis' errors, LINSERT inserts around the first pivot or answers 0 / -1")
    void lsetAndLinsert() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("-ERR no such key\r\n", c.call("LSET", "l", "0", "x"));
            c.call("RPUSH", "l", "1", "2", "3", "2");
            assertEquals("+OK\r\n", c.call("LSET", "l", "-1", "last"));
            assertEquals("+OK\r\n", c.call("LSET", "l", "0", "first"));
            assertEquals("-ERR index out of range\r\n", c.call("LSET", "l", "4", "x"));
            assertEquals("-ERR index out of range\r\n", c.call("LSET", "l", "-5", "x"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("LSET", "l", "abc", "x"));
            assertEquals(":5\r\n", c.call("LINSERT", "l", "BEFORE", "2", "1.5"));
            assertEquals(":6\r\n", c.call("LINSERT", "l", "after", "2", "2.5"));
            assertEquals(":7\r\n", c.call("LINSERT", "l", "AfTeR", "last", "end"));
            assertEquals(":-1\r\n", c.call("LINSERT", "l", "BEFORE", "nope", "x"));
            assertEquals(":0\r\n", c.call("LINSERT", "missing", "BEFORE", "a", "x"));
            assertEquals("-ERR syntax error\r\n", c.call("LINSERT", "l", "MIDDLE", "2", "x"));
            assertEquals(bulks("first", "1.5", "2", "2.5", "3", "last", "end"), c.call("LRANGE", "l", "0", "-1"));
        }
    }

    @Test
    @Covers({"lrem", "ltrim", "rpush", "lrange", "exists"})
    @DisplayName("LREM removes from the head, the tail or everywhere; LTRIM keeps a range; both delete an emptied list")
    void lremAndLtrim() throws Exception {
        try (Jedis j = server.jedis()) {
            j.rpush("l", "a", "b", "a", "c", "a", "b", "a");
            assertEquals(2, j.lrem("l", 2, "a"));
            assertEquals(List.of("b", "c", "a", "b", "a"), j.lrange("l", 0, -1));
            assertEquals(1, j.lrem("l", -1, "a"));
            assertEquals(List.of("b", "c", "a", "b"), j.lrange("l", 0, -1));
            assertEquals(2, j.lrem("l", 0, "b"));
            assertEquals(0, j.lrem("l", 0, "zz"));
            assertEquals(0, j.lrem("missing", 0, "zz"));
            assertEquals(List.of("c", "a"), j.lrange("l", 0, -1));
            assertEquals(1, j.lrem("l", 0, "c"));
            assertEquals(1, j.lrem("l", 0, "a"));
            assertFalse(j.exists("l"));

            j.rpush("t", "0", "1", "2", "3", "4", "5");
            assertEquals("OK", j.ltrim("t", 1, -2));
            assertEquals(List.of("1", "2", "3", "4"), j.lrange("t", 0, -1));
            assertEquals("OK", j.ltrim("t", -2, 100));
            assertEquals(List.of("3", "4"), j.lrange("t", 0, -1));
            assertEquals("OK", j.ltrim("t", 1, 0));
            assertFalse(j.exists("t"));
            assertEquals("OK", j.ltrim("missing", 0, 1));
        }
        try (RawClient c = new RawClient(server.port())) {
            c.call("RPUSH", "m", "a", "b", "a");
            // -LONG_MIN overflows in Redis too, leaving "remove every match from the tail"
            assertEquals(":2\r\n", c.call("LREM", "m", "-9223372036854775808", "a"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("LTRIM", "m", "abc", "1"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("LREM", "m", "abc", "x"));
        }
    }

    @Test
    @Covers({"lpos", "rpush"})
    @DisplayName("LPOS with RANK, COUNT and MAXLEN finds positions from either end, with Redis' option errors")
    void lpos() throws Exception {
        try (Jedis j = server.jedis()) {
            j.rpush("l", "a", "b", "c", "1", "2", "3", "c", "c");
            assertEquals(2L, j.lpos("l", "c"));
            assertEquals(6L, j.lpos("l", "c", LPosParams.lPosParams().rank(2)));
            assertEquals(7L, j.lpos("l", "c", LPosParams.lPosParams().rank(-1)));
            assertEquals(List.of(2L, 6L), j.lpos("l", "c", LPosParams.lPosParams(), 2));
            assertEquals(List.of(2L, 6L, 7L), j.lpos("l", "c", LPosParams.lPosParams(), 0));
            assertEquals(List.of(7L, 6L), j.lpos("l", "c", LPosParams.lPosParams().rank(-1), 2));
            assertEquals(List.of(2L), j.lpos("l", "c", LPosParams.lPosParams().maxlen(6), 0));
            assertNull(j.lpos("l", "zz"));
            assertEquals(List.of(), j.lpos("l", "zz", LPosParams.lPosParams(), 0));
        }
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
                + "or use negative to start from the end of the list\r\n", c.call("LPOS", "l", "c", "RANK", "0"));
            assertEquals("-ERR COUNT can't be negative\r\n", c.call("LPOS", "l", "c", "COUNT", "-1"));
            assertEquals("-ERR COUNT can't be negative\r\n", c.call("LPOS", "l", "c", "COUNT", "abc"));
            assertEquals("-ERR MAXLEN can't be negative\r\n", c.call("LPOS", "l", "c", "MAXLEN", "-1"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("LPOS", "l", "c", "RANK", "x"));
            assertEquals("-ERR syntax error\r\n", c.call("LPOS", "l", "c", "RANK"));
            assertEquals("-ERR syntax error\r\n", c.call("LPOS", "l", "c", "FOO", "1"));
            assertEquals("$-1\r\n", c.call("LPOS", "missing", "c"));
            assertEquals("*0\r\n", c.call("LPOS", "missing", "c", "COUNT", "0"));
            assertEquals(":7\r\n", c.call("LPOS", "l", "c", "RANK", "-9223372036854775808"));
            assertEquals("*2\r\n:2\r\n:6\r\n", c.call("LPOS", "l", "c", "RANK", "1", "COUNT", "2", "RANK", "-1", "MAXLEN", "0", "RANK", "1"));
        }
    }

    @Test
    @Covers({"lmove", "rpoplpush", "rpush", "lrange", "exists"})
    @DisplayName("LMOVE in all four directions and RPOPLPUSH move one element, rotate a list onto itself and delete an emptied source")
    void moves() throws Exception {
        try (Jedis j = server.jedis()) {
            j.rpush("src", "1", "2", "3", "4", "5");
            assertEquals("1", j.lmove("src", "dst", ListDirection.LEFT, ListDirection.LEFT));
            assertEquals("2", j.lmove("src", "dst", ListDirection.LEFT, ListDirection.RIGHT));
            assertEquals("5", j.lmove("src", "dst", ListDirection.RIGHT, ListDirection.LEFT));
            assertEquals("4", j.lmove("src", "dst", ListDirection.RIGHT, ListDirection.RIGHT));
            assertEquals(List.of("5", "1", "2", "4"), j.lrange("dst", 0, -1));
            assertEquals("3", j.rpoplpush("src", "dst"));
            assertFalse(j.exists("src"));
            assertEquals(List.of("3", "5", "1", "2", "4"), j.lrange("dst", 0, -1));
            assertNull(j.rpoplpush("src", "dst"));
            assertNull(j.lmove("src", "dst", ListDirection.LEFT, ListDirection.LEFT));
            assertEquals("4", j.rpoplpush("dst", "dst"));
            assertEquals("4", j.lmove("dst", "dst", ListDirection.LEFT, ListDirection.RIGHT));
            assertEquals(List.of("3", "5", "1", "2", "4"), j.lrange("dst", 0, -1));
            j.rpush("one", "x");
            assertEquals("x", j.lmove("one", "one", ListDirection.LEFT, ListDirection.RIGHT));
            assertEquals(List.of("x"), j.lrange("one", 0, -1));
        }
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("-ERR syntax error\r\n", c.call("LMOVE", "dst", "x", "UP", "LEFT"));
            assertEquals("-ERR syntax error\r\n", c.call("LMOVE", "dst", "x", "LEFT", "DOWN"));
            assertEquals("$-1\r\n", c.call("LMOVE", "missing", "x", "LEFT", "LEFT"));
        }
    }

    @Test
    @Covers({"lmpop", "rpush", "exists"})
    @DisplayName("LMPOP pops COUNT elements from the first non-empty key and rejects bad numkeys, direction and count as Redis does")
    void lmpop() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("RPUSH", "b", "1", "2", "3");
            assertEquals("*-1\r\n", c.call("LMPOP", "1", "a", "LEFT"));
            assertEquals("*2\r\n$1\r\nb\r\n" + bulks("1"), c.call("LMPOP", "2", "a", "b", "LEFT"));
            assertEquals("*2\r\n$1\r\nb\r\n" + bulks("3", "2"), c.call("LMPOP", "2", "a", "b", "RIGHT", "COUNT", "10"));
            assertEquals(":0\r\n", c.call("EXISTS", "b"));
            assertEquals("-ERR numkeys should be greater than 0\r\n", c.call("LMPOP", "0", "a", "LEFT"));
            assertEquals("-ERR numkeys should be greater than 0\r\n", c.call("LMPOP", "abc", "a", "LEFT"));
            assertEquals("-ERR syntax error\r\n", c.call("LMPOP", "2", "a", "LEFT"));
            assertEquals("-ERR syntax error\r\n", c.call("LMPOP", "9223372036854775807", "a", "LEFT"));
            assertEquals("-ERR syntax error\r\n", c.call("LMPOP", "1", "a", "MIDDLE"));
            assertEquals("-ERR count should be greater than 0\r\n", c.call("LMPOP", "1", "a", "LEFT", "COUNT", "0"));
            assertEquals("-ERR count should be greater than 0\r\n", c.call("LMPOP", "1", "a", "LEFT", "COUNT", "x"));
            assertEquals("-ERR syntax error\r\n", c.call("LMPOP", "1", "a", "LEFT", "COUNT"));
            assertEquals("-ERR syntax error\r\n", c.call("LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"));
            assertEquals("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
                c.call("COMMAND", "GETKEYS", "LMPOP", "3", "a", "b", "c", "LEFT", "COUNT", "2"));
            assertEquals("*2\r\n$1\r\na\r\n$1\r\nb\r\n", c.call("COMMAND", "GETKEYS", "BLMPOP", "0", "2", "a", "b", "LEFT"));
        }
    }

    @Test
    @Covers({"rpush", "lpush", "linsert", "lrem", "lset", "lindex", "lrange", "ltrim", "llen", "lpop", "rpop"})
    @DisplayName("A long list spread over many small nodes (list-max-listpack-size 4) behaves like an array under random edits")
    void manyNodesAgainstModel() throws Exception {
        try (TestServer small = TestServer.start("--list-max-listpack-size", "4"); Jedis j = small.jedis()) {
            Random rnd = new Random(42);
            List<String> model = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                String v = "v" + rnd.nextInt(20);
                if (rnd.nextBoolean()) {
                    j.rpush("l", v);
                    model.add(v);
                } else {
                    j.lpush("l", v);
                    model.add(0, v);
                }
            }
            for (int step = 0; step < 400; step++) {
                int op = rnd.nextInt(7);
                String v = "v" + rnd.nextInt(20);
                if (op == 0 && !model.isEmpty()) {
                    String pivot = model.get(rnd.nextInt(model.size()));
                    boolean after = rnd.nextBoolean();
                    int at = model.indexOf(pivot);
                    j.linsert("l", after ? ListPosition.AFTER : ListPosition.BEFORE, pivot, v);
                    model.add(after ? at + 1 : at, v);
                } else if (op == 1) {
                    int count = rnd.nextInt(5) - 2;
                    long removed = j.lrem("l", count, v);
                    assertEquals(removeModel(model, count, v), removed);
                } else if (op == 2 && !model.isEmpty()) {
                    int i = rnd.nextInt(model.size());
                    j.lset("l", i, v);
                    model.set(i, v);
                } else if (op == 3 && !model.isEmpty()) {
                    assertEquals(model.remove(0), j.lpop("l"));
                } else if (op == 4 && !model.isEmpty()) {
                    assertEquals(model.remove(model.size() - 1), j.rpop("l"));
                } else if (op == 5 && model.size() > 50) {
                    j.ltrim("l", 1, -2);
                    model.remove(0);
                    model.remove(model.size() - 1);
                } else {
                    j.rpush("l", v, v);
                    model.add(v);
                    model.add(v);
                }
                if (step % 25 == 0) {
                    assertEquals(model, j.lrange("l", 0, -1));
                    if (!model.isEmpty()) {
                        int i = rnd.nextInt(model.size());
                        assertEquals(model.get(i), j.lindex("l", i));
                        assertEquals(model.get(i), j.lindex("l", i - model.size()));
                    }
                }
            }
            assertEquals(model.size(), j.llen("l"));
            assertEquals(model, j.lrange("l", 0, -1));
        }
    }

    private static long removeModel(List<String> model, int count, String v) {
        long removed = 0;
        if (count >= 0) {
            for (int i = 0; i < model.size() && (count == 0 || removed < count); ) {
                if (model.get(i).equals(v)) {
                    model.remove(i);
                    removed++;
                } else {
                    i++;
                }
            }
        } else {
            for (int i = model.size() - 1; i >= 0 && removed < -count; i--) {
                if (model.get(i).equals(v)) {
                    model.remove(i);
                    removed++;
                }
            }
        }
        return removed;
    }

    @Test
    @Covers({"rpush", "lpush", "lrange", "lindex", "linsert", "lpop", "rpop"})
    @DisplayName("Large elements and byte-size node limits (list-max-listpack-size -1) keep order and binary content")
    void largeElements() throws Exception {
        try (TestServer small = TestServer.start("--list-max-listpack-size", "-1"); Jedis j = small.jedis()) {
            byte[] key = "big".getBytes();
            List<byte[]> model = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                byte[] v = new byte[i * 397 % 9000 + 1];
                for (int k = 0; k < v.length; k++) {
                    v[k] = (byte) (i + k);
                }
                j.rpush(key, v);
                model.add(v);
            }
            byte[] mid = "middle".getBytes();
            j.linsert(key, ListPosition.BEFORE, model.get(20), mid);
            model.add(20, mid);
            List<byte[]> got = j.lrange(key, 0, -1);
            assertEquals(model.size(), got.size());
            for (int i = 0; i < model.size(); i++) {
                assertTrue(java.util.Arrays.equals(model.get(i), got.get(i)), "element " + i);
            }
            assertTrue(java.util.Arrays.equals(model.get(0), j.lpop(key)));
            assertTrue(java.util.Arrays.equals(model.get(model.size() - 1), j.rpop(key)));
        }
    }

    @Test
    @Covers({"command|info"})
    @DisplayName("COMMAND INFO shows Redis 7.0's arity, flags and key positions for list commands")
    void commandInfo() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            String info = c.call("COMMAND", "INFO", "blpop");
            assertTrue(info.startsWith("*1\r\n*10\r\n$5\r\nblpop\r\n:-3\r\n*3\r\n+write\r\n+noscript\r\n+blocking\r\n:1\r\n:-2\r\n:1\r\n"), info);
            info = c.call("COMMAND", "INFO", "lpush");
            assertTrue(info.contains("$5\r\nlpush\r\n:-3\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"), info);
            info = c.call("COMMAND", "INFO", "blmpop");
            assertTrue(info.contains("$6\r\nblmpop\r\n:-5\r\n*3\r\n+write\r\n+blocking\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n"), info);
            info = c.call("COMMAND", "INFO", "lmove");
            assertTrue(info.contains("$5\r\nlmove\r\n:5\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:2\r\n:1\r\n"), info);
        }
    }

    @Test
    @Covers({"rpush", "lpush", "linsert", "lset", "lrem", "ltrim", "lmove", "lpop", "lmpop", "psubscribe"})
    @DisplayName("List commands publish Redis 7.0's keyspace events, including push-then-pop for LMOVE and del for an emptied list")
    void keyspaceEvents() throws Exception {
        try (TestServer ev = TestServer.start("--notify-keyspace-events", "KEA");
             RawClient sub = new RawClient(ev.port()); Jedis j = ev.jedis()) {
            sub.call("PSUBSCRIBE", "__keyevent@0__:*");
            j.rpush("l", "a", "b");
            j.lpush("l", "z");
            j.linsert("l", ListPosition.BEFORE, "a", "q");
            j.lset("l", 0, "Z");
            j.lrem("l", 1, "q");
            j.ltrim("l", 0, -1);
            j.lmove("l", "d", ListDirection.LEFT, ListDirection.RIGHT);
            j.lpop("l", 5);
            j.lmpop(ListDirection.LEFT, "d");
            String[] expected = {"rpush l", "lpush l", "linsert l", "lset l", "lrem l", "ltrim l",
                "rpush d", "lpop l", "lpop l", "del l", "lpop d", "del d"};
            for (String e : expected) {
                String msg = sub.readReply();
                String[] parts = e.split(" ");
                assertTrue(msg.contains("__keyevent@0__:" + parts[0] + "\r\n$1\r\n" + parts[1] + "\r\n"),
                    "expected " + e + " got " + msg);
            }
        }
    }
}
