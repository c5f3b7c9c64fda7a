package io.strata.tools;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real redis-server (the Debian package) on a free port, spoken to over a raw socket. */
final class RedisServer implements AutoCloseable {
    static final String BINARY = "/usr/bin/redis-server";

    private final Process process;
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    static boolean available() {
        return new File(BINARY).canExecute();
    }

    RedisServer(Path dir, String... extra) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--save", "", "--dir", dir.toString()));
        cmd.addAll(List.of(extra));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        Socket sock = null;
        for (int i = 0; i < 250 && sock == null; i++) {
            try {
                sock = new Socket("127.0.0.1", port);
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        if (sock == null) {
            process.destroyForcibly();
            throw new IllegalStateException("redis-server did not start on port " + port);
        }
        socket = sock;
        out = sock.getOutputStream();
        in = new BufferedInputStream(sock.getInputStream());
    }

    /**
     * Sends one command and returns the first line of the reply (bulk replies: the bulk). A
     * -LOADING reply (the server is still loading its files after start) is retried.
     */
    String call(String... args) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return callOnce(args);
            } catch (IllegalStateException e) {
                if (!e.getMessage().startsWith("-LOADING") || attempt >= 500) {
                    throw e;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private String callOnce(String... args) throws IOException {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(a).append("\r\n");
        }
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String line = line();
        if (line.startsWith("-")) {
            throw new IllegalStateException(line + " for " + String.join(" ", args));
        }
        if (line.startsWith("$") && !line.equals("$-1")) {
            String bulk = line();
            return bulk;
        }
        return line;
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** SHUTDOWN (the AOF is flushed and fsynced) and wait for the process. */
    void shutdown() throws Exception {
        try {
            call("SHUTDOWN");
        } catch (IOException | IllegalStateException e) {
            // the connection closes as the server exits
        }
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        socket.close();
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
