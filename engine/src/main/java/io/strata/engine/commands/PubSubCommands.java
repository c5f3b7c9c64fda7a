package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.PubSub;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.ReplySink;
import io.strata.engine.util.Glob;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.LOADING;
import static io.strata.engine.command.CommandFlag.MAY_REPLICATE;
import static io.strata.engine.command.CommandFlag.NOSCRIPT;
import static io.strata.engine.command.CommandFlag.PUBSUB;
import static io.strata.engine.command.CommandFlag.STALE;

/**
 * Pub/sub commands (Redis' pubsub.c). Subscribe confirmations and messages are pushes:
 * {@code >} frames in RESP3, arrays in RESP2.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class PubSubCommands extends CommandGroup {
    public PubSubCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "pubsub";
        t.add(cmd("subscribe", -2, (c, a, r) -> subscribe(c, a, PubSub.Kind.CHANNEL))
            .flags(PUBSUB, NOSCRIPT, LOADING, STALE).doc(g, "2.0.0", "Listens for messages published to channels."));
        t.add(cmd("psubscribe", -2, (c, a, r) -> subscribe(c, a, PubSub.Kind.PATTERN))
            .flags(PUBSUB, NOSCRIPT, LOADING, STALE).doc(g, "2.0.0", "Listens for messages published to channels that match one or more patterns."));
        t.add(cmd("ssubscribe", -2, (c, a, r) -> subscribe(c, a, PubSub.Kind.SHARD))
            .flags(PUBSUB, NOSCRIPT, LOADING, STALE).keys(1, -1, 1).doc(g, "7.0.0", "Listens for messages published to shard channels."));
        t.add(cmd("unsubscribe", -1, (c, a, r) -> unsubscribe(c, a, PubSub.Kind.CHANNEL))
            .flags(PUBSUB, NOSCRIPT, LOADING, STALE).doc(g, "2.0.0", "Stops listening to messages posted to channels."));
        t.add(cmd("punsubscribe", -1, (c, a, r) -> unsubscribe(c, a, PubSub.Kind.PATTERN))
            .flags(PUBSUB, NOSCRIPT, LOADING, STALE).doc(g, "2.0.0", "Stops listening to messages published to channels that match one or more patterns."));
        t.add(cmd("sunsubscribe", -1, (c, a, r) -> unsubscribe(c, a, PubSub.Kind.SHARD))
            .flags(PUBSUB, NOSCRIPT, LOADING, STALE).keys(1, -1, 1).doc(g, "7.0.0", "Stops listening to messages posted to shard channels."));
        t.add(cmd("publish", 3, (c, a, r) -> r.integer(engine.pubsub.publish(a.bytes(1), a.bytes(2))))
            .flags(PUBSUB, LOADING, STALE, FAST, MAY_REPLICATE).doc(g, "2.0.0", "Posts a message to a channel."));
        t.add(cmd("spublish", 3, (c, a, r) -> r.integer(engine.pubsub.publishShard(a.bytes(1), a.bytes(2))))
            .flags(PUBSUB, LOADING, STALE, FAST, MAY_REPLICATE).keys(1, 1, 1).doc(g, "7.0.0", "Post a message to a shard channel"));
        t.add(container("pubsub").doc(g, "2.8.0", "A container for Pub/Sub commands.")
            .sub(cmd("channels", -2, (c, a, r) -> channels(a, r, PubSub.Kind.CHANNEL)).flags(PUBSUB, LOADING, STALE)
                .doc(g, "2.8.0", "Returns the active channels."))
            .sub(cmd("shardchannels", -2, (c, a, r) -> channels(a, r, PubSub.Kind.SHARD)).flags(PUBSUB, LOADING, STALE)
                .doc(g, "7.0.0", "Returns the active shard channels."))
            .sub(cmd("numsub", -2, (c, a, r) -> numsub(a, r, PubSub.Kind.CHANNEL)).flags(PUBSUB, LOADING, STALE)
                .doc(g, "2.8.0", "Returns a count of subscribers to channels."))
            .sub(cmd("shardnumsub", -2, (c, a, r) -> numsub(a, r, PubSub.Kind.SHARD)).flags(PUBSUB, LOADING, STALE)
                .doc(g, "7.0.0", "Returns the count of subscribers of shard channels."))
            .sub(cmd("numpat", 2, (c, a, r) -> r.integer(engine.pubsub.subscriptions(PubSub.Kind.PATTERN).size()))
                .flags(PUBSUB, LOADING, STALE).doc(g, "2.8.0", "Returns a count of unique pattern subscriptions."))
            .sub(cmd("help", 2, this::help).flags(LOADING, STALE)
                .doc(g, "6.2.0", "Returns helpful text about the different subcommands.")));
    }

    private void subscribe(Client c, Args a, PubSub.Kind k) {
        for (int i = 1; i < a.argc(); i++) {
            engine.pubsub.subscribe(c, k, a.bytes(i));
        }
    }

    private void unsubscribe(Client c, Args a, PubSub.Kind k) {
        if (a.argc() == 1) {
            engine.pubsub.unsubscribeAll(c, k, true);
            return;
        }
        for (int i = 1; i < a.argc(); i++) {
            engine.pubsub.unsubscribe(c, k, a.bytes(i), true);
        }
    }

    private void channels(Args a, ReplySink r, PubSub.Kind k) {
        if (a.argc() > 3) {
            r.error(io.strata.engine.Errors.wrongArity("pubsub|" + (k == PubSub.Kind.SHARD ? "shardchannels" : "channels")));
            return;
        }
        byte[] pattern = a.argc() == 3 ? a.bytes(2) : null;
        List<byte[]> out = new ArrayList<>();
        for (ByteBuffer ch : engine.pubsub.subscriptions(k).keySet()) {
            if (pattern == null || Glob.match(pattern, ch.array(), false)) {
                out.add(ch.array());
            }
        }
        r.array(out.size());
        for (byte[] b : out) {
            r.bulk(b);
        }
    }

    private void numsub(Args a, ReplySink r, PubSub.Kind k) {
        Map<ByteBuffer, Set<Client>> subs = engine.pubsub.subscriptions(k);
        r.map(a.argc() - 2);
        for (int i = 2; i < a.argc(); i++) {
            Set<Client> s = subs.get(ByteBuffer.wrap(a.bytes(i)));
            r.bulk(a.buf(), a.off(i), a.len(i));
            r.integer(s == null ? 0 : s.size());
        }
    }

    private void help(Client c, Args a, ReplySink r) {
        String[] lines = {
            "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
            "HELP",
            "    Print this help."};
        r.array(lines.length);
        for (String l : lines) {
            r.simple(l);
        }
    }
}
