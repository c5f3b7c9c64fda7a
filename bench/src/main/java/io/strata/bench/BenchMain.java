package io.strata.bench;

import io.strata.bench.compare.CompareCommand;
import io.strata.bench.compare.DurabilityCommand;
import io.strata.bench.compare.MemoryCommand;
import io.strata.bench.compare.TieringCommand;
import io.strata.bench.load.LoadCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/strata-bench}: {@code load} (the load generator), {@code compare} (Strata and
 * redis-server side by side), {@code durability} (AOF bytes, BGSAVE memory, RDB restart) and
 * {@code tiering} (Strata with its spill tier vs all in RAM) and {@code memory} (used_memory per
 * element of small aggregates against redis-server). The JMH benchmarks are the jar's own
 * main ({@code java -jar}).
 *
 * <p>Thread rule: main thread.
 */
@Command(name = "strata-bench", mixinStandardHelpOptions = true,
    subcommands = {LoadCommand.class, CompareCommand.class, DurabilityCommand.class, TieringCommand.class,
        MemoryCommand.class},
    description = "Strata benchmarks: a RESP load generator and a side-by-side comparison with redis-server.")
public final class BenchMain implements Runnable {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit status (tests call this). */
    public static int run(String... args) {
        return new CommandLine(new BenchMain()).execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }
}
