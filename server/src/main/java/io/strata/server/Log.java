package io.strata.server;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The server log, in Redis' line format ({@code pid:M 24 Nov 2026 04:40:40.123 * message}),
 * to stdout or to {@code logfile}.
 *
 * <p>Any thread: each line is written with one synchronized print.
 */
public final class Log {
    private static final DateTimeFormatter FMT = DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ROOT);
    private static final long PID = ProcessHandle.current().pid();
    private static volatile PrintStream out = System.out;
    private static volatile int level = 2; // 0 debug, 1 verbose, 2 notice, 3 warning, 4 nothing

    private Log() {
    }

    static void configure(String logfile, String loglevel) throws IOException {
        if (logfile != null && !logfile.isEmpty()) {
            out = new PrintStream(new FileOutputStream(logfile, true), true, StandardCharsets.UTF_8);
        }
        switch (loglevel) {
            case "debug": level = 0; break;
            case "verbose": level = 1; break;
            case "warning": level = 3; break;
            case "nothing": level = 4; break;
            default: level = 2;
        }
    }

    /** Tests: sends the log to {@code p}; returns where it went before. */
    static PrintStream redirect(PrintStream p) {
        PrintStream old = out;
        out = p;
        return old;
    }

    public static long pid() {
        return PID;
    }

    private static void write(int lvl, char mark, String msg) {
        if (lvl < level) {
            return;
        }
        out.println(PID + ":M " + LocalDateTime.now().format(FMT) + " " + mark + " " + msg);
    }

    public static void debug(String msg) {
        write(0, '.', msg);
    }

    public static void verbose(String msg) {
        write(1, '-', msg);
    }

    public static void notice(String msg) {
        write(2, '*', msg);
    }

    public static void warning(String msg) {
        write(3, '#', msg);
    }
}
