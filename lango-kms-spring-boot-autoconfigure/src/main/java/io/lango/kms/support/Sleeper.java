package io.lango.kms.support;

import java.time.Duration;

/**
 * Waits between retries; tests inject one that records the delays instead of sleeping.
 */
@FunctionalInterface
public interface Sleeper {

    /** Sleeper that blocks the calling thread. */
    Sleeper THREAD = (duration) -> Thread.sleep(duration.toMillis());

    /**
     * Waits for {@code duration}.
     */
    void sleep(Duration duration) throws InterruptedException;
}
