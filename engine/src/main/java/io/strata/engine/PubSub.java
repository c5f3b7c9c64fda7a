package io.strata.engine;

import io.strata.engine.command.ReplySink;
import io.strata.engine.util.Glob;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pub/sub subscriptions (channels, patterns, shard channels) and message delivery. A message is
 * written straight into each subscriber's reply sink and flushed; a subscriber whose unsent
 * output passes {@code client-output-buffer-limit pubsub} is disconnected rather than slowing
 * the server.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class PubSub {
    /** The three kinds of subscription; each has its own reply words. */
    public enum Kind {
        CHANNEL("subscribe", "unsubscribe", "message"),
        PATTERN("psubscribe", "punsubscribe", "pmessage"),
        SHARD("ssubscribe", "sunsubscribe", "smessage");

        public final String subscribeWord;
        public final String unsubscribeWord;
        public final String messageWord;

        Kind(String s, String u, String m) {
            subscribeWord = s;
            unsubscribeWord = u;
            messageWord = m;
        }
    }

    private final Engine engine;
    private final Map<Kind, Map<ByteBuffer, Set<Client>>> subs = new HashMap<>();

    PubSub(Engine engine) {
        this.engine = engine;
        for (Kind k : Kind.values()) {
            subs.put(k, new LinkedHashMap<>());
        }
    }

    public Map<ByteBuffer, Set<Client>> subscriptions(Kind k) {
        return subs.get(k);
    }

    /** Subscribes and replies the confirmation; returns false if it was already subscribed. */
    public void subscribe(Client c, Kind k, byte[] name) {
        ByteBuffer key = ByteBuffer.wrap(name);
        Set<ByteBuffer> mine = c.subscriptions(k);
        if (mine.add(key)) {
            subs.get(k).computeIfAbsent(key, x -> new LinkedHashSet<>()).add(c);
        }
        confirm(c, k.subscribeWord, name, k == Kind.SHARD ? c.subscriptions(Kind.SHARD).size() : c.subscriptionCount());
    }

    public void unsubscribe(Client c, Kind k, byte[] name, boolean notify) {
        ByteBuffer key = ByteBuffer.wrap(name);
        if (c.subscriptions(k).remove(key)) {
            Set<Client> set = subs.get(k).get(key);
            if (set != null) {
                set.remove(c);
                if (set.isEmpty()) {
                    subs.get(k).remove(key);
                }
            }
        }
        if (notify) {
            confirm(c, k.unsubscribeWord, name, k == Kind.SHARD ? c.subscriptions(Kind.SHARD).size() : c.subscriptionCount());
        }
    }

    /** Unsubscribes from every subscription of a kind; with none, replies once with a null name. */
    public void unsubscribeAll(Client c, Kind k, boolean notify) {
        List<ByteBuffer> all = new ArrayList<>(c.subscriptions(k));
        if (all.isEmpty() && notify) {
            confirm(c, k.unsubscribeWord, null, k == Kind.SHARD ? c.subscriptions(Kind.SHARD).size() : c.subscriptionCount());
            return;
        }
        for (ByteBuffer b : all) {
            unsubscribe(c, k, b.array(), notify);
        }
    }

    /** Drops every subscription of a closing or RESET client, without replies. */
    public void forget(Client c) {
        for (Kind k : Kind.values()) {
            unsubscribeAll(c, k, false);
        }
    }

    private static void confirm(Client c, String word, byte[] name, int count) {
        ReplySink r = c.reply();
        r.push(3);
        r.bulk(word);
        if (name == null) {
            r.nullBulk();
        } else {
            r.bulk(name);
        }
        r.integer(count);
    }

    /** Delivers a message on a channel (and to matching patterns); returns the receivers. */
    public int publish(byte[] channel, byte[] message) {
        int n = 0;
        Set<Client> direct = subs.get(Kind.CHANNEL).get(ByteBuffer.wrap(channel));
        if (direct != null) {
            for (Client c : new ArrayList<>(direct)) {
                ReplySink r = c.reply();
                r.push(3);
                r.bulk("message");
                r.bulk(channel);
                r.bulk(message);
                deliver(c);
                n++;
            }
        }
        Map<ByteBuffer, Set<Client>> pats = subs.get(Kind.PATTERN);
        if (!pats.isEmpty()) {
            for (Map.Entry<ByteBuffer, Set<Client>> e : new ArrayList<>(pats.entrySet())) {
                byte[] pattern = e.getKey().array();
                if (!Glob.match(pattern, channel, false)) {
                    continue;
                }
                for (Client c : new ArrayList<>(e.getValue())) {
                    ReplySink r = c.reply();
                    r.push(4);
                    r.bulk("pmessage");
                    r.bulk(pattern);
                    r.bulk(channel);
                    r.bulk(message);
                    deliver(c);
                    n++;
                }
            }
        }
        return n;
    }

    /** SPUBLISH: shard channels only. */
    public int publishShard(byte[] channel, byte[] message) {
        Set<Client> direct = subs.get(Kind.SHARD).get(ByteBuffer.wrap(channel));
        if (direct == null) {
            return 0;
        }
        int n = 0;
        for (Client c : new ArrayList<>(direct)) {
            ReplySink r = c.reply();
            r.push(3);
            r.bulk("smessage");
            r.bulk(channel);
            r.bulk(message);
            deliver(c);
            n++;
        }
        return n;
    }

    private void deliver(Client c) {
        c.channel.flush();
        engine.enforcePubSubOutputLimit(c);
    }
}
