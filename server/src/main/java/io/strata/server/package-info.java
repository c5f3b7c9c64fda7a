/**
 * The network server: Netty event loops decode RESP and encode replies; with io-threads 1 the
 * single event loop is also the keyspace thread, with io-threads N a {@link io.strata.server.KeyspaceLoop}
 * thread runs commands handed over by the N I/O loops. A shutdown thread stops everything.
 */
package io.strata.server;
