package io.strata.tools;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs a tool in-process and captures its exit status, stdout and stderr. */
record ToolRun(int status, String out, String err) {
    static ToolRun rdbInspect(String... args) {
        RdbInspect t = new RdbInspect();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        t.out = new PrintStream(o, true, StandardCharsets.UTF_8);
        t.err = new PrintStream(e, true, StandardCharsets.UTF_8);
        int status = new CommandLine(t).execute(args);
        return new ToolRun(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    static ToolRun aofRepair(String... args) {
        AofRepair t = new AofRepair();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        t.out = new PrintStream(o, true, StandardCharsets.UTF_8);
        t.err = new PrintStream(e, true, StandardCharsets.UTF_8);
        int status = new CommandLine(t).execute(args);
        return new ToolRun(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "status=" + status + "\n--- out\n" + out + "--- err\n" + err;
    }
}
