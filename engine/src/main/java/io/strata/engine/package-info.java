/**
 * The command engine: keyspace, command table, dispatcher, clients, expiry.
 *
 * <p>Threads: the keyspace thread (exactly one) runs every class here unless its Javadoc says
 * otherwise; the command table and config are readable from any thread.
 */
package io.strata.engine;
