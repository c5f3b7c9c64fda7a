package io.strata.storage.aof;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads a plain RESP AOF file (redis-server's incr files, or the command part of a base file after
 * an RDB preamble) one command at a time with {@link RespCommands}, tracking file offsets. Memory
 * stays at one read buffer, grown only to fit the largest single command.
 *
 * <p>Statuses follow {@link AofFrames}: {@link RespCommands.Status#INCOMPLETE} at end of file is
 * a torn tail (the file ends inside a command); {@link #next} never throws for bad data.
 *
 * <p>Thread rule: one thread at a time.
 */
public final class RespStream {
    private final FileChannel ch;
    private final RespCommands parser = new RespCommands();
    private byte[] buf = new byte[1 << 20];
    /** File offset of buf[0]. */
    private long bufStart;
    private int pos;
    private int lim;
    private boolean eof;
    private long commandOffset;

    public RespStream(FileChannel ch, long from) {
        this.ch = ch;
        this.bufStart = from;
    }

    /**
     * The next command or annotation. INCOMPLETE means the file ends inside one (torn tail);
     * end of file exactly at a boundary returns null.
     */
    public RespCommands.Status next() throws IOException {
        while (true) {
            if (pos == lim && eof) {
                commandOffset = bufStart + pos;
                return null;
            }
            RespCommands.Status s = parser.next(buf, pos, lim);
            if (s != RespCommands.Status.INCOMPLETE) {
                commandOffset = bufStart + pos;
                if (s != RespCommands.Status.CORRUPT) {
                    pos = parser.end();
                }
                return s;
            }
            if (eof) {
                commandOffset = bufStart + pos;
                return s;
            }
            fill();
        }
    }

    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            bufStart += pos;
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) {
            buf = java.util.Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, buf.length * 2L));
        }
        ByteBuffer bb = ByteBuffer.wrap(buf, lim, buf.length - lim);
        int n = ch.read(bb, bufStart + lim);
        if (n < 0) {
            eof = true;
        } else {
            lim += n;
        }
    }

    /** File offset where the last returned command, annotation or problem starts. */
    public long offset() {
        return commandOffset;
    }

    /** File offset just after the last command or annotation returned. */
    public long position() {
        return bufStart + pos;
    }

    /** The parser holding the last command; its argument positions index {@link #buffer()}. */
    public RespCommands parser() {
        return parser;
    }

    public byte[] buffer() {
        return buf;
    }
}
