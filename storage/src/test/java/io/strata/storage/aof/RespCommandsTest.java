package io.strata.storage.aof;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespCommandsTest {
    private static final byte[] TWO = ("#TS:1700000000\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
        + "*3\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void shouldParseCommandsAndAnnotations() {
        RespCommands p = new RespCommands();
        assertEquals(RespCommands.Status.ANNOTATION, p.next(TWO, 0, TWO.length));
        assertEquals(1_700_000_000_000L, p.annotationTimestamp(TWO));
        assertEquals(RespCommands.Status.COMMAND, p.next(TWO, p.end(), TWO.length));
        assertTrue(p.argIs(TWO, 0, "select"));
        assertEquals(RespCommands.Status.COMMAND, p.next(TWO, p.end(), TWO.length));
        assertEquals(3, p.argc());
        assertEquals("k\r\n", new String(p.arg(TWO, 1), StandardCharsets.ISO_8859_1));
        assertEquals(0, p.argLength(2));
        assertEquals(TWO.length, p.end());
        assertEquals(2, p.count(TWO, 0, TWO.length));
    }

    @Test
    void shouldReportIncompleteAtEveryCutPointFedOneByteAtATime() {
        RespCommands p = new RespCommands();
        int first = 16; // after the annotation
        int second = 16 + "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n".length();
        for (int limit = first; limit < TWO.length; limit++) {
            RespCommands.Status s = p.next(TWO, limit < second ? first : second, limit);
            assertEquals(RespCommands.Status.INCOMPLETE, s, "limit=" + limit);
        }
        assertEquals(RespCommands.Status.COMMAND, p.next(TWO, second, TWO.length));
    }

    @Test
    void shouldRejectWhatIsNotRespWithAProblem() {
        RespCommands p = new RespCommands();
        for (String bad : new String[] {"GET k\r\n", "*0\r\n", "*1\r\n+OK\r\n", "*1\r\n$-1\r\n", "*1\r\n$3\r\nabcde\r\n",
            "*x\r\n", "*1\r\n$99999999999999999999\r\n"}) {
            byte[] b = bad.getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(RespCommands.Status.CORRUPT, p.next(b, 0, b.length), bad);
            assertTrue(p.problem() != null && !p.problem().isEmpty(), bad);
        }
    }
}
