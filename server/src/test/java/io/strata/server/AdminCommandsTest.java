package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminCommandsTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("--enable-debug-command", "yes");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** INFO text as a field map; also checks every line is "name:value", a header or blank. */
    static Map<String, String> parseInfo(String text) {
        Map<String, String> m = new HashMap<>();
        for (String line : text.split("\r\n")) {
            if (line.isEmpty() || line.startsWith("# ")) {
                continue;
            }
            int colon = line.indexOf(':');
            assertTrue(colon > 0, "bad INFO line: " + line);
            m.put(line.substring(0, colon), line.substring(colon + 1));
        }
        return m;
    }

    @Test
    @Covers({"info"})
    @DisplayName("INFO without arguments has the default sections in Redis' order with Redis' field names")
    void infoDefault() throws Exception {
        try (Jedis j = server.jedis()) {
            j.set("info:k", "v");
            String text = j.info();
            assertTrue(text.startsWith("# Server\r\nredis_version:7.0.15\r\n"), text);
            assertTrue(text.endsWith("\r\n"));
            String[] order = {"# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication",
                "# CPU", "# Modules", "# Errorstats", "# Cluster", "# Keyspace"};
            int pos = -1;
            for (String h : order) {
                int at = text.indexOf("\r\n\r\n" + h + "\r\n");
                if (h.equals("# Server")) {
                    at = 0;
                }
                assertTrue(at > pos, h + " out of order in\n" + text);
                pos = at;
            }
            assertFalse(text.contains("# Commandstats"));
            Map<String, String> f = parseInfo(text);
            assertEquals("00000000", f.get("redis_git_sha1"));
            assertEquals("standalone", f.get("redis_mode"));
            assertEquals(String.valueOf(server.port()), f.get("tcp_port"));
            assertEquals(40, f.get("run_id").length());
            assertEquals(String.valueOf(ProcessHandle.current().pid()), f.get("process_id"));
            assertTrue(f.containsKey("strata_version"));
            assertEquals("10", f.get("hz"));
            assertEquals("0", f.get("io_threads_active"));
            assertEquals("64", f.get("arch_bits"));
            assertTrue(Long.parseLong(f.get("server_time_usec")) / 1000 - System.currentTimeMillis() < 5000);
            assertTrue(Integer.parseInt(f.get("connected_clients")) >= 1);
            assertEquals("10000", f.get("maxclients"));
            assertEquals("0", f.get("blocked_clients"));
            assertTrue(Long.parseLong(f.get("used_memory")) > 0);
            assertTrue(f.get("used_memory_human").matches("\\d+\\.\\d\\d[KMG]"), f.get("used_memory_human"));
            assertTrue(Long.parseLong(f.get("used_memory_rss")) > 0);
            // the spill tier is on by default, so maxmemory comes from the heap
            assertEquals(Long.toString(io.strata.engine.Engine.heapDerivedMaxmemory(Runtime.getRuntime().maxMemory())),
                f.get("maxmemory"));
            assertEquals("heap", f.get("maxmemory_source"));
            assertEquals("noeviction", f.get("maxmemory_policy"));
            assertEquals("0", f.get("loading"));
            assertEquals("0", f.get("aof_enabled"));
            assertTrue(Long.parseLong(f.get("rdb_changes_since_last_save")) >= 1);
            assertTrue(Long.parseLong(f.get("total_commands_processed")) >= 1);
            assertTrue(Long.parseLong(f.get("total_net_input_bytes")) > 0);
            assertEquals("0", f.get("evicted_keys"));
            assertEquals("master", f.get("role"));
            assertEquals(40, f.get("master_replid").length());
            assertEquals("0", f.get("master_repl_offset"));
            assertTrue(f.get("used_cpu_user").matches("\\d+\\.\\d{6}"));
            assertTrue(f.get("used_cpu_sys").matches("\\d+\\.\\d{6}"));
            assertEquals("0", f.get("cluster_enabled"));
            assertTrue(f.get("db0").matches("keys=\\d+,expires=\\d+,avg_ttl=0"), f.get("db0"));
        }
    }

    @Test
    @Covers({"info"})
    @DisplayName("INFO by section name, several names, all and everything; commandstats and errorstats in Redis' format")
    void infoSections() throws Exception {
        try (Jedis j = server.jedis(); RawClient raw = new RawClient(server.port())) {
            j.set("info:a", "1");
            j.get("info:a");
            raw.call("get"); // rejected: wrong arity
            raw.call("client", "list");
            String cpu = j.info("cpu");
            assertTrue(cpu.startsWith("# CPU\r\nused_cpu_sys:"), cpu);
            assertFalse(cpu.contains("# Server"));
            String two = raw.call("info", "server", "CLIENTS");
            assertTrue(two.contains("# Server\r\n") && two.contains("\r\n\r\n# Clients\r\n") && !two.contains("# Memory"));
            assertEquals("$0\r\n\r\n", raw.call("info", "nosuchsection"));
            String cs = j.info("commandstats");
            assertTrue(cs.startsWith("# Commandstats\r\n"), cs);
            assertTrue(cs.matches("(?s).*\r\ncmdstat_set:calls=\\d+,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=0,failed_calls=0\r\n.*"), cs);
            assertTrue(cs.matches("(?s).*\r\ncmdstat_get:calls=\\d+,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=[1-9]\\d*,failed_calls=0\r\n.*"), cs);
            assertTrue(cs.contains("\r\ncmdstat_client|list:calls="), cs);
            String es = j.info("errorstats");
            assertTrue(es.matches("(?s)# Errorstats\r\n.*errorstat_ERR:count=[1-9]\\d*\r\n.*"), es);
            String all = j.info("all");
            assertTrue(all.contains("# Commandstats") && all.contains("# Keyspace"));
            String everything = j.info("everything");
            assertTrue(everything.contains("# Commandstats") && everything.contains("# Server"));
            String dflt = j.info("default");
            assertFalse(dflt.contains("# Commandstats"));
        }
    }

    @Test
    @Covers({"info", "config|resetstat"})
    @DisplayName("CONFIG RESETSTAT clears command, error and server stats as Redis does, keeps the slow log")
    void resetStat() throws Exception {
        try (Jedis j = server.jedis(); RawClient raw = new RawClient(server.port())) {
            j.set("rs:k", "v");
            j.get("rs:k");
            j.get("rs:missing");
            raw.call("nosuchcommand");
            j.configSet("slowlog-log-slower-than", "0");
            j.slowlogReset();
            j.ping();
            j.configSet("slowlog-log-slower-than", "10000");
            long slow = j.slowlogLen();
            assertEquals("+OK\r\n", raw.call("config", "resetstat"));
            Map<String, String> f = parseInfo(j.info("everything"));
            assertEquals("0", f.get("keyspace_hits"));
            assertEquals("0", f.get("keyspace_misses"));
            assertEquals("0", f.get("total_error_replies"));
            assertTrue(Long.parseLong(f.get("total_commands_processed")) <= 1);
            assertFalse(f.containsKey("cmdstat_set"));
            assertFalse(f.containsKey("errorstat_ERR"));
            assertEquals(slow, j.slowlogLen());
        }
    }

    @Test
    @Covers({"config", "config|get", "config|set", "config|help"})
    @DisplayName("CONFIG GET takes several patterns and aliases; CONFIG SET sets several pairs all or nothing with Redis' error texts")
    void configGetSet() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("*4\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n$2\r\nhz\r\n$2\r\n10\r\n", c.call("config", "get", "maxclients", "hz"));
            assertEquals("*2\r\n$10\r\nMAXCLIENTS\r\n$5\r\n10000\r\n", c.call("config", "get", "MAXCLIENTS"));
            assertEquals("*0\r\n", c.call("config", "get", "no-such-param"));
            String glob = c.call("config", "get", "*max-*list*-entries");
            assertTrue(glob.startsWith("*8\r\n"), glob); // hash and zset, each with its ziplist alias
            assertTrue(glob.contains("$24\r\nhash-max-ziplist-entries\r\n$3\r\n512\r\n"), glob);
            assertEquals("-ERR wrong number of arguments for 'config|get' command\r\n", c.call("config", "get"));

            assertEquals("+OK\r\n", c.call("config", "set", "hz", "20", "timeout", "100"));
            assertEquals("*4\r\n$2\r\nhz\r\n$2\r\n20\r\n$7\r\ntimeout\r\n$3\r\n100\r\n", c.call("config", "get", "hz", "timeout"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer\r\n",
                c.call("config", "set", "hz", "30", "maxclients", "abc"));
            assertEquals("*2\r\n$2\r\nhz\r\n$2\r\n20\r\n", c.call("config", "get", "hz"), "all or nothing");
            assertEquals("-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n", c.call("config", "set", "foo", "bar"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter\r\n",
                c.call("config", "set", "hz", "11", "hz", "12"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n",
                c.call("config", "set", "databases", "4"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be between 1 and 500 inclusive\r\n",
                c.call("config", "set", "hz", "0"));
            assertEquals("-ERR wrong number of arguments for 'config|set' command\r\n", c.call("config", "set", "hz"));
            assertEquals("-ERR wrong number of arguments for 'config|set' command\r\n", c.call("config", "set", "hz", "1", "timeout"));
            assertEquals("-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n", c.call("config", "foo"));
            assertEquals("+OK\r\n", c.call("config", "set", "hz", "10", "timeout", "0"));
            String help = c.call("config", "help");
            assertTrue(help.startsWith("*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n"), help);
            assertTrue(help.endsWith("+HELP\r\n+    Prints this help.\r\n"));
        }
    }

    @Test
    @Covers({"config|rewrite", "config|set", "config|get"})
    @DisplayName("CONFIG REWRITE keeps comments and positions, appends changed settings, and a server restarted from the file has them")
    void configRewriteRoundTrip(@TempDir Path dir) throws Exception {
        try (Jedis j = server.jedis()) {
            redis.clients.jedis.exceptions.JedisDataException e =
                assertThrows(redis.clients.jedis.exceptions.JedisDataException.class, j::configRewrite);
            assertEquals("ERR The server is running without a config file", e.getMessage());
        }
        Path conf = dir.resolve("strata.conf");
        Files.writeString(conf, "# my settings\nport 0\nbind 127.0.0.1\nhz 10\n\n# idle clients\ntimeout 0\n");
        try (TestServer s = TestServer.startFromFile(conf); Jedis j = s.jedis()) {
            assertEquals("OK", j.configSet(Map.of("hz", "20", "maxclients", "77", "requirepass", "a b",
                "proto-max-bulk-len", "2mb", "slowlog-max-len", "50")));
            j.auth("a b");
            assertEquals("OK", j.configRewrite());
            String text = Files.readString(conf);
            assertTrue(text.startsWith("# my settings\nport 0\nbind 127.0.0.1\nhz 20\n\n# idle clients\ntimeout 0\n\n"
                + "# Generated by CONFIG REWRITE\n"), text);
            assertTrue(text.contains("\nmaxclients 77\n"), text);
            assertTrue(text.contains("\nrequirepass \"a b\"\n"), text);
            assertTrue(text.contains("\nproto-max-bulk-len 2mb\n"), text);
            assertTrue(text.contains("\nslowlog-max-len 50\n"), text);
            assertFalse(text.contains("databases"), "defaults are not appended");
            assertEquals(List.of(), listTmpFiles(dir));
        }
        try (TestServer s = TestServer.startFromFile(conf); Jedis j = s.jedis()) {
            j.auth("a b");
            assertEquals(Map.of("hz", "20"), j.configGet("hz"));
            assertEquals(Map.of("maxclients", "77"), j.configGet("maxclients"));
            assertEquals(Map.of("proto-max-bulk-len", "2097152"), j.configGet("proto-max-bulk-len"));
            assertEquals(conf.toString(), parseInfo(j.info("server")).get("config_file"));
            // as Redis, the line after the file's last newline reads as one blank line, and runs of
            // blank lines collapse: rewrites with nothing changed settle on one trailing blank line
            String before = Files.readString(conf);
            j.configRewrite();
            assertEquals(before + "\n", Files.readString(conf));
            j.configRewrite();
            assertEquals(before + "\n", Files.readString(conf));
        }
    }

    private static List<Path> listTmpFiles(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().contains(".tmp")).toList();
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    @Covers({"slowlog", "slowlog|get", "slowlog|len", "slowlog|reset", "slowlog|help", "config|set"})
    @DisplayName("SLOWLOG with slowlog-log-slower-than 0 records every command with id, time, duration, args, address and name")
    void slowlog() throws Exception {
        try (RawClient c = new RawClient(server.port()); Jedis j = server.jedis()) {
            c.call("client", "setname", "slowpoke");
            c.call("config", "set", "slowlog-log-slower-than", "0");
            try {
                assertEquals("+OK\r\n", c.call("slowlog", "reset"));
                assertEquals(":1\r\n", c.call("slowlog", "len"), "the RESET itself is logged after it ran");
                c.call("set", "slow:k", "v");
                List<Object> entries = j.sendCommand(redis.clients.jedis.Protocol.Command.SLOWLOG, "GET", "1") instanceof List<?> l
                    ? (List<Object>) l : null;
                assertEquals(1, entries.size());
                List<Object> e = (List<Object>) entries.get(0);
                assertEquals(6, e.size());
                assertTrue((Long) e.get(0) >= 1);
                assertTrue(Math.abs((Long) e.get(1) - System.currentTimeMillis() / 1000) < 10);
                assertTrue((Long) e.get(2) >= 0);
                List<Object> args = (List<Object>) e.get(3);
                assertEquals(List.of("set", "slow:k", "v"), args.stream().map(b -> new String((byte[]) b)).toList());
                assertTrue(new String((byte[]) e.get(4)).matches("127\\.0\\.0\\.1:\\d+"));
                assertEquals("slowpoke", new String((byte[]) e.get(5)));

                String big = "x".repeat(200);
                c.call("set", "slow:big", big);
                String reply = c.call("slowlog", "get", "2");
                assertTrue(reply.contains("... (72 more bytes)"), reply);
                assertTrue(j.slowlogLen() >= 4);
                assertEquals("-ERR count should be greater than or equal to -1\r\n", c.call("slowlog", "get", "-2"));
                assertEquals("-ERR count should be greater than or equal to -1\r\n", c.call("slowlog", "get", "abc"));
                assertEquals("*0\r\n", c.call("slowlog", "get", "0"));
                assertEquals("+OK\r\n", c.call("config", "set", "slowlog-max-len", "2"));
                assertEquals(":2\r\n", c.call("slowlog", "len"));
                assertTrue(c.call("slowlog", "get", "-1").startsWith("*2\r\n"));
                assertEquals("-ERR unknown subcommand 'foo'. Try SLOWLOG HELP.\r\n", c.call("slowlog", "foo"));
                String help = c.call("slowlog", "help");
                assertTrue(help.startsWith("*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET [<count>]\r\n"), help);
            } finally {
                c.call("config", "set", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128");
            }
        }
    }

    @Test
    @Covers({"latency", "latency|latest", "latency|history", "latency|reset", "latency|help", "debug"})
    @DisplayName("DEBUG SLEEP above latency-monitor-threshold shows in LATENCY LATEST and HISTORY until LATENCY RESET")
    void latency() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("latency", "reset");
            assertEquals("*0\r\n", c.call("latency", "latest"));
            c.call("config", "set", "latency-monitor-threshold", "50");
            try {
                long t0 = System.nanoTime();
                assertEquals("+OK\r\n", c.call("debug", "sleep", "0.1"));
                assertTrue(System.nanoTime() - t0 >= 100_000_000L, "slept " + (System.nanoTime() - t0));
                String latest = c.call("latency", "latest");
                assertTrue(latest.matches("\\*1\\r\\n\\*4\\r\\n\\$7\\r\\ncommand\\r\\n:\\d+\\r\\n:1\\d\\d\\r\\n:1\\d\\d\\r\\n"), latest);
                String hist = c.call("latency", "history", "command");
                assertTrue(hist.matches("\\*1\\r\\n\\*2\\r\\n:\\d+\\r\\n:1\\d\\d\\r\\n"), hist);
                assertEquals("*0\r\n", c.call("latency", "history", "no-such-event"));
                assertEquals(":0\r\n", c.call("latency", "reset", "no-such-event"));
                assertEquals(":1\r\n", c.call("latency", "reset", "command", "no-such-event"));
                assertEquals("*0\r\n", c.call("latency", "latest"));
                assertEquals("-ERR unknown subcommand 'foo'. Try LATENCY HELP.\r\n", c.call("latency", "foo"));
                assertTrue(c.call("latency", "help").startsWith("*17\r\n+LATENCY <subcommand>"));
            } finally {
                c.call("config", "set", "latency-monitor-threshold", "0");
            }
        }
    }

    @Test
    @Covers({"debug"})
    @DisplayName("DEBUG SET-ACTIVE-EXPIRE 0 leaves expired keys in place until re-enabled; unknown DEBUG subcommands error as Redis")
    void debug() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("+OK\r\n", c.call("debug", "set-active-expire", "0"));
            try {
                c.call("select", "9");
                c.call("flushdb");
                c.call("set", "dbg:k", "v", "px", "20");
                Thread.sleep(250);
                assertTrue(c.call("info", "keyspace").contains("db9:keys=1,expires=1"));
                assertEquals("+OK\r\n", c.call("debug", "set-active-expire", "1"));
                long deadline = System.currentTimeMillis() + 5000;
                while (c.call("info", "keyspace").contains("db9:") && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                assertFalse(c.call("info", "keyspace").contains("db9:"));
            } finally {
                c.call("debug", "set-active-expire", "1");
            }
            assertEquals("-ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP.\r\n", c.call("debug", "foo"));
            assertEquals("-ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG HELP.\r\n", c.call("debug", "sleep"));
            assertEquals("-ERR wrong number of arguments for 'debug' command\r\n", c.call("debug"));
            assertEquals("+OK\r\n", c.call("debug", "sleep", "0"));
            String help = c.call("debug", "help");
            assertTrue(help.startsWith("*26\r\n+DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"), help);
        }
        try (TestServer plain = TestServer.start(); RawClient c = new RawClient(plain.port())) {
            assertEquals("-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it "
                + "from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n",
                c.call("debug", "sleep", "0"));
        }
    }

    @Test
    @Covers({"config|set"})
    @DisplayName("CONFIG SET port moves the listener; a busy port and a runtime bind change are refused")
    void configSetPort() throws Exception {
        try (TestServer s = TestServer.start(); RawClient c = new RawClient(s.port())) {
            int oldPort = s.port();
            int newPort;
            try (ServerSocket probe = new ServerSocket(0)) {
                newPort = probe.getLocalPort();
                assertEquals("-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port\r\n",
                    c.call("config", "set", "port", String.valueOf(newPort)));
            }
            assertEquals("+OK\r\n", c.call("config", "set", "port", String.valueOf(newPort)));
            assertEquals(newPort, s.port());
            RawClient moved = null;
            for (int i = 0; i < 50 && moved == null; i++) {
                try {
                    moved = new RawClient(newPort);
                } catch (java.net.ConnectException e) {
                    Thread.sleep(20);
                }
            }
            try (RawClient m = moved) {
                assertEquals("+PONG\r\n", m.call("ping"));
                assertTrue(m.call("info", "server").contains("\r\ntcp_port:" + newPort + "\r\n"));
            }
            assertEquals("+PONG\r\n", c.call("ping"), "open connections stay");
            boolean refused = false;
            for (int i = 0; i < 50 && !refused; i++) {
                try (RawClient r = new RawClient(oldPort)) {
                    Thread.sleep(20);
                } catch (java.net.ConnectException e) {
                    refused = true;
                }
            }
            assertTrue(refused, "old port still accepts");
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'bind') - changing bind at runtime is not supported: use CONFIG REWRITE and restart\r\n",
                c.call("config", "set", "bind", "0.0.0.0"));
            assertEquals("*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n", c.call("config", "get", "bind"));
        }
    }
}
