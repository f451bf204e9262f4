package io.lango.kms;

/**
 * Reports whether a backend can currently serve requests.
 */
@FunctionalInterface
public interface ConnectionChecker {

    /**
     * Returns true when the backend passed its last probe; may return a cached result.
     */
    boolean isConnected();
}
