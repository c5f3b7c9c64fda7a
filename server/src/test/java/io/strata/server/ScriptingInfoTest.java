package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * INFO memory's scripting fields (Redis 7.0 names and order): the Lua states' heaps, the script
 * cache, the function libraries, counted from what is really loaded.
 */
class ScriptingInfoTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static final String LIB = "#!lua name=infolib\n"
        + "redis.register_function('f1', function() return 1 end)\n"
        + "redis.register_function{function_name='f2', callback=function() return 2 end, description='the second'}";

    static Map<String, String> memory(Jedis j) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : j.info("memory").split("\r\n")) {
            int i = line.indexOf(':');
            if (i > 0) {
                m.put(line.substring(0, i), line.substring(i + 1));
            }
        }
        return m;
    }

    private static long n(Map<String, String> m, String k) {
        assertTrue(m.containsKey(k), k + " missing from INFO memory");
        return Long.parseLong(m.get(k));
    }

    private static List<String> scriptingFields(Map<String, String> m) {
        List<String> out = new ArrayList<>();
        for (String k : m.keySet()) {
            if (k.contains("lua") || k.contains("_vm_") || k.contains("script") || k.contains("function")
                || k.contains("librar")) {
                out.add(k);
            }
        }
        return out;
    }

    @Test
    @SuppressWarnings("unchecked")
    @Covers({"memory|stats", "info", "script|load", "script|flush", "function|load", "function|flush"})
    @DisplayName("INFO memory counts cached scripts, functions, libraries and the Lua heaps, and follows SCRIPT/FUNCTION FLUSH")
    void countsFollowTheCacheAndLibraries() {
        try (Jedis j = server.jedis()) {
            j.scriptFlush();
            j.functionFlush();
            Map<String, String> m = memory(j);
            assertEquals(0, n(m, "number_of_cached_scripts"));
            assertEquals(0, n(m, "used_memory_scripts_eval"));
            assertEquals(0, n(m, "number_of_functions"));
            assertEquals(0, n(m, "number_of_libraries"));
            assertEquals(0, n(m, "used_memory_functions"));

            String body = "return '" + "x".repeat(1000) + "'";
            j.scriptLoad(body);
            j.eval("return 1");
            m = memory(j);
            assertEquals(2, n(m, "number_of_cached_scripts"));
            long eval = n(m, "used_memory_scripts_eval");
            assertTrue(eval >= body.length() + "return 1".length() + 2 * 40, "scripts_eval=" + eval);
            long vm = n(m, "used_memory_vm_eval");
            assertTrue(vm > 10_000 && vm % 1024 == 0, "a Lua 5.1 state with Redis' libraries is tens of KB: " + vm);
            assertEquals(vm, n(m, "used_memory_lua"));

            j.functionLoad(LIB);
            m = memory(j);
            assertEquals(2, n(m, "number_of_functions"));
            assertEquals(1, n(m, "number_of_libraries"));
            long fns = n(m, "used_memory_functions");
            assertTrue(fns >= LIB.length(), "functions=" + fns);
            long vmFn = n(m, "used_memory_vm_functions");
            assertTrue(vmFn > 10_000, "vm_functions=" + vmFn);
            assertEquals(n(m, "used_memory_vm_eval") + vmFn, n(m, "used_memory_vm_total"));
            assertEquals(n(m, "used_memory_scripts_eval") + fns, n(m, "used_memory_scripts"));
            // MEMORY STATS shows the same two caches
            List<Object> stats = (List<Object>) j.sendCommand(redis.clients.jedis.Protocol.Command.MEMORY, "STATS");
            Map<String, Object> st = new LinkedHashMap<>();
            for (int i = 0; i + 1 < stats.size(); i += 2) {
                st.put(new String((byte[]) stats.get(i), java.nio.charset.StandardCharsets.UTF_8), stats.get(i + 1));
            }
            assertEquals(n(m, "used_memory_scripts_eval"), (long) (Long) st.get("lua.caches"));
            assertEquals(fns, (long) (Long) st.get("functions.caches"));

            j.scriptFlush();
            j.functionFlush();
            m = memory(j);
            assertEquals(0, n(m, "number_of_cached_scripts"));
            assertEquals(0, n(m, "used_memory_scripts_eval"));
            assertEquals(0, n(m, "number_of_functions"));
            assertEquals(0, n(m, "number_of_libraries"));
            assertEquals(0, n(m, "used_memory_functions"));
        }
    }

    @Test
    @Covers({"info"})
    @DisplayName("INFO memory names the scripting fields as redis-server 7.0 does, in its order")
    void fieldNamesMatchRedis() throws Exception {
        assumeTrue(RedisServerProcess.available(), "redis-server not installed");
        try (RedisServerProcess redis = RedisServerProcess.start();
             Jedis theirs = new Jedis("127.0.0.1", redis.port()); Jedis ours = server.jedis()) {
            assertEquals(scriptingFields(memory(theirs)), scriptingFields(memory(ours)));
        }
    }
}
