package io.strata.engine.command;

/**
 * What a command's flags promise; the dispatcher acts on them, handlers never re-check.
 * The wire name is the text COMMAND INFO shows. Meaning never comes from declaration order.
 *
 * <ul>
 * <li>{@code WRITE} — may modify the keyspace; refused while writes are paused, counted as a change.</li>
 * <li>{@code READONLY} — reads the keyspace, never modifies it.</li>
 * <li>{@code DENYOOM} — may grow memory; refused with -OOM when over {@code maxmemory} and nothing can be freed.</li>
 * <li>{@code ADMIN} — administrative (CONFIG, SHUTDOWN, DEBUG…); in the @admin and @dangerous categories.</li>
 * <li>{@code PUBSUB} — a pub/sub command; the only kind allowed in RESP2 subscribed mode.</li>
 * <li>{@code NOSCRIPT} — not allowed inside scripts.</li>
 * <li>{@code BLOCKING} — may park the client; never blocks inside MULTI.</li>
 * <li>{@code LOADING} — allowed while the dataset is loading.</li>
 * <li>{@code STALE} — allowed on a replica with stale data.</li>
 * <li>{@code SKIP_MONITOR} — not shown to MONITOR clients.</li>
 * <li>{@code SKIP_SLOWLOG} — never recorded in the slow log.</li>
 * <li>{@code FAST} — O(1) or O(log n); in the @fast category (others are @slow).</li>
 * <li>{@code NO_AUTH} — allowed before AUTH.</li>
 * <li>{@code MAY_REPLICATE} — may propagate although not a write (PUBLISH).</li>
 * <li>{@code NO_MULTI} — refused inside MULTI.</li>
 * <li>{@code ALLOW_BUSY} — allowed while a script is busy.</li>
 * <li>{@code MOVABLEKEYS} — key positions depend on arguments (COMMAND GETKEYS parses them).</li>
 * </ul>
 */
public enum CommandFlag {
    WRITE("write"),
    READONLY("readonly"),
    DENYOOM("denyoom"),
    ADMIN("admin"),
    PUBSUB("pubsub"),
    NOSCRIPT("noscript"),
    BLOCKING("blocking"),
    LOADING("loading"),
    STALE("stale"),
    SKIP_MONITOR("skip_monitor"),
    SKIP_SLOWLOG("skip_slowlog"),
    FAST("fast"),
    NO_AUTH("no_auth"),
    MAY_REPLICATE("may_replicate"),
    NO_MULTI("no_multi"),
    ALLOW_BUSY("allow_busy"),
    MOVABLEKEYS("movablekeys");

    public final String wireName;

    CommandFlag(String wireName) {
        this.wireName = wireName;
    }
}
