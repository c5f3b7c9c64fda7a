package io.strata.server;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the commands a behaviour test exercises, by their full lower-case name as the command
 * table has it ("get", "client|kill"). {@code CommandCoverageTest} fails when a command of the
 * table is named by no test.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Covers {
    String[] value();
}
