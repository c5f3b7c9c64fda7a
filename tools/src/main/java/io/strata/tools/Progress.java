package io.strata.tools;

/**
 * A progress line on stderr ({@code \r}-rewritten, at most 4 times a second) for files of 64 MiB
 * or more, only when the JVM has a terminal (System.console() != null), so redirected output and
 * tests stay clean.
 *
 * <p>Thread rule: the tool's main thread.
 */
final class Progress {
    private static final long MIN_SIZE = 64L << 20;
    private final String label;
    private final long total;
    private final boolean on;
    private long next;
    private boolean shown;

    Progress(String label, long total) {
        this.label = label;
        this.total = total;
        this.on = total >= MIN_SIZE && System.console() != null;
    }

    void update(long done, String extra) {
        if (!on) {
            return;
        }
        long now = System.nanoTime();
        if (now < next) {
            return;
        }
        next = now + 250_000_000L;
        System.err.printf("\r%s: %3d%% %s of %s %s   ", label, total == 0 ? 100 : done * 100 / total,
            Text.bytes(done), Text.bytes(total), extra);
        System.err.flush();
        shown = true;
    }

    void done() {
        if (shown) {
            System.err.print("\r\033[K");
            System.err.flush();
        }
    }
}
