package io.strata.engine;

import io.strata.engine.keyspace.Database;
import io.strata.engine.util.Bytes;

/**
 * Keyspace notifications ({@code notify-keyspace-events}): publishes
 * {@code __keyspace@<db>__:<key>} → event and {@code __keyevent@<db>__:<event>} → key for the
 * classes the user enabled, with Redis' flag letters.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class Notifier {
    public static final int KEYSPACE = 1;
    public static final int KEYEVENT = 1 << 1;
    public static final int GENERIC = 1 << 2;
    public static final int STRING = 1 << 3;
    public static final int LIST = 1 << 4;
    public static final int SET = 1 << 5;
    public static final int HASH = 1 << 6;
    public static final int ZSET = 1 << 7;
    public static final int EXPIRED = 1 << 8;
    public static final int EVICTED = 1 << 9;
    public static final int STREAM = 1 << 10;
    public static final int KEY_MISS = 1 << 11;
    public static final int MODULE = 1 << 12;
    public static final int NEW = 1 << 13;
    /** What 'A' stands for: every class but key-miss and new. */
    public static final int ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

    private final Engine engine;
    /** Enabled classes; 0 = notifications off (the default). */
    private volatile int flags;

    Notifier(Engine engine) {
        this.engine = engine;
    }

    /** Parses Redis' flag letters; -1 when a letter is unknown. */
    public static int parse(String s) {
        int f = 0;
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case 'A': f |= ALL; break;
                case 'g': f |= GENERIC; break;
                case '$': f |= STRING; break;
                case 'l': f |= LIST; break;
                case 's': f |= SET; break;
                case 'h': f |= HASH; break;
                case 'z': f |= ZSET; break;
                case 'x': f |= EXPIRED; break;
                case 'e': f |= EVICTED; break;
                case 'K': f |= KEYSPACE; break;
                case 'E': f |= KEYEVENT; break;
                case 't': f |= STREAM; break;
                case 'm': f |= KEY_MISS; break;
                case 'd': f |= MODULE; break;
                case 'n': f |= NEW; break;
                default: return -1;
            }
        }
        return f;
    }

    /** Formats flags as Redis 7.0 prints them for CONFIG GET. */
    public static String format(int f) {
        StringBuilder sb = new StringBuilder();
        if ((f & ALL) == ALL) {
            sb.append('A');
        } else {
            if ((f & GENERIC) != 0) sb.append('g');
            if ((f & STRING) != 0) sb.append('$');
            if ((f & LIST) != 0) sb.append('l');
            if ((f & SET) != 0) sb.append('s');
            if ((f & HASH) != 0) sb.append('h');
            if ((f & ZSET) != 0) sb.append('z');
            if ((f & EXPIRED) != 0) sb.append('x');
            if ((f & EVICTED) != 0) sb.append('e');
            if ((f & STREAM) != 0) sb.append('t');
            if ((f & MODULE) != 0) sb.append('d');
            if ((f & NEW) != 0) sb.append('n');
        }
        if ((f & KEYSPACE) != 0) sb.append('K');
        if ((f & KEYEVENT) != 0) sb.append('E');
        if ((f & KEY_MISS) != 0) sb.append('m');
        return sb.toString();
    }

    public int flags() {
        return flags;
    }

    public void setFlags(int f) {
        flags = f;
    }

    /** Publishes an event of class {@code type} about {@code key}, if that class is enabled. */
    public void notify(int type, String event, Database db, byte[] key) {
        int f = flags;
        if ((f & type) == 0 || (f & (KEYSPACE | KEYEVENT)) == 0) {
            return;
        }
        byte[] ev = Bytes.ascii(event);
        if ((f & KEYSPACE) != 0) {
            byte[] prefix = Bytes.ascii("__keyspace@" + db.index + "__:");
            byte[] channel = new byte[prefix.length + key.length];
            System.arraycopy(prefix, 0, channel, 0, prefix.length);
            System.arraycopy(key, 0, channel, prefix.length, key.length);
            engine.pubsub.publish(channel, ev);
        }
        if ((f & KEYEVENT) != 0) {
            engine.pubsub.publish(Bytes.ascii("__keyevent@" + db.index + "__:" + event), key);
        }
    }
}
