package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.KeySpec;
import io.strata.engine.command.ReplySink;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.types.ZSetValue;
import io.strata.engine.types.ZSetValue.Node;
import io.strata.engine.types.ZSetValue.ScoreRange;
import io.strata.engine.util.Bytes;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static io.strata.engine.command.CommandFlag.DENYOOM;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.WRITE;

/**
 * Geo commands (Redis' geo.c, geohash.c, geohash_helper.c) on top of sorted sets: a position is
 * stored as the score of its member, the 52-bit interleaved geohash (latitude bits at even
 * positions, longitude bits at odd ones) over longitude -180..180 and latitude -85.05..85.05.
 * Searches cover the centre geohash box and its eight neighbours at a step chosen from the radius,
 * then filter by Redis' haversine distance on a sphere of radius 6372797.560856 m, exactly as
 * Redis does, so results and printed numbers match.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class GeoCommands extends CommandGroup {
    static final double LONG_MIN = -180;
    static final double LONG_MAX = 180;
    static final double LAT_MIN = -85.05112878;
    static final double LAT_MAX = 85.05112878;
    static final int STEP_MAX = 26;
    static final double EARTH_RADIUS_IN_METERS = 6372797.560856;
    static final double MERCATOR_MAX = 20037726.37;
    private static final double D_R = Math.PI / 180.0;
    private static final String ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";

    private static final int RADIUS_COORDS = 1;
    private static final int RADIUS_MEMBER = 2;
    private static final int RADIUS_NOSTORE = 4;
    private static final int GEOSEARCH = 8;
    private static final int GEOSEARCHSTORE = 16;

    private static final byte[] NX = Bytes.ascii("nx");
    private static final byte[] XX = Bytes.ascii("xx");
    private static final byte[] CH = Bytes.ascii("ch");

    private final ZSetCommands zsets;

    public GeoCommands(Engine engine) {
        super(engine);
        this.zsets = new ZSetCommands(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "geo";
        t.add(cmd("geoadd", -5, this::geoadd).flags(WRITE, DENYOOM).keys(1, 1, 1)
            .doc(g, "3.2.0", "Add one or more geospatial items in the geospatial index represented using a sorted set")
            .complexity("O(log(N)) for each item added, where N is the number of elements in the sorted set."));
        t.add(cmd("geodist", -4, this::geodist).flags(READONLY).keys(1, 1, 1)
            .doc(g, "3.2.0", "Returns the distance between two members of a geospatial index").complexity("O(log(N))"));
        t.add(cmd("geohash", -2, this::geohash).flags(READONLY).keys(1, 1, 1)
            .doc(g, "3.2.0", "Returns members of a geospatial index as standard geohash strings")
            .complexity("O(log(N)) for each member requested, where N is the number of elements in the sorted set."));
        t.add(cmd("geopos", -2, this::geopos).flags(READONLY).keys(1, 1, 1)
            .doc(g, "3.2.0", "Returns longitude and latitude of members of a geospatial index")
            .complexity("O(N) where N is the number of members requested."));
        t.add(cmd("geosearch", -7, (c, a, r) -> search(c, a, r, 1, GEOSEARCH)).flags(READONLY).keys(1, 1, 1)
            .doc(g, "6.2.0", "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.")
            .complexity("O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape"));
        t.add(cmd("geosearchstore", -8, (c, a, r) -> search(c, a, r, 2, GEOSEARCH | GEOSEARCHSTORE))
            .flags(WRITE, DENYOOM).keys(1, 2, 1)
            .doc(g, "6.2.0", "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.")
            .complexity("O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape"));
        t.add(cmd("georadius", -6, (c, a, r) -> search(c, a, r, 1, RADIUS_COORDS)).flags(WRITE, DENYOOM)
            .keys(1, 1, 1).movableKeys(storeKeys(6))
            .doc(g, "3.2.0", "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point")
            .complexity("O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."));
        t.add(cmd("georadiusbymember", -5, (c, a, r) -> search(c, a, r, 1, RADIUS_MEMBER)).flags(WRITE, DENYOOM)
            .keys(1, 1, 1).movableKeys(storeKeys(5))
            .doc(g, "3.2.0", "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member")
            .complexity("O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."));
        t.add(cmd("georadius_ro", -6, (c, a, r) -> search(c, a, r, 1, RADIUS_COORDS | RADIUS_NOSTORE))
            .flags(READONLY).keys(1, 1, 1)
            .doc(g, "3.2.10", "A read-only variant for GEORADIUS")
            .complexity("O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."));
        t.add(cmd("georadiusbymember_ro", -5, (c, a, r) -> search(c, a, r, 1, RADIUS_MEMBER | RADIUS_NOSTORE))
            .flags(READONLY).keys(1, 1, 1)
            .doc(g, "3.2.10", "A read-only variant for GEORADIUSBYMEMBER")
            .complexity("O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."));
    }

    /** GEORADIUS keys: the source at 1 plus the key after STORE/STOREDIST. */
    private static KeySpec storeKeys(int firstOption) {
        byte[] store = Bytes.ascii("store");
        byte[] storedist = Bytes.ascii("storedist");
        return a -> {
            List<Integer> out = new ArrayList<>();
            out.add(1);
            for (int i = firstOption; i + 1 < a.argc(); i++) {
                if (a.is(i, store) || a.is(i, storedist)) {
                    out.add(i + 1);
                    i++;
                }
            }
            return out;
        };
    }

    // ---- geohash (geohash.c) ----

    /** Spreads the low 32 bits of {@code v} to the even bit positions. */
    private static long spread(long v) {
        v &= 0xFFFFFFFFL;
        v = (v | (v << 16)) & 0x0000FFFF0000FFFFL;
        v = (v | (v << 8)) & 0x00FF00FF00FF00FFL;
        v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0FL;
        v = (v | (v << 2)) & 0x3333333333333333L;
        v = (v | (v << 1)) & 0x5555555555555555L;
        return v;
    }

    /** Gathers the even bit positions of {@code v} into the low 32 bits. */
    private static long squash(long v) {
        v &= 0x5555555555555555L;
        v = (v | (v >>> 1)) & 0x3333333333333333L;
        v = (v | (v >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
        v = (v | (v >>> 4)) & 0x00FF00FF00FF00FFL;
        v = (v | (v >>> 8)) & 0x0000FFFF0000FFFFL;
        v = (v | (v >>> 16)) & 0x00000000FFFFFFFFL;
        return v;
    }

    /** Redis' geohashEncode: latitude at even bits, longitude at odd bits; -1 when out of range. */
    static long encode(double lonMin, double lonMax, double latMin, double latMax, double lon, double lat, int step) {
        if (lon > LONG_MAX || lon < LONG_MIN || lat > LAT_MAX || lat < LAT_MIN) {
            return -1;
        }
        if (lat < latMin || lat > latMax || lon < lonMin || lon > lonMax) {
            return -1;
        }
        double latOffset = (lat - latMin) / (latMax - latMin) * (double) (1L << step);
        double lonOffset = (lon - lonMin) / (lonMax - lonMin) * (double) (1L << step);
        return spread((long) latOffset) | (spread((long) lonOffset) << 1);
    }

    static long encodeWGS84(double lon, double lat, int step) {
        return encode(LONG_MIN, LONG_MAX, LAT_MIN, LAT_MAX, lon, lat, step);
    }

    /** {lonMin, lonMax, latMin, latMax} of the box {@code bits} at {@code step} (geohashDecode). */
    static double[] decodeArea(long bits, int step) {
        long ilat = squash(bits);
        long ilon = squash(bits >>> 1);
        double latScale = LAT_MAX - LAT_MIN;
        double lonScale = LONG_MAX - LONG_MIN;
        double div = (double) (1L << step);
        return new double[]{
            LONG_MIN + (ilon * 1.0 / div) * lonScale,
            // Redis adds 1 to a uint32_t: it wraps to 0 for an all-ones half (scores that are not geohashes)
            LONG_MIN + (((ilon + 1) & 0xFFFFFFFFL) * 1.0 / div) * lonScale,
            LAT_MIN + (ilat * 1.0 / div) * latScale,
            LAT_MIN + (((ilat + 1) & 0xFFFFFFFFL) * 1.0 / div) * latScale};
    }

    /**
     * C's {@code (uint64_t)score} as x86-64 gcc compiles it (cvttsd2si, with 2^63 subtracted
     * first for large values): scores that are not geohashes decode exactly as in Redis.
     */
    static long toUint64(double x) {
        final double two63 = 9.223372036854775808E18;
        return x < two63 ? cvttsd2si(x) : cvttsd2si(x - two63) ^ Long.MIN_VALUE;
    }

    /** The x86 truncating conversion: NaN and out-of-range values give 0x8000000000000000. */
    private static long cvttsd2si(double v) {
        if (Double.isNaN(v) || v >= 9.223372036854775807E18 || v < -9.223372036854775808E18) {
            return Long.MIN_VALUE;
        }
        return (long) v;
    }

    /** Longitude and latitude of a 52-bit score: the centre of its box, clamped (geohashDecodeAreaToLongLat). */
    static double[] decodeScore(double score) {
        double[] a = decodeArea(toUint64(score), STEP_MAX);
        double lon = (a[0] + a[1]) / 2;
        lon = Math.max(LONG_MIN, Math.min(LONG_MAX, lon));
        double lat = (a[2] + a[3]) / 2;
        lat = Math.max(LAT_MIN, Math.min(LAT_MAX, lat));
        return new double[]{lon, lat};
    }

    // ---- distances (geohash_helper.c) ----

    private static double degRad(double ang) {
        return ang * D_R;
    }

    private static double radDeg(double ang) {
        return ang / D_R;
    }

    static double latDistance(double lat1d, double lat2d) {
        return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
    }

    /** Redis' haversine geohashGetDistance, in meters. */
    static double distance(double lon1d, double lat1d, double lon2d, double lat2d) {
        double lon1r = degRad(lon1d);
        double lon2r = degRad(lon2d);
        double v = Math.sin((lon2r - lon1r) / 2);
        if (v == 0.0) {
            return latDistance(lat1d, lat2d);
        }
        double lat1r = degRad(lat1d);
        double lat2r = degRad(lat2d);
        double u = Math.sin((lat2r - lat1r) / 2);
        double a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
        return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
    }

    /** A search shape: a circle (radius) or a box (width × height), in the user's unit. */
    static final class Shape {
        double lon;
        double lat;
        double conversion = 1;
        boolean box;
        double radius;
        double width;
        double height;
    }

    static int estimateSteps(double rangeMeters, double lat) {
        if (rangeMeters == 0) {
            return 26;
        }
        int step = 1;
        while (rangeMeters < MERCATOR_MAX) {
            rangeMeters *= 2;
            step++;
        }
        step -= 2;
        if (lat > 66 || lat < -66) {
            step--;
            if (lat > 80 || lat < -80) {
                step--;
            }
        }
        return Math.max(1, Math.min(26, step));
    }

    private static long moveX(long bits, int step, int d) {
        long x = bits & 0xaaaaaaaaaaaaaaaaL;
        long y = bits & 0x5555555555555555L;
        long zz = 0x5555555555555555L >>> (64 - step * 2);
        if (d > 0) {
            x = x + (zz + 1);
        } else {
            x = x | zz;
            x = x - (zz + 1);
        }
        x &= (0xaaaaaaaaaaaaaaaaL >>> (64 - step * 2));
        return x | y;
    }

    private static long moveY(long bits, int step, int d) {
        long x = bits & 0xaaaaaaaaaaaaaaaaL;
        long y = bits & 0x5555555555555555L;
        long zz = 0xaaaaaaaaaaaaaaaaL >>> (64 - step * 2);
        if (d > 0) {
            y = y + (zz + 1);
        } else {
            y = y | zz;
            y = y - (zz + 1);
        }
        y &= (0x5555555555555555L >>> (64 - step * 2));
        return x | y;
    }

    /**
     * Redis' geohashCalculateAreasByShapeWGS84: the nine boxes to scan, in Redis' order (centre,
     * N, S, E, W, NE, NW, SE, SW); a useless box is -1.
     */
    static long[] areas(Shape s, int[] stepOut) {
        double h = s.conversion * (s.box ? s.height / 2 : s.radius);
        double w = s.conversion * (s.box ? s.width / 2 : s.radius);
        double latDelta = radDeg(h / EARTH_RADIUS_IN_METERS);
        double lonDeltaTop = radDeg(w / EARTH_RADIUS_IN_METERS / Math.cos(degRad(s.lat + latDelta)));
        double lonDeltaBottom = radDeg(w / EARTH_RADIUS_IN_METERS / Math.cos(degRad(s.lat - latDelta)));
        boolean south = s.lat < 0;
        double minLon = south ? s.lon - lonDeltaBottom : s.lon - lonDeltaTop;
        double maxLon = south ? s.lon + lonDeltaBottom : s.lon + lonDeltaTop;
        double minLat = s.lat - latDelta;
        double maxLat = s.lat + latDelta;
        double radiusMeters = s.box
            ? Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2)) : s.radius;
        radiusMeters *= s.conversion;
        int steps = estimateSteps(radiusMeters, s.lat);
        long hash = encodeWGS84(s.lon, s.lat, steps);
        long[] nb = neighbors(hash, steps);
        double[] north = decodeArea(nb[1], steps);
        double[] southA = decodeArea(nb[2], steps);
        double[] east = decodeArea(nb[3], steps);
        double[] west = decodeArea(nb[4], steps);
        boolean decrease = north[3] < maxLat || southA[2] > minLat || east[1] < maxLon || west[0] > minLon;
        if (steps > 1 && decrease) {
            steps--;
            hash = encodeWGS84(s.lon, s.lat, steps);
            nb = neighbors(hash, steps);
        }
        double[] area = decodeArea(hash, steps);
        if (steps >= 2) {
            if (area[2] < minLat) {
                nb[2] = -1;
                nb[8] = -1;
                nb[7] = -1;
            }
            if (area[3] > maxLat) {
                nb[1] = -1;
                nb[5] = -1;
                nb[6] = -1;
            }
            if (area[0] < minLon) {
                nb[4] = -1;
                nb[8] = -1;
                nb[6] = -1;
            }
            if (area[1] > maxLon) {
                nb[3] = -1;
                nb[7] = -1;
                nb[5] = -1;
            }
        }
        stepOut[0] = steps;
        return nb;
    }

    private static long[] neighbors(long hash, int step) {
        return new long[]{
            hash,
            moveY(hash, step, 1),                    // north
            moveY(hash, step, -1),                   // south
            moveX(hash, step, 1),                    // east
            moveX(hash, step, -1),                   // west
            moveY(moveX(hash, step, 1), step, 1),    // north-east
            moveY(moveX(hash, step, -1), step, 1),   // north-west
            moveY(moveX(hash, step, 1), step, -1),   // south-east
            moveY(moveX(hash, step, -1), step, -1)}; // south-west
    }

    /** A search hit. */
    static final class Point {
        final byte[] member;
        final double score;
        final double dist;
        final double lon;
        final double lat;

        Point(byte[] member, double score, double dist, double lon, double lat) {
            this.member = member;
            this.score = score;
            this.dist = dist;
            this.lon = lon;
            this.lat = lat;
        }
    }

    /** Distance in meters when the point is inside the shape, NaN otherwise (geoWithinShape). */
    static double withinShape(Shape s, double lon, double lat) {
        if (!s.box) {
            double d = distance(s.lon, s.lat, lon, lat);
            return d > s.radius * s.conversion ? Double.NaN : d;
        }
        double wm = s.width * s.conversion;
        double hm = s.height * s.conversion;
        if (latDistance(lat, s.lat) > hm / 2) {
            return Double.NaN;
        }
        if (distance(lon, lat, s.lon, lat) > wm / 2) {
            return Double.NaN;
        }
        return distance(s.lon, s.lat, lon, lat);
    }

    /** Redis' membersOfAllNeighbors: scans the boxes, skipping a box equal to the last scanned one. */
    static List<Point> membersInShape(ZSetValue z, Shape s, long limit) {
        int[] step = new int[1];
        long[] boxes = areas(s, step);
        List<Point> out = new ArrayList<>();
        int last = -1;
        for (int i = 0; i < boxes.length; i++) {
            if (boxes[i] == -1) {
                continue;
            }
            if (last >= 0 && boxes[i] == boxes[last]) {
                continue;
            }
            if (!out.isEmpty() && limit > 0 && out.size() >= limit) {
                break;
            }
            int shift = 52 - step[0] * 2;
            double min = (double) (boxes[i] << shift);
            double max = (double) ((boxes[i] + 1) << shift);
            ScoreRange range = new ScoreRange(min, false, max, true);
            for (Node n = z.firstInRange(range); n != null && range.lteMax(n.score); n = n.next()) {
                double[] xy = decodeScore(n.score);
                double d = withinShape(s, xy[0], xy[1]);
                if (!Double.isNaN(d)) {
                    out.add(new Point(n.member, n.score, d, xy[0], xy[1]));
                    if (limit > 0 && out.size() >= limit) {
                        break;
                    }
                }
            }
            last = i;
        }
        return out;
    }

    // ---- number formatting ----

    /** Redis' addReplyDoubleDistance: {@code %.4f}. */
    static String formatDistance(double d) {
        return new BigDecimal(d).setScale(4, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** Redis' LD_STR_HUMAN ({@code %.17Lf} without trailing zeros), used for coordinates. */
    static String formatCoord(double d) {
        String s = new BigDecimal(d).setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        int end = s.length();
        while (s.charAt(end - 1) == '0') {
            end--;
        }
        if (s.charAt(end - 1) == '.') {
            end--;
        }
        s = s.substring(0, end);
        return s.equals("-0") ? "0" : s;
    }

    /** Writes a coordinate as addReplyHumanLongDouble: a bulk string in RESP2, a double in RESP3. */
    private static void replyCoord(ReplySink r, double d) {
        r.dblText(formatCoord(d));
    }

    // ---- argument helpers ----

    /** Parses longitude and latitude at {@code i}, {@code i+1}; null (error written) when invalid. */
    private static double[] lonLatOrReply(Args a, int i, ReplySink r) {
        double lon = doubleOrReply(a, i, r);
        if (Double.isNaN(lon)) {
            return null;
        }
        double lat = doubleOrReply(a, i + 1, r);
        if (Double.isNaN(lat)) {
            return null;
        }
        if (lon < LONG_MIN || lon > LONG_MAX || lat < LAT_MIN || lat > LAT_MAX) {
            r.error("ERR invalid longitude,latitude pair " + String.format(java.util.Locale.ROOT, "%f,%f", lon, lat));
            return null;
        }
        return new double[]{lon, lat};
    }

    /** Meters per unit; -1 (error written) when unknown. */
    private static double unitOrReply(Args a, int i, ReplySink r) {
        String u = a.str(i);
        if (u.equalsIgnoreCase("m")) {
            return 1;
        } else if (u.equalsIgnoreCase("km")) {
            return 1000;
        } else if (u.equalsIgnoreCase("ft")) {
            return 0.3048;
        } else if (u.equalsIgnoreCase("mi")) {
            return 1609.34;
        }
        r.error("ERR unsupported unit provided. please use M, KM, FT, MI");
        return -1;
    }

    private static boolean distanceOrReply(Args a, int i, Shape s, ReplySink r) {
        double d = a.doubleAt(i);
        if (Double.isNaN(d)) {
            r.error("ERR need numeric radius");
            return false;
        }
        if (d < 0) {
            r.error("ERR radius cannot be negative");
            return false;
        }
        double conv = unitOrReply(a, i + 1, r);
        if (conv < 0) {
            return false;
        }
        s.radius = d;
        s.conversion = conv;
        return true;
    }

    private static boolean boxOrReply(Args a, int i, Shape s, ReplySink r) {
        double w = a.doubleAt(i);
        if (Double.isNaN(w)) {
            r.error("ERR need numeric width");
            return false;
        }
        double h = a.doubleAt(i + 1);
        if (Double.isNaN(h)) {
            r.error("ERR need numeric height");
            return false;
        }
        if (h < 0 || w < 0) {
            r.error("ERR height or width cannot be negative");
            return false;
        }
        double conv = unitOrReply(a, i + 2, r);
        if (conv < 0) {
            return false;
        }
        s.width = w;
        s.height = h;
        s.conversion = conv;
        return true;
    }

    /** The zset at key {@code i} (null when absent); {@code bad[0]} set when WRONGTYPE was written. */
    private ZSetValue zsetAt(Client c, Args a, int i, ReplySink r, boolean[] bad) {
        Entry e = read(c, a, i);
        if (e == null) {
            return null;
        }
        ZSetValue z = ZSetCommands.zsetOrReply(e, r);
        bad[0] = z == null;
        return z;
    }

    // ---- commands ----

    private void geoadd(Client c, Args a, ReplySink r) {
        int flags = 0;
        int i = 2;
        for (; i < a.argc(); i++) {
            if (a.is(i, NX)) {
                flags |= ZSetCommands.Z_NX;
            } else if (a.is(i, XX)) {
                flags |= ZSetCommands.Z_XX;
            } else if (a.is(i, CH)) {
                flags |= ZSetCommands.Z_CH;
            } else {
                break;
            }
        }
        int rest = a.argc() - i;
        if (rest % 3 != 0 || ((flags & ZSetCommands.Z_NX) != 0 && (flags & ZSetCommands.Z_XX) != 0) || rest == 0) {
            r.error(Errors.SYNTAX);
            return;
        }
        int n = rest / 3;
        double[] scores = new double[n];
        byte[][] members = new byte[n][];
        for (int j = 0; j < n; j++) {
            double[] xy = lonLatOrReply(a, i + 3 * j, r);
            if (xy == null) {
                return;
            }
            long bits = encodeWGS84(xy[0], xy[1], STEP_MAX);
            scores[j] = (double) bits;
            members[j] = a.bytes(i + 3 * j + 2);
        }
        zsets.zaddCore(c, a.bytes(1), flags, scores, members, r);
    }

    private void geodist(Client c, Args a, ReplySink r) {
        double toMeter = 1;
        if (a.argc() == 5) {
            toMeter = unitOrReply(a, 4, r);
            if (toMeter < 0) {
                return;
            }
        } else if (a.argc() > 5) {
            r.error(Errors.SYNTAX);
            return;
        }
        boolean[] bad = new boolean[1];
        ZSetValue z = zsetAt(c, a, 1, r, bad);
        if (bad[0]) {
            return;
        }
        Node n1 = z == null ? null : z.node(a.bytes(2));
        Node n2 = z == null ? null : z.node(a.bytes(3));
        if (n1 == null || n2 == null) {
            r.nullBulk();
            return;
        }
        double[] p1 = decodeScore(n1.score);
        double[] p2 = decodeScore(n2.score);
        r.bulk(formatDistance(distance(p1[0], p1[1], p2[0], p2[1]) / toMeter));
    }

    private void geohash(Client c, Args a, ReplySink r) {
        boolean[] bad = new boolean[1];
        ZSetValue z = zsetAt(c, a, 1, r, bad);
        if (bad[0]) {
            return;
        }
        r.array(a.argc() - 2);
        for (int j = 2; j < a.argc(); j++) {
            Node n = z == null ? null : z.node(a.bytes(j));
            if (n == null) {
                r.nullBulk();
                continue;
            }
            double[] xy = decodeScore(n.score);
            // re-encode over the standard ranges (-180..180, -90..90) for a standard geohash string
            long bits = encodeStandard(xy[0], xy[1]);
            char[] buf = new char[11];
            for (int i = 0; i < 11; i++) {
                int idx = i == 10 ? 0 : (int) ((bits >>> (52 - ((i + 1) * 5))) & 0x1f);
                buf[i] = ALPHABET.charAt(idx);
            }
            r.bulk(new String(buf));
        }
    }

    private static long encodeStandard(double lon, double lat) {
        double latOffset = (lat - -90) / 180.0 * (double) (1L << STEP_MAX);
        double lonOffset = (lon - -180) / 360.0 * (double) (1L << STEP_MAX);
        return spread((long) latOffset) | (spread((long) lonOffset) << 1);
    }

    private void geopos(Client c, Args a, ReplySink r) {
        boolean[] bad = new boolean[1];
        ZSetValue z = zsetAt(c, a, 1, r, bad);
        if (bad[0]) {
            return;
        }
        r.array(a.argc() - 2);
        for (int j = 2; j < a.argc(); j++) {
            Node n = z == null ? null : z.node(a.bytes(j));
            if (n == null) {
                r.nullArray();
                continue;
            }
            double[] xy = decodeScore(n.score);
            r.array(2);
            replyCoord(r, xy[0]);
            replyCoord(r, xy[1]);
        }
    }

    /** Redis' georadiusGeneric: GEORADIUS[_RO], GEORADIUSBYMEMBER[_RO], GEOSEARCH[STORE]. */
    private void search(Client c, Args a, ReplySink r, int srcIdx, int flags) {
        Entry srcEntry = (flags & GEOSEARCHSTORE) != 0 ? write(c, a, srcIdx) : read(c, a, srcIdx);
        ZSetValue z = null;
        if (srcEntry != null) {
            z = ZSetCommands.zsetOrReply(srcEntry, r);
            if (z == null) {
                return;
            }
        }
        Shape s = new Shape();
        byte[] storeKey = null;
        boolean storeDist = false;
        int base;
        if ((flags & RADIUS_COORDS) != 0) {
            base = 6;
            double[] xy = lonLatOrReply(a, 2, r);
            if (xy == null) {
                return;
            }
            s.lon = xy[0];
            s.lat = xy[1];
            if (!distanceOrReply(a, 4, s, r)) {
                return;
            }
        } else if ((flags & RADIUS_MEMBER) != 0) {
            base = 5;
            if (z != null) {
                Node n = z.node(a.bytes(2));
                if (n == null) {
                    r.error("ERR could not decode requested zset member");
                    return;
                }
                double[] xy = decodeScore(n.score);
                s.lon = xy[0];
                s.lat = xy[1];
                if (!distanceOrReply(a, 3, s, r)) {
                    return;
                }
            }
        } else {
            base = 2;
            if ((flags & GEOSEARCHSTORE) != 0) {
                base = 3;
                storeKey = a.bytes(1);
            }
        }
        boolean withDist = false;
        boolean withHash = false;
        boolean withCoord = false;
        boolean fromMember = false;
        boolean fromLoc = false;
        boolean byRadius = false;
        boolean byBox = false;
        int sort = 0; // 0 none, 1 asc, 2 desc
        boolean any = false;
        long count = 0;
        int remaining = a.argc() - base;
        for (int i = 0; i < remaining; i++) {
            int k = base + i;
            String arg = a.str(k).toLowerCase(java.util.Locale.ROOT);
            boolean search = (flags & GEOSEARCH) != 0;
            boolean noStore = (flags & RADIUS_NOSTORE) != 0;
            if (arg.equals("withdist")) {
                withDist = true;
            } else if (arg.equals("withhash")) {
                withHash = true;
            } else if (arg.equals("withcoord")) {
                withCoord = true;
            } else if (arg.equals("any")) {
                any = true;
            } else if (arg.equals("asc")) {
                sort = 1;
            } else if (arg.equals("desc")) {
                sort = 2;
            } else if (arg.equals("count") && i + 1 < remaining) {
                Long n = longOrReply(a, k + 1, r);
                if (n == null) {
                    return;
                }
                if (n <= 0) {
                    r.error("ERR COUNT must be > 0");
                    return;
                }
                count = n;
                i++;
            } else if ((arg.equals("store") || arg.equals("storedist")) && i + 1 < remaining && !noStore && !search) {
                storeKey = a.bytes(k + 1);
                storeDist = arg.equals("storedist");
                i++;
            } else if (arg.equals("storedist") && search && (flags & GEOSEARCHSTORE) != 0) {
                storeDist = true;
            } else if (arg.equals("frommember") && i + 1 < remaining && search && !fromLoc) {
                if (z != null) {
                    Node n = z.node(a.bytes(k + 1));
                    if (n == null) {
                        r.error("ERR could not decode requested zset member");
                        return;
                    }
                    double[] xy = decodeScore(n.score);
                    s.lon = xy[0];
                    s.lat = xy[1];
                }
                fromMember = true;
                i++;
            } else if (arg.equals("fromlonlat") && i + 2 < remaining && search && !fromMember) {
                double[] xy = lonLatOrReply(a, k + 1, r);
                if (xy == null) {
                    return;
                }
                s.lon = xy[0];
                s.lat = xy[1];
                fromLoc = true;
                i += 2;
            } else if (arg.equals("byradius") && i + 2 < remaining && search && !byBox) {
                if (!distanceOrReply(a, k + 1, s, r)) {
                    return;
                }
                s.box = false;
                byRadius = true;
                i += 2;
            } else if (arg.equals("bybox") && i + 3 < remaining && search && !byRadius) {
                if (!boxOrReply(a, k + 1, s, r)) {
                    return;
                }
                s.box = true;
                byBox = true;
                i += 3;
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        if (storeKey != null && (withDist || withHash || withCoord)) {
            r.error("ERR " + ((flags & GEOSEARCHSTORE) != 0 ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS")
                + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
            return;
        }
        if ((flags & GEOSEARCH) != 0 && !(fromMember || fromLoc)) {
            r.error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + a.str(0));
            return;
        }
        if ((flags & GEOSEARCH) != 0 && !(byRadius || byBox)) {
            r.error("ERR exactly one of BYRADIUS and BYBOX can be specified for " + a.str(0));
            return;
        }
        if (any && count == 0) {
            r.error("ERR the ANY argument requires COUNT argument");
            return;
        }
        if (z == null) {
            if (storeKey != null) {
                zsets.storeResult(c, storeKey, new ZSetValue(true), "", r);
            } else {
                r.array(0);
            }
            return;
        }
        if (count != 0 && sort == 0 && !any) {
            sort = 1;
        }
        List<Point> found = membersInShape(z, s, any ? count : 0);
        if (found.isEmpty() && storeKey == null) {
            r.array(0);
            return;
        }
        if (sort == 1) {
            found.sort(Comparator.comparingDouble(p -> p.dist));
        } else if (sort == 2) {
            found.sort((p, q) -> Double.compare(q.dist, p.dist));
        }
        int returned = (int) (count == 0 || found.size() < count ? found.size() : count);
        if (storeKey == null) {
            int options = (withDist ? 1 : 0) + (withCoord ? 1 : 0) + (withHash ? 1 : 0);
            r.array(returned);
            for (int i = 0; i < returned; i++) {
                Point p = found.get(i);
                if (options > 0) {
                    r.array(options + 1);
                }
                r.bulk(p.member);
                if (withDist) {
                    r.bulk(formatDistance(p.dist / s.conversion));
                }
                if (withHash) {
                    r.integer(cvttsd2si(p.score)); // (long long)score as Redis
                }
                if (withCoord) {
                    r.array(2);
                    replyCoord(r, p.lon);
                    replyCoord(r, p.lat);
                }
            }
            return;
        }
        ZSetValue result = new ZSetValue(false);
        long maxLen = 0;
        for (int i = 0; i < returned; i++) {
            Point p = found.get(i);
            result.insert(p.member.clone(), storeDist ? p.dist / s.conversion : p.score);
            maxLen = Math.max(maxLen, p.member.length);
        }
        result.convertToListpackIfNeeded(maxLen, engine.config.zsetMaxListpackEntries, engine.config.zsetMaxListpackValue);
        zsets.storeResult(c, storeKey, result, (flags & GEOSEARCH) != 0 ? "geosearchstore" : "georadiusstore", r);
    }
}
