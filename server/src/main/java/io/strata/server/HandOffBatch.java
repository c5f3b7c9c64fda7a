package io.strata.server;

import io.strata.engine.command.Args;

/**
 * The commands one read decoded on an I/O thread (io-threads N), copied into one byte array and
 * handed to the keyspace thread as a single queue element: per command a varint argument count,
 * then per argument a varint length and the bytes. That is never longer than the RESP it came
 * from (plus a little for inline commands), so a read costs one array sized from its input and no
 * object per command; the keyspace thread walks the commands through one reusable {@link Args}.
 *
 * <p>Thread rule: filled by the connection's I/O thread, then read by the keyspace thread only
 * (published through the MPSC queue).
 */
final class HandOffBatch {
    final Connection conn;
    private byte[] data;
    private int len;
    private int commands;

    /** {@code sizeHint}: bytes of input the batch covers (the copy is at most about that). */
    HandOffBatch(Connection conn, int sizeHint) {
        this.conn = conn;
        this.data = new byte[Math.max(64, sizeHint + 16)];
    }

    int commands() {
        return commands;
    }

    private void ensure(int n) {
        if (len + n > data.length) {
            data = java.util.Arrays.copyOf(data, Math.max(data.length * 2, len + n));
        }
    }

    private void varint(int v) {
        while ((v & ~0x7F) != 0) {
            data[len++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        data[len++] = (byte) v;
    }

    void add(Args a) {
        int argc = a.argc();
        int need = 5;
        for (int i = 0; i < argc; i++) {
            need += 5 + a.len(i);
        }
        ensure(need);
        varint(argc);
        for (int i = 0; i < argc; i++) {
            varint(a.len(i));
            System.arraycopy(a.buf(), a.off(i), data, len, a.len(i));
            len += a.len(i);
        }
        commands++;
    }

    private int pos;

    private int readVarint() {
        int v = 0;
        int shift = 0;
        while (true) {
            int b = data[pos++];
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
            shift += 7;
        }
    }

    /** Runs every command in order through {@code reuse} (keyspace thread). */
    void run(Args reuse) {
        pos = 0;
        for (int c = 0; c < commands; c++) {
            int argc = readVarint();
            reuse.reset(data);
            for (int i = 0; i < argc; i++) {
                int l = readVarint();
                reuse.add(pos, l);
                pos += l;
            }
            conn.runHandedOff(reuse);
        }
    }
}
