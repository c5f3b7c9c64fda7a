/**
 * Lua scripting (EVAL, SCRIPT) and functions (FUNCTION, FCALL) on an embedded Lua 5.1 interpreter.
 *
 * <p>Threads: everything here runs on the keyspace thread, as scripts are atomic like MULTI/EXEC; the
 * only field another thread touches is the kill request of the running script (volatile).
 */
package io.strata.engine.scripting;
