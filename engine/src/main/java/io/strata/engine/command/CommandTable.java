package io.strata.engine.command;

import io.strata.engine.util.Bytes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every command Strata knows, as data. Lookup by the name bytes in the query buffer is
 * case-insensitive and allocation-free (open addressing on a case-folded hash).
 *
 * <p>Thread rule: built once at start-up; read-only afterwards, safe from any thread.
 */
public final class CommandTable {
    private final Map<String, CommandSpec> byName = new LinkedHashMap<>();
    private CommandSpec[] slots = new CommandSpec[512];

    public CommandSpec add(CommandSpec.Builder b) {
        CommandSpec spec = b.build();
        if (byName.put(spec.name, spec) != null) {
            throw new IllegalStateException("duplicate command name=" + spec.name);
        }
        if (byName.size() * 2 > slots.length) {
            CommandSpec[] old = slots;
            slots = new CommandSpec[old.length * 2];
            for (CommandSpec s : old) {
                if (s != null) {
                    insert(s);
                }
            }
        }
        insert(spec);
        return spec;
    }

    private void insert(CommandSpec s) {
        int mask = slots.length - 1;
        int i = foldedHash(s.nameBytes, 0, s.nameBytes.length) & mask;
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = s;
    }

    private static int foldedHash(byte[] b, int off, int len) {
        int h = 0;
        for (int i = off; i < off + len; i++) {
            int c = b[i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            h = 31 * h + c;
        }
        return h ^ (h >>> 16);
    }

    /** Finds a command by name bytes, ignoring case. Null when unknown. */
    public CommandSpec lookup(byte[] b, int off, int len) {
        int mask = slots.length - 1;
        int i = foldedHash(b, off, len) & mask;
        CommandSpec s;
        while ((s = slots[i]) != null) {
            if (Bytes.equalsIgnoreCase(s.nameBytes, b, off, len)) {
                return s;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    public CommandSpec get(String name) {
        return byName.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    public Collection<CommandSpec> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    /** Every command and subcommand, containers first then their children. */
    public List<CommandSpec> allWithSubcommands() {
        List<CommandSpec> out = new ArrayList<>();
        for (CommandSpec s : byName.values()) {
            out.add(s);
            out.addAll(s.subcommands().values());
        }
        return out;
    }

    public int size() {
        return byName.size();
    }
}
