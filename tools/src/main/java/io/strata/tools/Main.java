package io.strata.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code strata-tools.jar}: {@code java -jar strata-tools.jar rdb-inspect|aof-repair ...}.
 * The launchers {@code bin/rdb-inspect} and {@code bin/aof-repair} call it with the subcommand.
 *
 * <p>Thread rule: main thread only.
 */
@Command(name = "strata-tools", mixinStandardHelpOptions = true, version = "strata-tools 0.1.0",
    description = "Offline tools for Strata and Redis data files.",
    subcommands = {RdbInspect.class, AofRepair.class},
    exitCodeOnInvalidInput = Exit.USAGE, exitCodeOnExecutionException = Exit.INTERNAL)
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a tool: rdb-inspect or aof-repair");
    }

    /** Builds the command line; tests call {@link CommandLine#execute} on it. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
