package io.strata.server;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.resps.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds datasets of every type and encoding through a client, and reads a whole dataset back
 * into a canonical, comparable form (without DUMP), so two servers can be compared key by key.
 */
final class Datasets {
    private Datasets() {
    }

    /**
     * Fills databases 0..2 with strings (int, embstr, raw, long and compressible), lists, sets,
     * hashes and zsets both small (listpack, intset) and large (quicklist of several nodes,
     * hashtable, skiplist), a share of them with a TTL of an hour or more. Deterministic per seed.
     */
    static void populate(Jedis j, long seed, int keysPerDb) {
        Random rnd = new Random(seed);
        for (int db = 0; db < 3; db++) {
            j.select(db);
            Pipeline p = j.pipelined();
            for (int i = 0; i < keysPerDb; i++) {
                String k = "k:" + db + ":" + i;
                int kind = i % 12;
                switch (kind) {
                    case 0: p.set(k, Long.toString(rnd.nextLong())); break;
                    case 1: p.set(k, Integer.toString(rnd.nextInt(100))); break;
                    case 2: p.set(k, "v" + rnd.nextInt() + "é"); break;
                    case 3: p.set(k, "x".repeat(60 + rnd.nextInt(200))); break; // LZF-compressible
                    case 4: { // small list
                        for (int e = 0; e < 5; e++) {
                            p.rpush(k, "e" + rnd.nextInt(1000));
                        }
                        break;
                    }
                    case 5: { // large list: several quicklist nodes
                        String[] els = new String[300 + rnd.nextInt(300)];
                        for (int e = 0; e < els.length; e++) {
                            els[e] = e % 7 == 0 ? Integer.toString(rnd.nextInt()) : "elem-" + e + "-" + rnd.nextInt(50);
                        }
                        p.rpush(k, els);
                        break;
                    }
                    case 6: { // intset
                        for (int e = 0; e < 10; e++) {
                            p.sadd(k, Integer.toString(rnd.nextInt(100000) - 50000));
                        }
                        break;
                    }
                    case 7: { // hashtable set
                        for (int e = 0; e < 600; e++) {
                            p.sadd(k, e % 3 == 0 ? Integer.toString(e) : "m" + e);
                        }
                        break;
                    }
                    case 8: { // listpack hash
                        for (int e = 0; e < 8; e++) {
                            p.hset(k, "f" + e, "v" + rnd.nextInt(1000));
                        }
                        break;
                    }
                    case 9: { // hashtable hash: many fields, one long value
                        for (int e = 0; e < 600; e++) {
                            p.hset(k, "field" + e, Integer.toString(rnd.nextInt()));
                        }
                        p.hset(k, "long", "y".repeat(100));
                        break;
                    }
                    case 10: { // listpack zset
                        for (int e = 0; e < 10; e++) {
                            p.zadd(k, rnd.nextInt(100) / 4.0, "z" + e);
                        }
                        break;
                    }
                    default: { // skiplist zset, with inf and negative scores
                        for (int e = 0; e < 200; e++) {
                            p.zadd(k, rnd.nextGaussian() * 1000, "member-" + e);
                        }
                        p.zadd(k, Double.POSITIVE_INFINITY, "top");
                        p.zadd(k, Double.NEGATIVE_INFINITY, "bottom");
                        break;
                    }
                }
                if (rnd.nextInt(4) == 0) {
                    p.pexpire(k, 3_600_000L + rnd.nextInt(1_000_000));
                }
            }
            p.sync();
        }
        j.select(0);
    }

    /**
     * Every key of databases 0..dbs-1 as "db:key" → "type|encoding|ttl?|content", content in a
     * canonical order (sets and hashes sorted). {@code withEncoding} false leaves the encoding out.
     */
    static Map<String, String> capture(Jedis j, int dbs, boolean withEncoding) {
        Map<String, String> out = new TreeMap<>();
        for (int db = 0; db < dbs; db++) {
            j.select(db);
            for (String k : j.keys("*")) {
                String type = j.type(k);
                StringBuilder sb = new StringBuilder(type).append('|');
                if (withEncoding) {
                    sb.append(j.objectEncoding(k));
                }
                sb.append('|').append(j.pttl(k) > 0 ? "ttl" : "").append('|');
                switch (type) {
                    case "string": sb.append(j.get(k)); break;
                    case "list": sb.append(j.lrange(k, 0, -1)); break;
                    case "set": sb.append(new TreeSet<>(j.smembers(k))); break;
                    case "hash": sb.append(new TreeMap<>(j.hgetAll(k))); break;
                    case "zset": {
                        List<String> z = new ArrayList<>();
                        for (Tuple t : j.zrangeWithScores(k, 0, -1)) {
                            z.add(t.getElement() + "=" + t.getScore());
                        }
                        sb.append(z);
                        break;
                    }
                    default: sb.append("?");
                }
                out.put(db + ":" + k, sb.toString());
            }
        }
        j.select(0);
        return out;
    }
}
