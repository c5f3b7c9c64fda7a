package io.strata.engine;

import io.strata.engine.command.ReplySink;

/** A client channel that discards replies, for engine-level tests without a network. */
final class NullChannel implements ClientChannel {
    private final ReplySink sink = new ReplySink() {
        private long errors;

        public int protocol() { return 2; }
        public void ok() { }
        public void simple(String text) { }
        public void error(String text) { errors++; }
        public void integer(long v) { }
        public void bulk(byte[] b) { }
        public void bulk(byte[] b, int off, int len) { }
        public void bulk(String s) { }
        public void nullBulk() { }
        public void nullArray() { }
        public void array(int n) { }
        public void map(int n) { }
        public void set(int n) { }
        public void push(int n) { }
        public void dbl(double d) { }
        public void bool(boolean b) { }
        public void verbatim(String text) { }
        public long errors() { return errors; }
    };

    public ReplySink sink() { return sink; }
    public void flush() { }
    public void close() { }
    public void closeNow() { }
    public void mute(boolean muted) { }
    public String addr() { return "test:0"; }
    public String laddr() { return "test:0"; }
    public long queryBufferLength() { return 0; }
    public long queryBufferFree() { return 0; }
    public long outputBufferLength() { return 0; }
}
