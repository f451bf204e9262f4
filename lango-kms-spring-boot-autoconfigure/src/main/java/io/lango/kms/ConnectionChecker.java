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

    /**
     * Returns true when the backend cannot be reached at all (connection refused, timeout, outage), as opposed to
     * reachable but rejecting requests (access denied, disabled key). Only an unreachable backend may be replaced by
     * a fallback; the default treats every failed check as unreachable.
     */
    default boolean isUnreachable() {
        return !isConnected();
    }
}
