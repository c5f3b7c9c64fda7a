package io.strata.bench.jmh;

import io.strata.engine.ClientChannel;
import io.strata.engine.command.ReplySink;

/**
 * A client connection that discards every reply, so a benchmark measures the engine alone.
 * Replies are still handed over (counted) so the JIT cannot drop the work that built them.
 *
 * <p>Thread rule: keyspace thread only (the benchmark thread).
 */
final class NoopChannel implements ClientChannel, ReplySink {
    long replies;
    long errors;

    @Override
    public ReplySink sink() {
        return this;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    @Override
    public void closeNow() {
    }

    @Override
    public void mute(boolean muted) {
    }

    @Override
    public String addr() {
        return "127.0.0.1:1";
    }

    @Override
    public String laddr() {
        return "127.0.0.1:6379";
    }

    @Override
    public long queryBufferLength() {
        return 0;
    }

    @Override
    public long queryBufferFree() {
        return 0;
    }

    @Override
    public long outputBufferLength() {
        return 0;
    }

    // ---- ReplySink ----

    @Override
    public int protocol() {
        return 2;
    }

    @Override
    public void ok() {
        replies++;
    }

    @Override
    public void simple(String text) {
        replies++;
    }

    @Override
    public void error(String text) {
        errors++;
    }

    @Override
    public void integer(long v) {
        replies += v;
    }

    @Override
    public void bulk(byte[] b) {
        replies += b.length;
    }

    @Override
    public void bulk(byte[] b, int off, int len) {
        replies += len;
    }

    @Override
    public void bulk(String s) {
        replies += s.length();
    }

    @Override
    public void nullBulk() {
        replies++;
    }

    @Override
    public void nullArray() {
        replies++;
    }

    @Override
    public void array(int n) {
        replies += n;
    }

    @Override
    public void map(int n) {
        replies += n;
    }

    @Override
    public void set(int n) {
        replies += n;
    }

    @Override
    public void push(int n) {
        replies += n;
    }

    @Override
    public void dbl(double d) {
        replies++;
    }

    @Override
    public void bool(boolean b) {
        replies++;
    }

    @Override
    public void verbatim(String text) {
        replies++;
    }

    @Override
    public long errors() {
        return errors;
    }
}
