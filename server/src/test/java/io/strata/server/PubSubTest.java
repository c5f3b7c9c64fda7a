package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pub/sub with several real connections: RESP2 arrays, RESP3 pushes, patterns, shard channels, limits. */
class PubSubTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    @Covers({"subscribe", "publish", "unsubscribe"})
    @DisplayName("SUBSCRIBE confirms each channel and receives messages published by another client (RESP2)")
    void subscribePublish() throws Exception {
        try (RawClient sub = new RawClient(server.port()); Jedis pub = server.jedis()) {
            sub.command("SUBSCRIBE", "news", "sport");
            assertEquals("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", sub.readReply());
            assertEquals("*3\r\n$9\r\nsubscribe\r\n$5\r\nsport\r\n:2\r\n", sub.readReply());
            assertEquals(1L, pub.publish("news", "hello"));
            assertEquals(0L, pub.publish("nobody", "x"));
            assertEquals("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n", sub.readReply());
            sub.command("UNSUBSCRIBE");
            String a = sub.readReply();
            String b = sub.readReply();
            assertTrue(a.contains("unsubscribe") && a.endsWith(":1\r\n"), a);
            assertTrue(b.contains("unsubscribe") && b.endsWith(":0\r\n"), b);
            // out of subscribed mode: ordinary commands work again
            assertEquals("+PONG\r\n", sub.call("PING"));
        }
    }

    @Test
    @Covers({"subscribe", "get"})
    @DisplayName("In RESP2 subscribed mode other commands are refused with Redis' text")
    void subscribedModeRestrictions() throws Exception {
        try (RawClient sub = new RawClient(server.port())) {
            sub.command("SUBSCRIBE", "c");
            sub.readReply();
            assertEquals("-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
                sub.call("GET", "x"));
        }
    }

    @Test
    @Covers({"psubscribe", "punsubscribe", "publish", "pubsub|numpat"})
    @DisplayName("PSUBSCRIBE receives pmessage for matching channels only")
    void patterns() throws Exception {
        try (RawClient sub = new RawClient(server.port()); Jedis pub = server.jedis()) {
            sub.command("PSUBSCRIBE", "news.*");
            assertEquals("*3\r\n$10\r\npsubscribe\r\n$6\r\nnews.*\r\n:1\r\n", sub.readReply());
            assertEquals(1L, pub.pubsubNumPat());
            assertEquals(1L, pub.publish("news.it", "ciao"));
            assertEquals(0L, pub.publish("sport.it", "x"));
            assertEquals("*4\r\n$8\r\npmessage\r\n$6\r\nnews.*\r\n$7\r\nnews.it\r\n$4\r\nciao\r\n", sub.readReply());
            sub.command("PUNSUBSCRIBE", "news.*");
            assertEquals("*3\r\n$12\r\npunsubscribe\r\n$6\r\nnews.*\r\n:0\r\n", sub.readReply());
        }
    }

    @Test
    @Covers({"subscribe", "publish"})
    @DisplayName("In RESP3 messages arrive as push frames and ordinary commands still work while subscribed")
    void resp3Push() throws Exception {
        try (RawClient sub = new RawClient(server.port()); Jedis pub = server.jedis()) {
            sub.call("HELLO", "3");
            sub.command("SUBSCRIBE", "r3");
            assertEquals(">3\r\n$9\r\nsubscribe\r\n$2\r\nr3\r\n:1\r\n", sub.readReply());
            assertEquals("+PONG\r\n", sub.call("PING"));
            pub.publish("r3", "m");
            assertEquals(">3\r\n$7\r\nmessage\r\n$2\r\nr3\r\n$1\r\nm\r\n", sub.readReply());
        }
    }

    @Test
    @Covers({"pubsub|channels", "pubsub|numsub", "pubsub|help"})
    @DisplayName("PUBSUB CHANNELS and NUMSUB report active subscriptions")
    void introspection() throws Exception {
        try (RawClient s1 = new RawClient(server.port()); RawClient s2 = new RawClient(server.port());
             Jedis j = server.jedis()) {
            s1.command("SUBSCRIBE", "intro.a");
            s1.readReply();
            s2.command("SUBSCRIBE", "intro.a", "intro.b");
            s2.readReply();
            s2.readReply();
            List<String> ch = j.pubsubChannels("intro.*");
            assertEquals(2, ch.size());
            assertEquals(Long.valueOf(2), j.pubsubNumSub("intro.a").get("intro.a"));
            assertEquals(Long.valueOf(1), j.pubsubNumSub("intro.b").get("intro.b"));
            assertEquals(Long.valueOf(0), j.pubsubNumSub("intro.none").get("intro.none"));
            assertTrue(j.sendCommand(redis.clients.jedis.Protocol.Command.PUBSUB, "HELP").toString().length() > 0);
        }
    }

    @Test
    @Covers({"ssubscribe", "spublish", "sunsubscribe", "pubsub|shardchannels", "pubsub|shardnumsub"})
    @DisplayName("Shard channels: SSUBSCRIBE receives smessage from SPUBLISH, not from PUBLISH")
    void shardChannels() throws Exception {
        try (RawClient sub = new RawClient(server.port()); RawClient pub = new RawClient(server.port())) {
            sub.command("SSUBSCRIBE", "sh");
            assertEquals("*3\r\n$10\r\nssubscribe\r\n$2\r\nsh\r\n:1\r\n", sub.readReply());
            assertEquals(":0\r\n", pub.call("PUBLISH", "sh", "x"));
            assertEquals("*1\r\n$2\r\nsh\r\n", pub.call("PUBSUB", "SHARDCHANNELS"));
            assertEquals("*2\r\n$2\r\nsh\r\n:1\r\n", pub.call("PUBSUB", "SHARDNUMSUB", "sh"));
            assertEquals(":1\r\n", pub.call("SPUBLISH", "sh", "y"));
            assertEquals("*3\r\n$8\r\nsmessage\r\n$2\r\nsh\r\n$1\r\ny\r\n", sub.readReply());
            sub.command("SUNSUBSCRIBE", "sh");
            assertEquals("*3\r\n$12\r\nsunsubscribe\r\n$2\r\nsh\r\n:0\r\n", sub.readReply());
        }
    }

    @Test
    @Covers({"publish"})
    @DisplayName("A subscriber that stops reading is cut off at the pubsub output limit; the server keeps serving")
    void slowSubscriberIsDisconnected() throws Exception {
        try (TestServer s = TestServer.start("--client-output-buffer-limit", "pubsub 1mb 256kb 60");
             RawClient sub = new RawClient(s.port()); Jedis pub = new Jedis("127.0.0.1", s.port())) {
            sub.command("SUBSCRIBE", "flood");
            sub.readReply();
            String big = "x".repeat(64 * 1024);
            long receivers = 1;
            for (int i = 0; i < 2000 && receivers > 0; i++) {
                receivers = pub.publish("flood", big);
            }
            assertEquals(0L, receivers, "the slow subscriber must have been disconnected");
            assertEquals("PONG", pub.ping());
        }
    }

    @Test
    @Covers({"publish", "set", "del"})
    @DisplayName("Keyspace notifications publish __keyspace@db__ and __keyevent@db__ messages as configured")
    void keyspaceNotifications() throws Exception {
        try (TestServer s = TestServer.start("--notify-keyspace-events", "KEA");
             RawClient sub = new RawClient(s.port()); Jedis j = new Jedis("127.0.0.1", s.port())) {
            sub.command("PSUBSCRIBE", "__key*__:*");
            sub.readReply();
            j.set("nk", "v");
            assertEquals("*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$17\r\n__keyspace@0__:nk\r\n$3\r\nset\r\n", sub.readReply());
            assertEquals("*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$18\r\n__keyevent@0__:set\r\n$2\r\nnk\r\n", sub.readReply());
            j.del("nk");
            assertTrue(sub.readReply().endsWith("$3\r\ndel\r\n"));
            assertTrue(sub.readReply().endsWith("$2\r\nnk\r\n"));
            j.set("exp", "v", redis.clients.jedis.params.SetParams.setParams().px(20));
            for (int i = 0; i < 4; i++) {
                sub.readReply(); // set and expire, each on __keyspace and __keyevent, as Redis
            }
            // expired: by the active cycle or on access; either way an "expired" event follows
            Thread.sleep(50);
            j.get("exp");
            String ev = sub.readReply();
            assertTrue(ev.endsWith("$7\r\nexpired\r\n") || ev.contains("expired"), ev);
        }
    }
}
