/**
 * {@code strata-bench compare}: starts Strata and the Debian redis-server with matching settings,
 * runs the same scenarios against each in alternation and writes a Markdown report with an SVG
 * chart; {@code durability} and {@code tiering} (Strata with its spill tier against Strata with
 * everything in RAM) use the same server handling. This package is the only place that starts
 * redis-server, and only as the reference.
 *
 * <p>Threads: the caller's thread runs the comparison; the load generator brings its own event
 * loops; each server's output is copied to its log file by the process' own redirect.
 */
package io.strata.bench.compare;
