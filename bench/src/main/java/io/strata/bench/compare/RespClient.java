package io.strata.bench.compare;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking one-command-at-a-time RESP2 client for controlling the servers under test (PING,
 * CONFIG SET, INFO, FLUSHALL, SHUTDOWN). Not for load.
 *
 * <p>Thread rule: one thread at a time.
 */
final class RespClient implements Closeable {
    /** An error reply, with the server's text. */
    static final class ErrorReply extends IOException {
        ErrorReply(String text) {
            super(text);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RespClient(String host, int port, int timeoutMs) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), timeoutMs);
        socket.setSoTimeout(timeoutMs);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends a command; returns a String, Long, List or null; throws {@link ErrorReply} for an error reply. */
    Object call(String... parts) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + parts.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String p : parts) {
            byte[] v = p.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + v.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(v);
            b.writeBytes(new byte[] {'\r', '\n'});
        }
        out.write(b.toByteArray());
        out.flush();
        return read();
    }

    private Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new IOException("connection closed");
        }
        String line = line();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new ErrorReply(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                byte[] v = in.readNBytes(n + 2);
                return new String(v, 0, n, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    try {
                        items.add(read());
                    } catch (ErrorReply e) {
                        items.add(e);
                    }
                }
                return items;
            }
            default:
                throw new IOException("unexpected reply type " + (char) type);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.write(c);
        }
        byte[] v = b.toByteArray();
        int n = v.length > 0 && v[v.length - 1] == '\r' ? v.length - 1 : v.length;
        return new String(v, 0, n, StandardCharsets.UTF_8);
    }

    /** One field of INFO {@code section}, or null when absent. */
    String info(String section, String field) throws IOException {
        Object r = call("INFO", section);
        if (r instanceof String) {
            for (String l : ((String) r).split("\r?\n")) {
                if (l.startsWith(field + ":")) {
                    return l.substring(field.length() + 1).trim();
                }
            }
        }
        return null;
    }

    /** Every {@code name:value} line of INFO {@code section}, in order (empty when the section is unknown). */
    java.util.Map<String, String> infoSection(String section) throws IOException {
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        Object r = call("INFO", section);
        if (r instanceof String) {
            for (String l : ((String) r).split("\r?\n")) {
                int colon = l.indexOf(':');
                if (colon > 0 && !l.startsWith("#")) {
                    fields.put(l.substring(0, colon), l.substring(colon + 1).trim());
                }
            }
        }
        return fields;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
