package io.strata.engine.util;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Crc16Test {
    private static int slot(String k) {
        return Crc16.slot(k.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldMatchRedisClusterKeySlots() {
        // values from redis-cli CLUSTER KEYSLOT / the Redis Cluster specification
        assertEquals(0x31C3, Crc16.crc16("123456789".getBytes(StandardCharsets.US_ASCII), 0, 9));
        assertEquals(12182, slot("foo"));
        assertEquals(5061, slot("bar"));
        assertEquals(slot("bar"), slot("{bar}.baz"));
        assertEquals(slot("{}bar"), Crc16.crc16("{}bar".getBytes(StandardCharsets.US_ASCII), 0, 5) & 16383);
        assertEquals(slot("user1000"), slot("{user1000}.following"));
    }
}
