package io.lango.kms.testsupport.gcp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import io.grpc.Status;

/**
 * Faults queued for the next calls: failures with a status code, delays before the response, and corrupted
 * responses. Each fault applies to a number of calls of one method, or of any method, then expires.
 */
final class GcpKmsFaults {

    private final List<Fault<Status.Code>> failures = new ArrayList<>();

    private final List<Fault<Duration>> delays = new ArrayList<>();

    private final List<Fault<GcpKmsCorruption>> corruptions = new ArrayList<>();

    synchronized void addFailure(GcpKmsMethod method, Status.Code code, int times) {
        this.failures.add(new Fault<>(method, code, times));
    }

    synchronized void addDelay(GcpKmsMethod method, Duration delay, int times) {
        this.delays.add(new Fault<>(method, delay, times));
    }

    synchronized void addCorruption(GcpKmsCorruption corruption, int times) {
        this.corruptions.add(new Fault<>(corruption.method(), corruption, times));
    }

    synchronized Status.Code takeFailure(GcpKmsMethod method) {
        return take(this.failures, method);
    }

    synchronized Duration takeDelay(GcpKmsMethod method) {
        return take(this.delays, method);
    }

    synchronized GcpKmsCorruption takeCorruption(GcpKmsMethod method) {
        return take(this.corruptions, method);
    }

    synchronized void clear() {
        this.failures.clear();
        this.delays.clear();
        this.corruptions.clear();
    }

    private static <T> T take(List<Fault<T>> faults, GcpKmsMethod method) {
        Iterator<Fault<T>> iterator = faults.iterator();
        while (iterator.hasNext()) {
            Fault<T> fault = iterator.next();
            if (fault.method == null || fault.method == method) {
                fault.remaining--;
                if (fault.remaining <= 0) {
                    iterator.remove();
                }
                return fault.value;
            }
        }
        return null;
    }

    /**
     * One queued fault; {@code method} is null when it applies to every method.
     */
    private static final class Fault<T> {

        private final GcpKmsMethod method;

        private final T value;

        private int remaining;

        private Fault(GcpKmsMethod method, T value, int times) {
            if (times < 1) {
                throw new IllegalArgumentException("times must be 1 or more, but was " + times);
            }
            this.method = method;
            this.value = value;
            this.remaining = times;
        }
    }
}
