package io.strata.storage.rdb;

import io.strata.storage.StorageException;
import io.strata.storage.StorageException.Code;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

/**
 * DUMP / RESTORE payloads, as Redis: {@code type value rdb-version(u16 LE) crc64(u64 LE)}, the
 * CRC covering everything before it.
 *
 * <p>Any thread: stateless.
 */
public final class Dump {
    private Dump() {
    }

    public static byte[] serialize(RdbValue v) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        RdbWriter w = new RdbWriter(bos, false, false);
        w.writeByte(RdbWriter.typeOf(v));
        w.writeValue(v);
        w.writeLE(RdbFormat.WRITE_VERSION, 2);
        w.flush();
        byte[] body = bos.toByteArray();
        long crc = Crc64.update(0, body, 0, body.length);
        byte[] out = java.util.Arrays.copyOf(body, body.length + 8);
        for (int i = 0; i < 8; i++) {
            out[body.length + i] = (byte) (crc >>> (8 * i));
        }
        return out;
    }

    /**
     * Parses a payload; throws {@link StorageException} with code BAD_CHECKSUM or UNSUPPORTED
     * (Redis answers "ERR DUMP payload version or checksum are wrong" to both).
     */
    public static RdbValue deserialize(byte[] payload) {
        if (payload.length < 10) {
            throw new StorageException(Code.CORRUPT, 0, "payload too short");
        }
        int footer = payload.length - 10;
        int version = (payload[footer] & 0xff) | (payload[footer + 1] & 0xff) << 8;
        if (version > RdbFormat.MAX_READ_VERSION) {
            throw new StorageException(Code.UNSUPPORTED, footer, "payload RDB version " + version);
        }
        long stored = 0;
        for (int i = 0; i < 8; i++) {
            stored |= (payload[footer + 2 + i] & 0xffL) << (8 * i);
        }
        long crc = Crc64.update(0, payload, 0, footer + 2);
        if (stored != crc) {
            throw new StorageException(Code.BAD_CHECKSUM, footer + 2, "payload checksum mismatch");
        }
        RdbReader r = new RdbReader(new ByteArrayInputStream(payload, 0, footer));
        int type = r.readTypeByte();
        RdbValue v = r.readValue(type, 0, new byte[0], new RdbVisitor() {
            @Override
            public void entry(int db, byte[] key, RdbValue value, long e, long i, int f, long o, long s) {
            }
        });
        if (v == null) {
            throw new StorageException(Code.UNSUPPORTED, 0, "payload holds a type that is not supported");
        }
        if (r.offset() != footer) {
            throw new StorageException(Code.CORRUPT, r.offset(), "payload has trailing bytes");
        }
        return v;
    }

    /**
     * FUNCTION DUMP's payload: one function record per library ({@code 0xF5} then the code as an RDB
     * string), then the RDB version and CRC64 as for keys.
     */
    public static byte[] serializeFunctions(java.util.List<byte[]> codes) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        RdbWriter w = new RdbWriter(bos, false, false);
        for (byte[] code : codes) {
            w.writeByte(RdbFormat.OPCODE_FUNCTION2);
            w.writeString(code);
        }
        w.writeLE(RdbFormat.WRITE_VERSION, 2);
        w.flush();
        byte[] body = bos.toByteArray();
        long crc = Crc64.update(0, body, 0, body.length);
        byte[] out = java.util.Arrays.copyOf(body, body.length + 8);
        for (int i = 0; i < 8; i++) {
            out[body.length + i] = (byte) (crc >>> (8 * i));
        }
        return out;
    }

    /** The library codes of a FUNCTION DUMP payload (Redis' or ours); throws as {@link #deserialize}. */
    public static java.util.List<byte[]> deserializeFunctions(byte[] payload) {
        if (payload.length < 10) {
            throw new StorageException(Code.CORRUPT, 0, "payload too short");
        }
        int footer = payload.length - 10;
        int version = (payload[footer] & 0xff) | (payload[footer + 1] & 0xff) << 8;
        if (version > RdbFormat.MAX_READ_VERSION) {
            throw new StorageException(Code.UNSUPPORTED, footer, "payload RDB version " + version);
        }
        long stored = 0;
        for (int i = 0; i < 8; i++) {
            stored |= (payload[footer + 2 + i] & 0xffL) << (8 * i);
        }
        if (stored != Crc64.update(0, payload, 0, footer + 2)) {
            throw new StorageException(Code.BAD_CHECKSUM, footer + 2, "payload checksum mismatch");
        }
        RdbReader r = new RdbReader(new ByteArrayInputStream(payload, 0, footer));
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        while (r.offset() < footer) {
            int op = r.readTypeByte();
            if (op != RdbFormat.OPCODE_FUNCTION2) {
                throw new StorageException(Code.CORRUPT, r.offset() - 1, "given type is not a function opcode=" + op);
            }
            out.add(r.readString());
        }
        return out;
    }
}
