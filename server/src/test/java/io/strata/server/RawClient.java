package io.strata.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain socket client for tests that must see exact bytes on the wire (protocol errors,
 * RESP3 types, inline commands). {@link #readReply()} returns one whole RESP reply as text.
 */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public void send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** Sends a command as a RESP multibulk. */
    public void command(String... args) throws IOException {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
        }
        send(sb.toString());
    }

    /** One complete reply, including nested aggregates, as raw text. */
    public String readReply() throws IOException {
        ByteArrayOutputStream acc = new ByteArrayOutputStream();
        readOne(acc);
        return acc.toString(StandardCharsets.UTF_8);
    }

    /** Sends a command and returns its reply with one char per byte (ISO-8859-1), for binary data. */
    public String callBinary(String... args) throws IOException {
        command(args);
        ByteArrayOutputStream acc = new ByteArrayOutputStream();
        readOne(acc);
        return acc.toString(StandardCharsets.ISO_8859_1);
    }

    /** Sends a command and returns its reply. */
    public String call(String... args) throws IOException {
        command(args);
        return readReply();
    }

    private String readLine(ByteArrayOutputStream acc) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed");
            }
            acc.write(b);
            if (prev == '\r' && b == '\n') {
                byte[] l = line.toByteArray();
                return new String(l, 0, l.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            prev = b;
        }
    }

    private void readOne(ByteArrayOutputStream acc) throws IOException {
        String line = readLine(acc);
        char t = line.charAt(0);
        switch (t) {
            case '$': case '=': case '!': {
                int n = Integer.parseInt(line.substring(1));
                if (n >= 0) {
                    for (int i = 0; i < n + 2; i++) {
                        int b = in.read();
                        if (b < 0) {
                            throw new IOException("connection closed");
                        }
                        acc.write(b);
                    }
                }
                break;
            }
            case '*': case '~': case '>': {
                int n = Integer.parseInt(line.substring(1));
                for (int i = 0; i < n; i++) {
                    readOne(acc);
                }
                break;
            }
            case '%': case '|': {
                int n = Integer.parseInt(line.substring(1));
                for (int i = 0; i < 2 * n; i++) {
                    readOne(acc);
                }
                break;
            }
            default:
        }
    }

    /** True when the server has closed the connection (reads EOF within the timeout). */
    /** Whether reply bytes have arrived and wait to be read. */
    public boolean hasInput() throws IOException {
        return in.available() > 0;
    }

    public boolean isClosedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
