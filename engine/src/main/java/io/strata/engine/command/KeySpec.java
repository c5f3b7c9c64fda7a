package io.strata.engine.command;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a command's keys are, for COMMAND GETKEYS and COMMAND INFO.
 *
 * <p>Any thread: immutable.
 */
@FunctionalInterface
public interface KeySpec {
    /** Indexes (into the full argument array, 0 = command name) of the keys. */
    List<Integer> keys(Args a);

    /** Keys from {@code first} to {@code last} (negative counts from the end) every {@code step}. */
    static KeySpec range(int first, int last, int step) {
        return a -> {
            List<Integer> out = new ArrayList<>();
            if (first == 0) {
                return out;
            }
            int l = last < 0 ? a.argc() + last : last;
            for (int i = first; i <= l && i < a.argc(); i += step) {
                out.add(i);
            }
            return out;
        };
    }
}
