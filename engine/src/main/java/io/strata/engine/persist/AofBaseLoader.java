package io.strata.engine.persist;

import io.strata.engine.Engine;

import java.nio.file.Path;

/**
 * Loads the base file named by the AOF manifest into the keyspace before the incr files are
 * replayed (the RDB loader implements it once merged, see {@link Aof#setBaseFormat}). Without
 * one, a manifest that names a base file refuses to start rather than serve a partial dataset.
 *
 * <p>Thread rule: keyspace thread, at start-up while {@link Engine#loading} is set.
 */
public interface AofBaseLoader {
    /** Loads {@code file} into {@code engine}'s keyspace; throws on a damaged file. */
    void load(Engine engine, Path file) throws Exception;

    /**
     * Loads in steps so the server keeps answering -LOADING: the returned function applies
     * about {@code budgetNanos} of work per call and answers true once the file is in. The
     * default loads everything in the first call.
     */
    default java.util.function.LongPredicate loadInSteps(Engine engine, Path file) {
        return budgetNanos -> {
            try {
                load(engine, file);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            return true;
        };
    }
}
