package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Geo commands with the Palermo/Catania example; every expected reply was taken byte for byte
 * from redis-server 7.0.15 for the same inputs.
 */
class GeoCommandsTest {
    static TestServer server;

    private static final String PALERMO_COORD = "*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n";
    private static final String CATANIA_COORD = "*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n";

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void seed() {
        try (Jedis j = server.jedis()) {
            j.flushAll();
        }
    }

    private static void sicily(RawClient c) throws Exception {
        assertEquals(":2\r\n", c.call("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"));
    }

    private static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    @Test
    @Covers({"geoadd", "geodist", "geohash", "geopos", "zscore"})
    @DisplayName("GEOADD stores Redis' 52-bit geohash score; GEODIST, GEOHASH and GEOPOS print what redis-server prints")
    void palermoCatania() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            sicily(c);
            assertEquals(bulk("3479099956230698"), c.call("ZSCORE", "Sicily", "Palermo"));
            assertEquals(bulk("166274.1516"), c.call("GEODIST", "Sicily", "Palermo", "Catania"));
            assertEquals(bulk("166.2742"), c.call("GEODIST", "Sicily", "Palermo", "Catania", "km"));
            assertEquals(bulk("103.3182"), c.call("GEODIST", "Sicily", "Palermo", "Catania", "mi"));
            assertEquals("$-1\r\n", c.call("GEODIST", "Sicily", "Palermo", "nope"));
            assertEquals("-ERR unsupported unit provided. please use M, KM, FT, MI\r\n", c.call("GEODIST", "Sicily", "Palermo", "Catania", "xx"));
            assertEquals("*3\r\n" + bulk("sqc8b49rny0") + bulk("sqdtr74hyu0") + "$-1\r\n", c.call("GEOHASH", "Sicily", "Palermo", "Catania", "nope"));
            assertEquals("*2\r\n" + PALERMO_COORD + "*-1\r\n", c.call("GEOPOS", "Sicily", "Palermo", "nope"));
            c.call("HELLO", "3");
            assertEquals("*1\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n", c.call("GEOPOS", "Sicily", "Palermo"));
        }
    }

    @Test
    @Covers({"geoadd"})
    @DisplayName("GEOADD validates coordinates and options like Redis and supports NX, XX and CH")
    void geoaddOptions() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("-ERR invalid longitude,latitude pair 200.000000,10.000000\r\n", c.call("GEOADD", "g", "200", "10", "x"));
            assertEquals("-ERR syntax error\r\n", c.call("GEOADD", "g", "XX", "NX", "1", "1", "a"));
            assertEquals("-ERR value is not a valid float\r\n", c.call("GEOADD", "g", "1", "a", "b"));
            sicily(c);
            assertEquals(":1\r\n", c.call("GEOADD", "Sicily", "CH", "13.361389", "38.115556", "Palermo", "15", "37", "Catania"));
            assertEquals(":0\r\n", c.call("GEOADD", "Sicily", "NX", "10", "10", "Palermo"));
            assertEquals(":0\r\n", c.call("GEOADD", "Sicily", "XX", "10", "10", "New"));
            assertEquals("*1\r\n*-1\r\n", c.call("GEOPOS", "Sicily", "New"));
        }
    }

    @Test
    @Covers({"georadius", "georadius_ro", "georadiusbymember", "georadiusbymember_ro"})
    @DisplayName("GEORADIUS and GEORADIUSBYMEMBER (and _RO) find, sort and annotate members as Redis does")
    void georadius() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            sicily(c);
            assertEquals("*2\r\n*4\r\n" + bulk("Palermo") + bulk("190.4424") + ":3479099956230698\r\n" + PALERMO_COORD
                    + "*4\r\n" + bulk("Catania") + bulk("56.4413") + ":3479447370796909\r\n" + CATANIA_COORD,
                c.call("GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHHASH", "WITHCOORD"));
            assertEquals("*1\r\n" + bulk("Catania"), c.call("GEORADIUS", "Sicily", "15", "37", "100", "km"));
            assertEquals("*1\r\n" + bulk("Palermo"), c.call("GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "DESC", "COUNT", "1"));
            assertEquals("*2\r\n*2\r\n" + bulk("Catania") + bulk("166.2742") + "*2\r\n" + bulk("Palermo") + bulk("0.0000"),
                c.call("GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "200", "km", "WITHDIST", "DESC"));
            assertEquals("*2\r\n" + bulk("Palermo") + bulk("Catania"), c.call("GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "ASC"));
            assertEquals("-ERR could not decode requested zset member\r\n", c.call("GEORADIUSBYMEMBER", "Sicily", "nope", "1", "km"));
            assertEquals("-ERR radius cannot be negative\r\n", c.call("GEORADIUS", "Sicily", "15", "37", "-1", "km"));
            assertEquals("-ERR need numeric radius\r\n", c.call("GEORADIUS", "Sicily", "15", "37", "a", "km"));
            assertEquals("-ERR COUNT must be > 0\r\n", c.call("GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "0"));
            assertEquals("-ERR the ANY argument requires COUNT argument\r\n", c.call("GEORADIUS", "Sicily", "15", "37", "200", "km", "ANY"));
            assertEquals("-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n",
                c.call("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "x", "WITHDIST"));
            assertEquals("-ERR syntax error\r\n", c.call("GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STORE", "x"));
            assertEquals("*0\r\n", c.call("GEORADIUSBYMEMBER", "nokey", "x", "1", "km"));
        }
    }

    @Test
    @Covers({"georadius", "geosearchstore", "zrange"})
    @DisplayName("GEORADIUS STORE/STOREDIST and GEOSEARCHSTORE store geohashes or distances; an empty result deletes the key")
    void storeVariants() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            sicily(c);
            assertEquals(":2\r\n", c.call("GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "sd"));
            assertEquals("*4\r\n" + bulk("Catania") + bulk("56.441257870158204") + bulk("Palermo") + bulk("190.44242984775784"),
                c.call("ZRANGE", "sd", "0", "-1", "WITHSCORES"));
            assertEquals(":2\r\n", c.call("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "st"));
            assertEquals("*4\r\n" + bulk("Palermo") + bulk("3479099956230698") + bulk("Catania") + bulk("3479447370796909"),
                c.call("ZRANGE", "st", "0", "-1", "WITHSCORES"));
            assertEquals(":1\r\n", c.call("GEOSEARCHSTORE", "d2", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "100", "km", "STOREDIST"));
            assertEquals("*2\r\n" + bulk("Catania") + bulk("56.441257870158204"), c.call("ZRANGE", "d2", "0", "-1", "WITHSCORES"));
            assertEquals(":0\r\n", c.call("GEOSEARCHSTORE", "d2", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km"));
            assertEquals(":0\r\n", c.call("EXISTS", "d2"));
            assertEquals("-ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n",
                c.call("GEOSEARCHSTORE", "d", "Sicily", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "WITHDIST"));
        }
    }

    @Test
    @Covers({"geosearch"})
    @DisplayName("GEOSEARCH by radius or box, from a member or a point, with Redis' argument errors")
    void geosearch() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            sicily(c);
            assertEquals("*1\r\n" + bulk("Palermo"), c.call("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "100", "km"));
            assertEquals("*2\r\n*3\r\n" + bulk("Catania") + bulk("56.4413") + CATANIA_COORD
                    + "*3\r\n" + bulk("Palermo") + bulk("190.4424") + PALERMO_COORD,
                c.call("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "ASC", "WITHCOORD", "WITHDIST"));
            assertEquals("*1\r\n" + bulk("Catania"), c.call("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "200", "200", "km"));
            assertEquals("-ERR need numeric width\r\n", c.call("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "a", "1", "km"));
            assertEquals("-ERR height or width cannot be negative\r\n", c.call("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "-1", "1", "km"));
            assertEquals("-ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH\r\n",
                c.call("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "1", "WITHDIST", "ASC"));
            assertEquals("-ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH\r\n",
                c.call("GEOSEARCH", "Sicily", "BYRADIUS", "1", "km", "ASC", "WITHDIST"));
            assertEquals("-ERR syntax error\r\n", c.call("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"));
            assertEquals("*0\r\n", c.call("GEOSEARCH", "nokey", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"));
        }
    }
}
