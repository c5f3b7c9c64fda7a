package io.strata.engine;

import io.strata.engine.command.Args;
import io.strata.engine.util.Bytes;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Commands slower than {@code slowlog-log-slower-than} microseconds, newest first, at most
 * {@code slowlog-max-len}; arguments trimmed as Redis trims them (32 args, 128 bytes each).
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class SlowLog {
    static final int MAX_ARGS = 32;
    static final int MAX_ARG_LEN = 128;

    /** One slow command. */
    public static final class Entry {
        public final long id;
        public final long timeSec;
        public final long durationUs;
        public final List<byte[]> args;
        public final String addr;
        public final String clientName;

        Entry(long id, long timeSec, long durationUs, List<byte[]> args, String addr, String clientName) {
            this.id = id;
            this.timeSec = timeSec;
            this.durationUs = durationUs;
            this.args = args;
            this.addr = addr;
            this.clientName = clientName;
        }
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long nextId;

    public void record(Args a, long durationUs, Client c, int maxLen) {
        if (maxLen <= 0) {
            return;
        }
        List<byte[]> args = new ArrayList<>();
        int n = Math.min(a.argc(), MAX_ARGS);
        for (int i = 0; i < n; i++) {
            if (i == MAX_ARGS - 1 && a.argc() > MAX_ARGS) {
                args.add(Bytes.ascii("... (" + (a.argc() - MAX_ARGS + 1) + " more arguments)"));
                break;
            }
            if (a.len(i) > MAX_ARG_LEN) {
                byte[] b = new byte[MAX_ARG_LEN];
                System.arraycopy(a.buf(), a.off(i), b, 0, MAX_ARG_LEN);
                byte[] suffix = Bytes.ascii("... (" + (a.len(i) - MAX_ARG_LEN) + " more bytes)");
                byte[] both = new byte[b.length + suffix.length];
                System.arraycopy(b, 0, both, 0, b.length);
                System.arraycopy(suffix, 0, both, b.length, suffix.length);
                args.add(both);
            } else {
                args.add(a.bytes(i));
            }
        }
        entries.addFirst(new Entry(nextId++, System.currentTimeMillis() / 1000, durationUs, args,
            c.channel.addr(), c.name));
        while (entries.size() > maxLen) {
            entries.removeLast();
        }
    }

    public List<Entry> latest(int count) {
        List<Entry> out = new ArrayList<>();
        Iterator<Entry> it = entries.iterator();
        while (it.hasNext() && (count < 0 || out.size() < count)) {
            out.add(it.next());
        }
        return out;
    }

    public int size() {
        return entries.size();
    }

    public void reset() {
        entries.clear();
    }

    public void trim(int maxLen) {
        while (entries.size() > maxLen) {
            entries.removeLast();
        }
    }
}
