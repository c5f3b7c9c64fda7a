package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The struct library's alignment option ({@code !}, {@code !n}) and cmsgpack's unpack_one and
 * unpack_limit, as Redis 7.0's lua_struct.c and lua_cmsgpack.c behave: results, offsets and error
 * texts. Compared byte for byte with a real redis-server where one is installed; the answers that
 * pin the C code's arithmetic (gettoalign, the offsets) are also asserted here.
 */
class ScriptLibsTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Scripts (EVAL ... 0) whose replies must equal redis-server's byte for byte. */
    static final String[] CASES = {
        "return {struct.size('!i'), struct.size('b!i'), struct.size('b!2i'), struct.size('b!d'), struct.size('!4bd')}",
        "return {struct.size('b!i3'), struct.size('bb!8i3'), struct.size('b!xh'), struct.size('!bT'), struct.size('b!c3h')}",
        "return {struct.size('b!i5b'), struct.size('!bi12'), struct.size('<5'), struct.size('zq'), struct.size('b!4 x h')}",
        "return struct.size('!3i')",
        "return struct.size('!0')",
        "return struct.size('=i')",
        "return struct.size('-')",
        "return struct.size('s')",
        "return struct.size('c0')",
        "return struct.size('i33')",
        "return struct.size('c99999999999')",
        "return struct.size()",
        "return {struct.pack('b!4i', 1, 2):byte(1, -1)}",
        "return {struct.pack('!2bi3b', 1, 2, 3):byte(1, -1)}",
        "return {struct.pack('!bi12', 1, 2):byte(1, -1)}",
        "return {struct.pack('s!4i', 'ab', 7):byte(1, -1)}",
        "return {struct.pack('b!4d', 1, 2.5):byte(1, -1)}",
        "return {struct.pack('b!4x', 1):byte(1, -1)}",
        "return {struct.pack('b!4c2', 1, 'ab'):byte(1, -1)}",
        "return {struct.pack('>!4bhi', 1, 2, 3):byte(1, -1)}",
        "return struct.pack('!', 1)",
        "return struct.pack('<5', 1)",
        "return struct.pack('=i', 1)",
        "return struct.pack('z', 1)",
        "return struct.pack('c5', 'ab')",
        "return struct.pack('i', 'x')",
        "return struct.pack('i')",
        "return struct.pack()",
        "return struct.pack('x', 'q')",
        "return {struct.unpack('b!4i', struct.pack('b!4i', 1, 2))}",
        "return {struct.unpack('>!4bi2I', struct.pack('>!4bi2I', -1, -2, 3))}",
        "return {struct.unpack('!f', struct.pack('b!f', 1, 2.5), 2)}",
        "return {struct.unpack('!bd', struct.pack('!bd', 7, -0.5))}",
        "return {struct.unpack('i12', struct.pack('i12', -2))}",
        "return {struct.unpack('bc0', struct.pack('bc0', 3, 'abc'))}",
        "return {struct.unpack('c1c0', '3abc')}",
        "return {struct.unpack('b!4i', 'ab')}",
        "return {struct.unpack('!h', 'ab', 2)}",
        "return {struct.unpack('b', 'ab', 5)}",
        "return {struct.unpack('', 'ab', 5)}",
        "return {struct.unpack('b', 'ab', 0)}",
        "return {struct.unpack('i', 'abcd', 'x')}",
        "return {struct.unpack('i', 'abcd', 1.7)}",
        "return {struct.unpack('c0', 'ab')}",
        "return struct.unpack('i')",
        "return struct.unpack('i', 5)",
        "return {struct.unpack('s', 'abc')}",
        "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}",
        "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)}",
        "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}",
        "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 3)}",
        "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 4)}",
        "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), -1)}",
        "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1.9)}",
        "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 'x')}",
        "return {cmsgpack.unpack_one()}",
        "return {cmsgpack.unpack_one('')}",
        "return {cmsgpack.unpack_one(12)}",
        "return {cmsgpack.unpack_one(string.char(0xcd, 1))}",
        "return {cmsgpack.unpack_one(string.char(0xc1))}",
        "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}",
        "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0)}",
        "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0, 1)}",
        "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), -2)}",
        "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3))}",
        "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 'x')}",
        "return {cmsgpack.unpack_limit(cmsgpack.pack({1, 2}, 'x', 3), 2, 0)}",
        "return {cmsgpack.unpack_limit(cmsgpack.pack({1, 2}, 'x', 3), 5, 5)}",
        "local s = cmsgpack.pack('a', {b = 1}, 'c') local out, off = {}, 0 "
            + "while off ~= -1 do local o, v = cmsgpack.unpack_one(s, off) off = o out[#out + 1] = type(v) end return out",
        "return {cmsgpack.unpack()}",
        "return {cmsgpack.unpack(12)}",
        "return {cmsgpack.unpack({})}",
        "return {cmsgpack.unpack(cmsgpack.pack(7), 'b')}",
        "return {type(redis.debug), type(redis.breakpoint), tostring(redis.breakpoint())}",
        "return tostring(redis.debug('x'))",
        "return select('#', redis.debug('x', 1))",
    };

    @Test
    @Covers({"eval"})
    @DisplayName("struct '!' alignment and cmsgpack.unpack_one/unpack_limit answer byte for byte as redis-server 7.0")
    void repliesMatchRedis() throws Exception {
        assumeTrue(RedisServerProcess.available(), "redis-server not installed");
        try (RedisServerProcess redis = RedisServerProcess.start();
             RawClient ours = new RawClient(server.port()); RawClient theirs = new RawClient(redis.port())) {
            for (String c : CASES) {
                assertEquals(theirs.callBinary("EVAL", c, "0"), ours.callBinary("EVAL", c, "0"), c);
            }
        }
    }

    @Test
    @Covers({"fcall", "function|load"})
    @DisplayName("Functions have no redis.debug nor redis.breakpoint (EVAL's debugger API), as in redis-server 7.0")
    void functionsHaveNoDebuggerApi() throws Exception {
        assumeTrue(RedisServerProcess.available(), "redis-server not installed");
        String lib = "#!lua name=dbgapi\nredis.register_function('dbgapi', function() "
            + "return {type(redis.debug), type(redis.breakpoint), 'end'} end)";
        try (RedisServerProcess redis = RedisServerProcess.start();
             RawClient ours = new RawClient(server.port()); RawClient theirs = new RawClient(redis.port())) {
            for (String[] c : new String[][] {{"FUNCTION", "LOAD", "REPLACE", lib}, {"FCALL", "dbgapi", "0"}}) {
                assertEquals(theirs.callBinary(c), ours.callBinary(c), String.join(" ", c));
            }
            assertEquals("*3\r\n$3\r\nnil\r\n$3\r\nnil\r\n$3\r\nend", ScriptingTest.call(ours, "FCALL", "dbgapi", "0"));
        }
    }

    private static String eval(RawClient c, String script) throws java.io.IOException {
        return ScriptingTest.call(c, "EVAL", script, "0");
    }

    @Test
    @Covers({"eval"})
    @DisplayName("struct pads each option to min(size, !n) from the start of the data; 'c' and 'x' are never padded")
    void structAlignment() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("*5\r\n:4\r\n:8\r\n:6\r\n:16\r\n:12",
                eval(c, "return {struct.size('!i'), struct.size('b!i'), struct.size('b!2i'), struct.size('b!d'), struct.size('!4bd')}"));
            // i3 aligned to 3: the C formula (3 - (len & 2)) & 2; i12 capped at the native 8
            assertEquals("*3\r\n:6\r\n:11\r\n:20", eval(c, "return {struct.size('b!i3'), struct.size('b!i5b'), struct.size('!bi12')}"));
            assertEquals("*8\r\n:1\r\n:0\r\n:0\r\n:0\r\n:2\r\n:0\r\n:0\r\n:0",
                eval(c, "return {struct.pack('b!4i', 1, 2):byte(1, -1)}"));
            assertEquals("*3\r\n:1\r\n:97\r\n:98", eval(c, "return {struct.pack('b!4c2', 1, 'ab'):byte(1, -1)}"));
            assertEquals("*4\r\n:-1\r\n:-2\r\n:3\r\n:9", eval(c, "return {struct.unpack('>!4bi2I', struct.pack('>!4bi2I', -1, -2, 3))}"));
            assertEquals("-ERR user_script:1: alignment 3 is not a power of 2 script: "
                + "b1583c7f709f67f1aa7dc010fe0dd75af90e94d5, on @user_script:1.", eval(c, "return struct.size('!3i')"));
            assertEquals("-ERR user_script:1: bad argument #1 to 'pack' (invalid format option '=') script: "
                + "1f4b35a21aa5149ef857afab202b0cc2dd96ffda, on @user_script:1.", eval(c, "return struct.pack('=i', 1)"));
            assertEquals("-ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: "
                + "9b28a8bb261e2a86c17b2d6780d63db86798a195, on @user_script:1.", eval(c, "return {struct.unpack('b!4i', 'ab')}"));
        }
    }

    @Test
    @Covers({"eval"})
    @DisplayName("cmsgpack.unpack_one/unpack_limit return the next offset first, -1 once the input is used up")
    void msgpackOffsets() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("*2\r\n:1\r\n:1", eval(c, "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}"));
            assertEquals("*2\r\n:-1\r\n:3", eval(c, "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}"));
            assertEquals("*3\r\n:2\r\n:1\r\n:2", eval(c, "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}"));
            assertEquals("*3\r\n:1\r\n:2\r\n:3", eval(c, "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0)}"),
                "limit 0 from offset 0 decodes everything, without an offset");
            assertEquals("*1\r\n:1", eval(c, "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0, 1)}"));
            assertEquals("-ERR user_script:1: Start offset 4 greater than input length 3. script: "
                + "835f0a4619f4a40c04cb29a39b674f2dd64d7de5, on @user_script:1.",
                eval(c, "return {cmsgpack.unpack_one(cmsgpack.pack(1,2,3), 4)}"));
            assertEquals("-ERR user_script:1: Invalid request to unpack with offset of -1 and limit of 3. script: "
                + "0a58dde678f242a44ade83cd08d90c51ba688179, on @user_script:1.",
                eval(c, "return {cmsgpack.unpack_one(cmsgpack.pack(1,2,3), -1)}"));
        }
    }
}
