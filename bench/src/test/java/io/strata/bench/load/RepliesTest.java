package io.strata.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RepliesTest {
    private static final String REPLIES = "+OK\r\n-ERR wrong\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n$1\r\na\r\n*1\r\n:1\r\n"
        + "%1\r\n+k\r\n+v\r\n_\r\n*-1\r\n";

    @Test
    void shouldFindEveryReplyWhenFedOneByteAtATime() {
        byte[] all = REPLIES.getBytes(StandardCharsets.US_ASCII);
        ByteBuf b = Unpooled.buffer();
        int found = 0;
        for (byte x : all) {
            b.writeByte(x);
            int end;
            while ((end = Replies.end(b, b.readerIndex(), b.writerIndex())) != Replies.INCOMPLETE) {
                b.readerIndex(end);
                found++;
            }
        }
        assertEquals(9, found);
        assertEquals(0, b.readableBytes());
    }

    @Test
    void shouldKeepZipfKeysInRangeAndSkewed() {
        KeyChooser z = KeyChooser.zipf(1000, 0.99);
        SplittableRandom rnd = new SplittableRandom(1);
        int[] hits = new int[1000];
        for (int i = 0; i < 100_000; i++) {
            long k = z.next(rnd);
            assertTrue(k >= 0 && k < 1000, "key=" + k);
            hits[(int) k]++;
        }
        int max = java.util.Arrays.stream(hits).max().orElse(0);
        assertTrue(max > 100_000 / 1000 * 20, "the hottest key is far above uniform: max=" + max);
    }
}
