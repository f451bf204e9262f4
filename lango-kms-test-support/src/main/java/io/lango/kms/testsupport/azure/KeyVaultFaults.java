package io.lango.kms.testsupport.azure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Faults queued for the next requests of an operation: an error response, a delay before the normal response, or
 * both. Each fault applies to a fixed number of requests, then the stand-in responds normally again.
 */
final class KeyVaultFaults {

    private final List<Fault> faults = new ArrayList<>();

    synchronized void add(KeyVaultOperation operation, int times, KeyVaultError error, Duration delay) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be 1 or more, but was " + times);
        }
        this.faults.add(new Fault(operation, times, error, delay));
    }

    /**
     * Takes one use of the first fault queued for {@code operation}, or returns null when there is none.
     */
    synchronized Fault take(KeyVaultOperation operation) {
        Iterator<Fault> iterator = this.faults.iterator();
        while (iterator.hasNext()) {
            Fault fault = iterator.next();
            if (fault.operation.matches(operation)) {
                fault.remaining--;
                if (fault.remaining == 0) {
                    iterator.remove();
                }
                return fault;
            }
        }
        return null;
    }

    synchronized void clear() {
        this.faults.clear();
    }

    /**
     * One queued fault; {@code error} or {@code delay} may be null.
     */
    static final class Fault {

        private final KeyVaultOperation operation;

        private final KeyVaultError error;

        private final Duration delay;

        private int remaining;

        private Fault(KeyVaultOperation operation, int remaining, KeyVaultError error, Duration delay) {
            this.operation = operation;
            this.remaining = remaining;
            this.error = error;
            this.delay = delay;
        }

        KeyVaultError error() {
            return this.error;
        }

        Duration delay() {
            return this.delay;
        }
    }
}
