package io.strata.server;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.resps.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Helpers for the tiering tests: the DEBUG SPILL / DEBUG TIER debug commands, the INFO Tiering
 * fields, and a pipelined capture of a whole dataset (values, types and exact expiry times) in a
 * canonical form that two servers, or one server before and after a restart, can be compared by.
 */
final class Tiering {
    private Tiering() {
    }

    static final ProtocolCommand DEBUG = () -> "DEBUG".getBytes(StandardCharsets.US_ASCII);

    static String text(Object reply) {
        return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    static String debug(Jedis j, String... args) {
        return text(j.sendCommand(DEBUG, args));
    }

    /** DEBUG TIER: "hot", "cold" or "none". */
    static String tier(Jedis j, String key) {
        return debug(j, "TIER", key);
    }

    /** DEBUG SPILL of one key, which must answer +OK. */
    static void spill(Jedis j, String key) {
        assertEquals("OK", debug(j, "SPILL", key), "DEBUG SPILL " + key);
    }

    /** DEBUG SPILL of every key, pipelined; each must answer +OK. */
    static void spillAll(Jedis j, Collection<String> keys) {
        Pipeline p = j.pipelined();
        List<Response<Object>> replies = new ArrayList<>();
        List<String> order = new ArrayList<>(keys);
        for (String k : order) {
            replies.add(p.sendCommand(DEBUG, "SPILL", k));
        }
        p.sync();
        for (int i = 0; i < order.size(); i++) {
            assertEquals("OK", text(replies.get(i).get()), "DEBUG SPILL " + order.get(i));
        }
    }

    /** INFO tiering as a map; the section must be there. */
    static Map<String, String> info(Jedis j) {
        String text = j.info("tiering");
        Map<String, String> f = AdminCommandsTest.parseInfo(text);
        assertNotNull(f.get("tier_spill"), "INFO tiering has no tier_spill field:\n" + text);
        return f;
    }

    static long info(Jedis j, String field) {
        String v = info(j).get(field);
        assertNotNull(v, "no INFO tiering field " + field);
        return Long.parseLong(v);
    }

    static long infoField(Jedis j, String section, String field) {
        String v = AdminCommandsTest.parseInfo(j.info(section)).get(field);
        assertNotNull(v, "no INFO " + section + " field " + field);
        return Long.parseLong(v);
    }

    /** keys= of dbN in INFO keyspace (0 when the db line is absent, as for an empty db). */
    static long keyspaceKeys(Jedis j, int db) {
        String line = AdminCommandsTest.parseInfo(j.info("keyspace")).get("db" + db);
        if (line == null) {
            return 0;
        }
        for (String part : line.split(",")) {
            if (part.startsWith("keys=")) {
                return Long.parseLong(part.substring(5));
            }
        }
        throw new AssertionError("no keys= in db" + db + ":" + line);
    }

    /**
     * Every key of databases 0..dbs-1 as "db:key" → "type|pexpiretime|content", content canonical
     * (strings as Base64 of their bytes, sets and hashes sorted). Pipelined, so it stays quick for
     * tens of thousands of keys. Reads every value, so it promotes every cold key.
     */
    static Map<String, String> capture(Jedis j, int dbs) {
        Map<String, String> out = new TreeMap<>();
        for (int db = 0; db < dbs; db++) {
            j.select(db);
            List<String> keys = new ArrayList<>(new TreeSet<>(j.keys("*")));
            Pipeline p = j.pipelined();
            List<Response<String>> types = new ArrayList<>();
            List<Response<Long>> expiries = new ArrayList<>();
            for (String k : keys) {
                types.add(p.type(k));
                expiries.add(p.pexpireTime(k));
            }
            p.sync();
            p = j.pipelined();
            List<Response<?>> contents = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get(i);
                switch (types.get(i).get()) {
                    case "string": contents.add(p.get(k.getBytes(StandardCharsets.UTF_8))); break;
                    case "list": contents.add(p.lrange(k, 0, -1)); break;
                    case "set": contents.add(p.smembers(k)); break;
                    case "hash": contents.add(p.hgetAll(k)); break;
                    case "zset": contents.add(p.zrangeWithScores(k, 0, -1)); break;
                    default: contents.add(null);
                }
            }
            p.sync();
            for (int i = 0; i < keys.size(); i++) {
                Response<?> c = contents.get(i);
                out.put(db + ":" + keys.get(i), types.get(i).get() + "|" + expiries.get(i).get() + "|"
                    + canonical(c == null ? "?" : c.get()));
            }
        }
        j.select(0);
        return out;
    }

    /** A reply value in a form whose equals/toString compare contents (bytes, unordered sets, maps). */
    static Object canonical(Object v) {
        if (v instanceof byte[] b) {
            return Base64.getEncoder().encodeToString(b);
        }
        if (v instanceof java.util.Set<?> s) {
            return new TreeSet<>(s.stream().map(String::valueOf).toList()).toString();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, String> sorted = new TreeMap<>();
            m.forEach((k, x) -> sorted.put(String.valueOf(k), String.valueOf(x)));
            return sorted.toString();
        }
        if (v instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Tuple) {
            List<String> z = new ArrayList<>();
            for (Object o : l) {
                Tuple t = (Tuple) o;
                z.add(t.getElement() + "=" + t.getScore());
            }
            return z.toString();
        }
        return String.valueOf(v);
    }

    /** Deterministic bytes for a seed: incompressible printable text (6 bits per char). */
    static byte[] noise(long seed, int len) {
        byte[] out = new byte[len];
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < len; i++) {
            if (i % 10 == 0) {
                x = mix(x + 0x9E3779B97F4A7C15L);
            }
            out[i] = (byte) ALPHABET[(int) ((x >>> (6 * (i % 10))) & 63)];
        }
        return out;
    }

    private static final char[] ALPHABET =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    /** SplitMix64's finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
