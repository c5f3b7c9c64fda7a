package io.strata.engine.command;

import io.strata.engine.util.Bytes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One command as data: name, arity (positive = exact, negative = minimum), flags, key positions,
 * ACL categories, documentation and handler. COMMAND INFO/DOCS/LIST are generated from these.
 *
 * <p>Thread rule: the description is immutable after the table is built; the statistics fields
 * are written on the keyspace thread only.
 */
public final class CommandSpec {
    public final String name;
    /** Lower-case name bytes, for allocation-free lookup. */
    final byte[] nameBytes;
    public final int arity;
    public final Set<CommandFlag> flags;
    public final int firstKey;
    public final int lastKey;
    public final int keyStep;
    public final KeySpec keySpec;
    public final String group;
    public final String summary;
    public final String since;
    public final String complexity;
    public final CommandHandler handler;
    public final CommandSpec parent;
    private final Set<String> aclCategories;
    private final Map<String, CommandSpec> subcommands = new LinkedHashMap<>();
    /** {@link #flags} as bits by ordinal: {@link #has} runs for every command several times. */
    private final long flagBits;

    static {
        if (CommandFlag.values().length > Long.SIZE) {
            throw new IllegalStateException("more command flags than bits in flagBits");
        }
    }

    // statistics (keyspace thread only)
    public long calls;
    public long usec;
    public long rejectedCalls;
    public long failedCalls;

    private CommandSpec(Builder b, CommandSpec parent) {
        this.parent = parent;
        this.name = parent == null ? b.name : parent.name + "|" + b.name;
        this.nameBytes = Bytes.ascii(b.name);
        this.arity = b.arity;
        this.flags = Collections.unmodifiableSet(b.flags.isEmpty() ? EnumSet.noneOf(CommandFlag.class) : EnumSet.copyOf(b.flags));
        long bits = 0;
        for (CommandFlag f : flags) {
            bits |= 1L << f.ordinal();
        }
        this.flagBits = bits;
        this.firstKey = b.first;
        this.lastKey = b.last;
        this.keyStep = b.step;
        this.keySpec = b.keySpec != null ? b.keySpec : KeySpec.range(b.first, b.last, b.step);
        this.group = b.group;
        this.summary = b.summary;
        this.since = b.since;
        this.complexity = b.complexity;
        this.handler = b.handler;
        Set<String> acl = new LinkedHashSet<>();
        if (flags.contains(CommandFlag.WRITE)) {
            acl.add("@write");
        }
        if (flags.contains(CommandFlag.READONLY)) {
            acl.add("@read");
        }
        if (flags.contains(CommandFlag.ADMIN)) {
            acl.add("@admin");
            acl.add("@dangerous");
        }
        if (flags.contains(CommandFlag.PUBSUB)) {
            acl.add("@pubsub");
        }
        if (flags.contains(CommandFlag.BLOCKING)) {
            acl.add("@blocking");
        }
        String g = groupCategory(b.group);
        if (g != null) {
            acl.add(g);
        }
        acl.add(flags.contains(CommandFlag.FAST) ? "@fast" : "@slow");
        acl.addAll(b.extraAcl);
        // Redis prints categories in the order of its category table, not in the order added
        List<String> sorted = new ArrayList<>(acl);
        sorted.sort(java.util.Comparator.comparingInt(CommandSpec::categoryRank));
        this.aclCategories = Collections.unmodifiableSet(new LinkedHashSet<>(sorted));
        for (Builder sb : b.subs) {
            CommandSpec sub = new CommandSpec(sb, this);
            subcommands.put(sb.name, sub);
        }
    }

    /** Position in Redis' ACL category table (ACLCommandCategories), which fixes the print order. */
    private static final List<String> CATEGORY_ORDER = List.of("@keyspace", "@read", "@write", "@set", "@sortedset",
        "@list", "@hash", "@string", "@bitmap", "@hyperloglog", "@geo", "@stream", "@pubsub", "@admin", "@fast",
        "@slow", "@blocking", "@dangerous", "@connection", "@transaction", "@scripting");

    private static int categoryRank(String c) {
        int i = CATEGORY_ORDER.indexOf(c);
        return i < 0 ? CATEGORY_ORDER.size() : i;
    }

    private static String groupCategory(String group) {
        switch (group) {
            case "string": return "@string";
            case "generic": return "@keyspace";
            case "list": return "@list";
            case "hash": return "@hash";
            case "set": return "@set";
            case "sorted-set": return "@sortedset";
            case "bitmap": return "@bitmap";
            case "hyperloglog": return "@hyperloglog";
            case "geo": return "@geo";
            case "stream": return "@stream";
            case "pubsub": return "@pubsub";
            case "transactions": return "@transaction";
            case "connection": return "@connection";
            case "scripting": return "@scripting";
            default: return null;
        }
    }

    public boolean has(CommandFlag f) {
        return (flagBits & (1L << f.ordinal())) != 0;
    }

    public Set<String> aclCategories() {
        return aclCategories;
    }

    public Map<String, CommandSpec> subcommands() {
        return Collections.unmodifiableMap(subcommands);
    }

    public boolean isContainer() {
        return !subcommands.isEmpty();
    }

    /** Finds a subcommand by argument bytes, case-insensitively, without allocating. */
    public CommandSpec subcommand(byte[] b, int off, int len) {
        for (CommandSpec s : subcommands.values()) {
            if (Bytes.equalsIgnoreCase(s.nameBytes, b, off, len)) {
                return s;
            }
        }
        return null;
    }

    public boolean arityOk(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }

    /** The name as Redis 7.0 prints it in errors: "get", "client|kill". */
    public String fullName() {
        return name;
    }

    public String upperName() {
        return name.toUpperCase(Locale.ROOT);
    }

    public static Builder builder(String name, int arity, CommandHandler handler) {
        return new Builder(name, arity, handler);
    }

    /** Fluent description of one command; {@link CommandTable#add(Builder)} builds it. */
    public static final class Builder {
        final String name;
        final int arity;
        final CommandHandler handler;
        final EnumSet<CommandFlag> flags = EnumSet.noneOf(CommandFlag.class);
        int first;
        int last;
        int step;
        KeySpec keySpec;
        String group = "server";
        String summary = "";
        String since = "1.0.0";
        String complexity = "";
        final List<String> extraAcl = new ArrayList<>();
        final List<Builder> subs = new ArrayList<>();

        Builder(String name, int arity, CommandHandler handler) {
            this.name = name.toLowerCase(Locale.ROOT);
            this.arity = arity;
            this.handler = handler;
        }

        public Builder flags(CommandFlag... f) {
            Collections.addAll(flags, f);
            return this;
        }

        public Builder keys(int first, int last, int step) {
            this.first = first;
            this.last = last;
            this.step = step;
            return this;
        }

        /** Keys whose positions depend on arguments; sets MOVABLEKEYS. */
        public Builder movableKeys(KeySpec spec) {
            this.keySpec = spec;
            flags.add(CommandFlag.MOVABLEKEYS);
            return this;
        }

        public Builder doc(String group, String since, String summary) {
            this.group = group;
            this.since = since;
            this.summary = summary;
            return this;
        }

        public Builder complexity(String c) {
            this.complexity = c;
            return this;
        }

        public Builder acl(String... categories) {
            Collections.addAll(extraAcl, categories);
            return this;
        }

        public Builder sub(Builder sub) {
            if (sub.group.equals("server") && !group.equals("server")) {
                sub.group = group;
            }
            subs.add(sub);
            return this;
        }

        CommandSpec build() {
            for (Builder s : subs) {
                if (s.group.equals("server")) {
                    s.group = group;
                }
            }
            return new CommandSpec(this, null);
        }
    }
}
