package io.strata.engine;

import io.strata.engine.command.Args;
import io.strata.engine.command.ReplySink;
import io.strata.engine.keyspace.Database;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one client connection: selected database, protocol, authentication, name,
 * transaction queue, reply mode. Mirrors Redis' {@code client} struct.
 *
 * <p>Thread rule: keyspace thread only, except {@link #id} and the timestamps read for
 * CLIENT LIST (which runs on the keyspace thread too).
 */
public final class Client {
    /** CLIENT REPLY modes. */
    public enum ReplyMode { ON, OFF, SKIP }

    public final long id;
    public final ClientChannel channel;
    public final long createdMs;
    public long lastInteractionMs;
    public Database db;
    public int protocol = 2;
    public boolean authenticated;
    public String name = "";
    public String libName = "";
    public String libVer = "";
    /** Lower-case full name of the last command run, for CLIENT LIST cmd=. */
    public String lastCommand = "NULL";
    public ReplyMode replyMode = ReplyMode.ON;
    /** Set by CLIENT REPLY SKIP: the next command's reply is dropped. */
    boolean skipNext;
    public boolean noEvict;
    public boolean monitor;
    public boolean closeAfterReply;
    public boolean closed;

    /** SCRIPT DEBUG: 0 off, {@link #SCRIPT_DEBUG_YES} or {@link #SCRIPT_DEBUG_SYNC} for this client's next EVAL. */
    public int scriptDebug;
    public static final int SCRIPT_DEBUG_YES = 1;
    public static final int SCRIPT_DEBUG_SYNC = 2;

    // ---- MULTI/EXEC ----
    public boolean inMulti;
    /** A command was refused while queuing: EXEC answers EXECABORT. */
    public boolean multiDirty;
    public final List<Args> multiQueue = new ArrayList<>();

    // ---- pub/sub ----
    private final java.util.EnumMap<PubSub.Kind, java.util.Set<java.nio.ByteBuffer>> subscriptions =
        new java.util.EnumMap<>(PubSub.Kind.class);
    /** When the output passed the pub/sub soft limit, or 0 (for the soft-limit grace time). */
    long softLimitSinceMs;

    public java.util.Set<java.nio.ByteBuffer> subscriptions(PubSub.Kind k) {
        return subscriptions.computeIfAbsent(k, x -> new java.util.LinkedHashSet<>());
    }

    /** Channel plus pattern subscriptions (what SUBSCRIBE/PSUBSCRIBE replies count). */
    public int subscriptionCount() {
        return sizeOf(PubSub.Kind.CHANNEL) + sizeOf(PubSub.Kind.PATTERN);
    }

    private int sizeOf(PubSub.Kind k) {
        java.util.Set<java.nio.ByteBuffer> s = subscriptions.get(k);
        return s == null ? 0 : s.size();
    }

    /** True when subscribed to anything: in RESP2 only pub/sub commands are then allowed. Checked for every command. */
    public boolean inPubSubMode() {
        for (java.util.Set<java.nio.ByteBuffer> s : subscriptions.values()) {
            if (!s.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    // ---- blocking (BLPOP & co.) ----
    /** The command that blocked, re-run when one of its keys is signalled ready. */
    Args blockedArgs;
    /** Keys this client waits on, in {@link #blockedDb}. */
    final List<java.nio.ByteBuffer> blockedKeys = new ArrayList<>();
    Database blockedDb;
    /** Absolute ms deadline, 0 = forever. */
    long blockDeadline;
    /** Set while the blocked command is being re-run, so a second block() keeps its place. */
    boolean reblocked;

    /** The key a spill-tier read-ahead just brought in for this client's next command, or null. */
    byte[] readAheadKey;

    public boolean isBlocked() {
        return blockedArgs != null;
    }

    // ---- CLIENT PAUSE ----
    /** Commands held back while the server is paused; run in order on unpause. */
    final ArrayDeque<Args> postponed = new ArrayDeque<>();

    public Client(long id, ClientChannel channel, Database db, long now) {
        this.id = id;
        this.channel = channel;
        this.db = db;
        this.createdMs = now;
        this.lastInteractionMs = now;
    }

    public ReplySink reply() {
        return channel.sink();
    }

    /** Flags as CLIENT LIST shows them. */
    public String flagString() {
        StringBuilder sb = new StringBuilder();
        if (monitor) {
            sb.append('O');
        }
        if (inMulti) {
            sb.append('x');
        }
        if (closeAfterReply) {
            sb.append('c');
        }
        if (!postponed.isEmpty() || blockedArgs != null) {
            sb.append('b');
        }
        if (inPubSubMode()) {
            sb.append('P');
        }
        if (noEvict) {
            sb.append('e');
        }
        return sb.length() == 0 ? "N" : sb.toString();
    }

    /** CLIENT REPLY SKIP: drop the reply of the next command only. */
    public void requestSkipNext() {
        skipNext = true;
    }

    public boolean isPostponing() {
        return !postponed.isEmpty();
    }
}
