package io.strata.engine.command;

import io.strata.engine.Client;

/**
 * Executes one command. Arity, flags, authentication, OOM and pause have been checked by the
 * dispatcher before it is called.
 *
 * <p>Thread rule: called on the keyspace thread only.
 */
@FunctionalInterface
public interface CommandHandler {
    void execute(Client c, Args a, ReplySink r);
}
