package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stream commands against a real server over RESP2: replies and error texts as redis-server 7.0
 * gives them, blocking reads served by another client's XADD, the AOF replaying what XADD *,
 * XREADGROUP, XCLAIM and XAUTOCLAIM did (PEL included), BGSAVE/restart, DUMP/RESTORE and the
 * spill tier. Replies are shown flattened: {@code [a,b]} arrays, {@code nil}, {@code !ERR …}.
 */
class StreamCommandsTest {
    @TempDir
    Path dir;

    /** One RESP2 reply as a compact string. */
    static String flat(String raw) {
        int[] pos = {0};
        StringBuilder sb = new StringBuilder();
        flat(raw, pos, sb);
        return sb.toString();
    }

    private static void flat(String raw, int[] pos, StringBuilder sb) {
        char t = raw.charAt(pos[0]);
        int eol = raw.indexOf("\r\n", pos[0]);
        String line = raw.substring(pos[0] + 1, eol);
        pos[0] = eol + 2;
        switch (t) {
            case '+':
            case ':':
                sb.append(line);
                return;
            case '-':
                sb.append('!').append(line);
                return;
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    sb.append("nil");
                    return;
                }
                sb.append(raw, pos[0], pos[0] + n);
                pos[0] += n + 2;
                return;
            }
            default: {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    sb.append("nil");
                    return;
                }
                sb.append('[');
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    flat(raw, pos, sb);
                }
                sb.append(']');
            }
        }
    }

    private static String x(RawClient c, String... args) throws Exception {
        return flat(c.call(args));
    }

    @Test
    @Covers({"xadd", "xrange", "xrevrange", "xlen", "xdel", "xtrim"})
    @DisplayName("XADD with explicit, partial (5-*) and * ids, NOMKSTREAM, MAXLEN/MINID trimming; XRANGE/XREVRANGE with COUNT and exclusive ranges; XDEL; XTRIM; errors word for word")
    void entries() throws Exception {
        try (TestServer s = TestServer.start("--save", ""); RawClient c = new RawClient(s.port())) {
            assertEquals("1-1", x(c, "XADD", "k", "1-1", "a", "1"));
            assertEquals("1-2", x(c, "XADD", "k", "1-*", "b", "2"));
            assertEquals("5-0", x(c, "XADD", "k", "5-*", "c", "3", "d", "4"));
            assertEquals("!ERR The ID specified in XADD is equal or smaller than the target stream top item",
                x(c, "XADD", "k", "5-0", "a", "1"));
            assertEquals("!ERR The ID specified in XADD must be greater than 0-0", x(c, "XADD", "n", "0-0", "a", "1"));
            assertEquals("!ERR Invalid stream ID specified as stream command argument", x(c, "XADD", "k", "abc", "a", "1"));
            assertEquals("!ERR wrong number of arguments for 'xadd' command", x(c, "XADD", "k", "*", "a", "1", "b"));
            assertEquals("nil", x(c, "XADD", "none", "NOMKSTREAM", "*", "a", "1"));
            assertEquals("0", x(c, "EXISTS", "none"));
            String auto = x(c, "XADD", "k", "*", "e", "5");
            assertTrue(auto.matches("\\d{13}-0"), auto);
            assertEquals("stream", x(c, "TYPE", "k"));
            assertEquals("stream", x(c, "OBJECT", "ENCODING", "k"));
            assertEquals("4", x(c, "XLEN", "k"));
            assertEquals("[[1-1,[a,1]],[1-2,[b,2]]]", x(c, "XRANGE", "k", "-", "+", "COUNT", "2"));
            assertEquals("[[1-2,[b,2]],[5-0,[c,3,d,4]]]", x(c, "XRANGE", "k", "(1-1", "5"));
            assertEquals("[[5-0,[c,3,d,4]],[1-2,[b,2]]]", x(c, "XREVRANGE", "k", "5", "(1-1"));
            assertEquals("nil", x(c, "XRANGE", "k", "-", "+", "COUNT", "0"));
            assertEquals("[]", x(c, "XRANGE", "missing", "-", "+"));
            assertEquals("!ERR invalid start ID for the interval",
                x(c, "XRANGE", "k", "(18446744073709551615-18446744073709551615", "+"));
            assertEquals("1", x(c, "XDEL", "k", "1-2", "9-9"));
            assertEquals("[[1-1,[a,1]],[5-0,[c,3,d,4]]]", x(c, "XRANGE", "k", "-", "5"));
            assertEquals("1", x(c, "XTRIM", "k", "MAXLEN", "2"));
            assertEquals("[[5-0,[c,3,d,4]]]", x(c, "XRANGE", "k", "-", "5"));
            assertEquals("1", x(c, "XTRIM", "k", "MINID", "=", auto));
            assertEquals("1", x(c, "XLEN", "k"));
            assertEquals("!ERR syntax error, LIMIT cannot be used without the special ~ option",
                x(c, "XTRIM", "k", "MAXLEN", "1", "LIMIT", "10"));
            assertEquals("!ERR syntax error, XTRIM must be called with a trimming strategy", x(c, "XTRIM", "k", "LIMIT", "0"));
            assertEquals("!ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
                x(c, "XTRIM", "k", "LIMIT", "1"));
            // approximate trimming drops whole nodes of 100 entries only, as Redis does
            for (int i = 1; i <= 250; i++) {
                x(c, "XADD", "big", "MAXLEN", "~", "120", i + "-1", "f", "v");
            }
            assertEquals("150", x(c, "XLEN", "big"));
            assertEquals("250-1", x(c, "XADD", "big2", "MINID", "~", "0", "250-1", "f", "v"));
            assertEquals("!WRONGTYPE Operation against a key holding the wrong kind of value",
                x(c, "XADD", x(c, "SET", "str", "v").equals("OK") ? "str" : "str", "*", "a", "1"));
        }
    }

    @Test
    @Covers({"xgroup|create", "xgroup|setid", "xgroup|destroy", "xgroup|createconsumer", "xgroup|delconsumer",
        "xgroup|help", "xreadgroup", "xack", "xpending", "xclaim", "xautoclaim", "xinfo|groups", "xinfo|consumers",
        "xinfo|stream", "xinfo|help", "xsetid", "xread"})
    @DisplayName("Consumer groups: XGROUP, XREADGROUP (>, history, NOACK), XPENDING summary and extended, XACK, XCLAIM, XAUTOCLAIM with deleted ids, XINFO, XSETID, XREAD")
    void groups() throws Exception {
        try (TestServer s = TestServer.start("--save", ""); RawClient c = new RawClient(s.port())) {
            assertEquals("!ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to "
                + "use the MKSTREAM option to create an empty stream automatically.", x(c, "XGROUP", "CREATE", "k", "g", "$"));
            assertEquals("OK", x(c, "XGROUP", "CREATE", "k", "g", "$", "MKSTREAM"));
            assertEquals("!BUSYGROUP Consumer Group name already exists", x(c, "XGROUP", "CREATE", "k", "g", "0"));
            assertEquals("0", x(c, "XLEN", "k"));
            for (int i = 1; i <= 4; i++) {
                x(c, "XADD", "k", i + "-0", "f", "v" + i);
            }
            assertEquals("[[k,[[1-0,[f,v1]],[2-0,[f,v2]]]]]",
                x(c, "XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "k", ">"));
            assertEquals("[[k,[[3-0,[f,v3]]]]]", x(c, "XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "k", ">"));
            assertEquals("[[k,[[1-0,[f,v1]],[2-0,[f,v2]]]]]", x(c, "XREADGROUP", "GROUP", "g", "alice", "STREAMS", "k", "0"));
            assertEquals("!NOGROUP No such key 'k' or consumer group 'nog' in XREADGROUP with GROUP option",
                x(c, "XREADGROUP", "GROUP", "nog", "a", "STREAMS", "k", ">"));
            assertEquals("[3,1-0,3-0,[[alice,2],[bob,1]]]", x(c, "XPENDING", "k", "g"));
            String ext = x(c, "XPENDING", "k", "g", "-", "+", "10", "alice");
            assertTrue(ext.matches("\\[\\[1-0,alice,\\d+,2],\\[2-0,alice,\\d+,2]]"), ext);
            assertEquals("1", x(c, "XACK", "k", "g", "1-0", "9-0"));
            assertEquals("[3-0]", x(c, "XCLAIM", "k", "g", "alice", "0", "3-0", "JUSTID"));
            assertEquals("[[2-0,[f,v2]]]", x(c, "XCLAIM", "k", "g", "bob", "0", "2-0", "RETRYCOUNT", "7"));
            String idle = x(c, "XPENDING", "k", "g", "IDLE", "0", "-", "+", "10");
            assertTrue(idle.matches("\\[\\[2-0,bob,\\d+,7],\\[3-0,alice,\\d+,1]]"), idle);
            x(c, "XDEL", "k", "2-0");
            assertEquals("[0-0,[[3-0,[f,v3]]],[2-0]]", x(c, "XAUTOCLAIM", "k", "g", "carol", "0", "0"));
            assertEquals("!ERR COUNT must be > 0", x(c, "XAUTOCLAIM", "k", "g", "carol", "0", "0", "COUNT", "0"));
            assertEquals("[[name,g,consumers,3,pending,1,last-delivered-id,3-0,entries-read,3,lag,1]]",
                x(c, "XINFO", "GROUPS", "k"));
            String consumers = x(c, "XINFO", "CONSUMERS", "k", "g");
            assertTrue(consumers.matches("\\[\\[name,alice,pending,0,idle,\\d+],\\[name,bob,pending,0,idle,\\d+],"
                + "\\[name,carol,pending,1,idle,\\d+]]"), consumers);
            String info = x(c, "XINFO", "STREAM", "k");
            assertTrue(info.startsWith("[length,3,radix-tree-keys,1,radix-tree-nodes,2,last-generated-id,4-0,"
                + "max-deleted-entry-id,2-0,entries-added,4,recorded-first-entry-id,1-0,groups,1,first-entry,[1-0,[f,v1]],"
                + "last-entry,[4-0,[f,v4]]]"), info);
            String full = x(c, "XINFO", "STREAM", "k", "FULL", "COUNT", "1");
            assertTrue(full.contains("entries,[[1-0,[f,v1]]],groups,[[name,g,last-delivered-id,3-0,entries-read,3,lag,1,"
                + "pel-count,1,pending,[[3-0,carol,"), full);
            assertEquals("[[k,[[4-0,[f,v4]]]]]", x(c, "XREADGROUP", "GROUP", "g", "dave", "NOACK", "STREAMS", "k", ">"));
            assertEquals("[1,3-0,3-0,[[carol,1]]]", x(c, "XPENDING", "k", "g"));
            assertEquals("1", x(c, "XGROUP", "CREATECONSUMER", "k", "g", "erin"));
            assertEquals("0", x(c, "XGROUP", "CREATECONSUMER", "k", "g", "erin"));
            assertEquals("1", x(c, "XGROUP", "DELCONSUMER", "k", "g", "carol"));
            assertEquals("[0,nil,nil,nil]", x(c, "XPENDING", "k", "g"));
            assertEquals("OK", x(c, "XGROUP", "SETID", "k", "g", "0", "ENTRIESREAD", "0"));
            assertEquals("[[k,[[1-0,[f,v1]]]]]", x(c, "XREADGROUP", "GROUP", "g", "erin", "COUNT", "1", "STREAMS", "k", ">"));
            assertEquals("!NOGROUP No such consumer group 'zz' for key name 'k'", x(c, "XGROUP", "SETID", "k", "zz", "0"));
            assertEquals("1", x(c, "XGROUP", "DESTROY", "k", "g"));
            assertEquals("0", x(c, "XGROUP", "DESTROY", "k", "g"));
            assertEquals("[]", x(c, "XINFO", "GROUPS", "k"));
            assertTrue(x(c, "XGROUP", "HELP").startsWith("[XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:,"));
            assertTrue(x(c, "XINFO", "HELP").endsWith(",HELP,    Prints this help.]"));
            assertEquals("!ERR no such key", x(c, "XINFO", "STREAM", "nokey"));
            // XREAD: several streams, $ and explicit ids
            assertEquals("[[k,[[3-0,[f,v3]],[4-0,[f,v4]]]]]", x(c, "XREAD", "COUNT", "5", "STREAMS", "k", "other", "1-0", "$"));
            assertEquals("nil", x(c, "XREAD", "STREAMS", "k", "$"));
            assertEquals("!ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.",
                x(c, "XREAD", "STREAMS", "k", "other", "$"));
            // XSETID
            assertEquals("!ERR The ID specified in XSETID is smaller than the target stream top item", x(c, "XSETID", "k", "3-0"));
            assertEquals("OK", x(c, "XSETID", "k", "10-0", "ENTRIESADDED", "20", "MAXDELETEDID", "9-0"));
            assertEquals("10-1", x(c, "XADD", "k", "10-*", "f", "v"));
            assertEquals("!ERR no such key", x(c, "XSETID", "nokey", "1-0"));
        }
    }

    @Test
    @Covers({"xread", "xreadgroup"})
    @DisplayName("XREAD BLOCK $ and XREADGROUP BLOCK > park the client until another client's XADD; BLOCK times out with a null reply; inside MULTI they answer at once")
    void blocking() throws Exception {
        try (TestServer s = TestServer.start("--save", ""); RawClient w = new RawClient(s.port());
             RawClient r = new RawClient(s.port()); RawClient g = new RawClient(s.port())) {
            x(w, "XADD", "k", "1-0", "f", "old");
            x(w, "XGROUP", "CREATE", "k", "grp", "$");
            r.command("XREAD", "BLOCK", "0", "STREAMS", "k", "$");
            g.command("XREADGROUP", "GROUP", "grp", "c", "BLOCK", "5000", "STREAMS", "k", ">");
            CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> call(r));
            CompletableFuture<String> group = CompletableFuture.supplyAsync(() -> call(g));
            Thread.sleep(300);
            assertTrue(!read.isDone() && !group.isDone(), "both wait for data");
            assertTrue(x(w, "INFO", "clients").contains("blocked_clients:2"));
            x(w, "XADD", "k", "2-0", "f", "new");
            assertEquals("[[k,[[2-0,[f,new]]]]]", read.get(5, TimeUnit.SECONDS));
            assertEquals("[[k,[[2-0,[f,new]]]]]", group.get(5, TimeUnit.SECONDS));
            assertEquals("[1,2-0,2-0,[[c,1]]]", x(w, "XPENDING", "k", "grp"));
            long t0 = System.nanoTime();
            assertEquals("nil", x(r, "XREAD", "BLOCK", "200", "STREAMS", "k", "$"));
            assertTrue(System.nanoTime() - t0 >= 150_000_000L);
            x(r, "MULTI");
            x(r, "XREAD", "BLOCK", "0", "STREAMS", "k", "$");
            assertEquals("[nil]", x(r, "EXEC"));
            assertEquals("!ERR timeout is negative", x(r, "XREAD", "BLOCK", "-1", "STREAMS", "k", "$"));
        }
    }

    private static String call(RawClient c) {
        try {
            return flat(c.readReply());
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** A stream with every kind of state: deletions, a trim, two groups, PEL entries, an empty consumer. */
    static void populate(RawClient c) throws Exception {
        for (int i = 1; i <= 30; i++) {
            x(c, "XADD", "s", i + "-" + (i % 3), "f", "v" + i, "n", Integer.toString(i * 1000));
        }
        x(c, "XADD", "s", "*", "auto", "x");
        x(c, "XDEL", "s", "2-2", "7-1");
        x(c, "XTRIM", "s", "MINID", "3-0");
        x(c, "XGROUP", "CREATE", "s", "g1", "0");
        x(c, "XGROUP", "CREATE", "s", "g2", "10-1", "ENTRIESREAD", "9");
        x(c, "XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "s", ">");
        x(c, "XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "s", ">");
        x(c, "XREADGROUP", "GROUP", "g2", "carol", "NOACK", "COUNT", "2", "STREAMS", "s", ">");
        x(c, "XACK", "s", "g1", "4-1");
        x(c, "XCLAIM", "s", "g1", "bob", "0", "5-2", "RETRYCOUNT", "4");
        x(c, "XAUTOCLAIM", "s", "g1", "dave", "0", "8-0", "COUNT", "1");
        x(c, "XGROUP", "CREATECONSUMER", "s", "g2", "idle");
        x(c, "XADD", "empty", "1-0", "a", "1");
        x(c, "XDEL", "empty", "1-0");
        x(c, "XSETID", "empty", "5-5", "ENTRIESADDED", "9", "MAXDELETEDID", "3-0");
    }

    /** What must come back identically: entries, metadata, groups, PELs with owners, times and counts. */
    static List<String> capture(RawClient c) throws Exception {
        List<String> out = new ArrayList<>();
        for (String k : new String[] {"s", "empty"}) {
            out.add(x(c, "XRANGE", k, "-", "+"));
            String info = x(c, "XINFO", "STREAM", k, "FULL");
            // the nodes (radix-tree-keys) survive a reload as in Redis; the rax's inner node count is Redis' own
            out.add(info.replaceAll("radix-tree-nodes,\\d+,", "").replaceAll("seen-time,\\d+,", ""));
            out.add(x(c, "XINFO", "GROUPS", k));
        }
        out.add(x(c, "XPENDING", "s", "g1"));
        return out;
    }

    @Test
    @Covers({"xadd", "xdel", "xtrim", "xgroup|create", "xgroup|createconsumer", "xgroup|setid", "xgroup|destroy",
        "xgroup|delconsumer", "xreadgroup", "xack", "xclaim", "xautoclaim", "xsetid"})
    @DisplayName("AOF round trip: XADD * is recorded with its id, XREADGROUP/XCLAIM/XAUTOCLAIM as XCLAIM … FORCE JUSTID LASTID; after a restart entries, groups and PELs (owners, delivery times and counts) are identical")
    void aofRoundTrip() throws Exception {
        List<String> before;
        String[] args = {"--dir", dir.toString(), "--appendonly", "yes", "--save", ""};
        try (TestServer s = TestServer.start(args); RawClient c = new RawClient(s.port())) {
            populate(c);
            x(c, "XGROUP", "CREATE", "s", "gone", "0");
            x(c, "XGROUP", "DESTROY", "s", "gone");
            x(c, "XGROUP", "CREATECONSUMER", "s", "g2", "tmp");
            x(c, "XGROUP", "DELCONSUMER", "s", "g2", "tmp");
            x(c, "XGROUP", "SETID", "s", "g2", "12-0", "ENTRIESREAD", "11");
            x(c, "XADD", "s", "MAXLEN", "~", "5", "*", "f", "v");
            before = capture(c);
        }
        try (TestServer s = TestServer.start(args); RawClient c = new RawClient(s.port())) {
            assertEquals(before, capture(c));
            // and through an AOF rewrite (RDB base)
            x(c, "BGREWRITEAOF");
            Thread.sleep(1500);
        }
        try (TestServer s = TestServer.start(args); RawClient c = new RawClient(s.port())) {
            assertEquals(before, capture(c));
        }
    }

    @Test
    @Covers({"xadd"})
    @DisplayName("Streams survive BGSAVE and a restart, DUMP/RESTORE, and a demotion to the spill tier (DEBUG SPILL) with groups and PELs intact")
    void snapshotDumpAndSpill() throws Exception {
        List<String> before;
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", "", "--enable-debug-command", "yes",
            "--tier-spill", "yes"); RawClient c = new RawClient(s.port()); Jedis j = s.jedis()) {
            populate(c);
            before = capture(c);
            byte[] dump = j.dump("s");
            j.del("s");
            j.restore("s", 0, dump);
            assertEquals(before, capture(c));
            Tiering.spill(j, "s");
            Tiering.spill(j, "empty");
            assertEquals("cold", Tiering.tier(j, "s"));
            assertEquals("stream", x(c, "TYPE", "s"));
            assertEquals(before, capture(c));
            assertEquals("hot", Tiering.tier(j, "s"));
            assertEquals("Background saving started", x(c, "BGSAVE"));
            Thread.sleep(1000);
        }
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", ""); RawClient c = new RawClient(s.port())) {
            assertEquals(before, capture(c));
        }
    }
}
