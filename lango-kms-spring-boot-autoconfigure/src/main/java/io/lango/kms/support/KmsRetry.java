package io.lango.kms.support;

import java.time.Duration;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryState;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;

/**
 * Retries KMS operations that failed with a retryable {@link io.lango.kms.KmsErrorKind}, waiting 100 ms before the
 * first retry and doubling the wait before each next one.
 *
 * <p>Built on Spring Framework's {@link RetryTemplate}. The waits go through a {@link Sleeper}, so tests observe
 * them without wall-clock time. When the retries run out, the last {@link KmsException} is rethrown unchanged.
 */
public final class KmsRetry {

    /** Wait before the first retry. */
    public static final Duration INITIAL_DELAY = Duration.ofMillis(100);

    private static final Log logger = LogFactory.getLog(KmsRetry.class);

    private final int maxRetries;

    private final RetryTemplate retryTemplate;

    /**
     * Creates a retry that makes at most {@code maxRetries} retries after the first attempt and sleeps the thread.
     */
    public KmsRetry(int maxRetries) {
        this(maxRetries, Sleeper.THREAD);
    }

    public KmsRetry(int maxRetries, Sleeper sleeper) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be 0 or more, but was " + maxRetries);
        }
        this.maxRetries = maxRetries;
        RetryPolicy policy = RetryPolicy.builder()
            .backOff(new DoublingBackOff(maxRetries, sleeper))
            .predicate(KmsRetry::isRetryable)
            .build();
        this.retryTemplate = new RetryTemplate(policy);
        this.retryTemplate.setRetryListener(new DebugLogListener());
    }

    /**
     * Returns the maximum number of retries after the first attempt.
     */
    public int getMaxRetries() {
        return this.maxRetries;
    }

    /**
     * Runs {@code action}, retrying it while it throws a retryable {@link KmsException}.
     */
    public <T> T execute(KmsProviderName provider, String operation, String keyId, Supplier<T> action) {
        String description = "%s %s (key=%s)".formatted(provider.shortName(), operation, keyId);
        try {
            return this.retryTemplate.execute(new NamedRetryable<>(description, action));
        }
        catch (RetryException ex) {
            throw rethrowable(ex.getLastException());
        }
    }

    private static boolean isRetryable(Throwable error) {
        return error instanceof KmsException kmsException && kmsException.isRetryable();
    }

    private static RuntimeException rethrowable(Throwable error) {
        if (error instanceof RuntimeException runtimeException) {
            return runtimeException;
        }
        if (error instanceof Error fatal) {
            throw fatal;
        }
        return new IllegalStateException("KMS operation failed with a checked exception", error);
    }

    /**
     * Back-off of 100 ms, 200 ms, 400 ms and so on, whose wait runs through the {@link Sleeper}; it stops after
     * {@code maxRetries} waits.
     */
    private record DoublingBackOff(int maxRetries, Sleeper sleeper) implements BackOff {

        @Override
        public BackOffExecution start() {
            return new BackOffExecution() {

                private int retries;

                @Override
                public long nextBackOff() {
                    if (this.retries >= maxRetries) {
                        return STOP;
                    }
                    Duration delay = INITIAL_DELAY.multipliedBy(1L << Math.min(this.retries, 30));
                    this.retries++;
                    return sleepFor(delay);
                }
            };
        }

        /**
         * Sleeps here rather than in the template, so the injected sleeper controls the wait. Returns 0 so the
         * template does not wait again, or STOP when the thread was interrupted.
         */
        private long sleepFor(Duration delay) {
            try {
                this.sleeper.sleep(delay);
                return 0;
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return BackOffExecution.STOP;
            }
        }
    }

    private record NamedRetryable<T>(String name, Supplier<T> action) implements Retryable<T> {

        @Override
        public T execute() {
            return this.action.get();
        }

        @Override
        public String getName() {
            return this.name;
        }
    }

    private static final class DebugLogListener implements RetryListener {

        @Override
        public void beforeRetry(RetryPolicy retryPolicy, Retryable<?> retryable, RetryState retryState) {
            if (logger.isDebugEnabled()) {
                Throwable last = retryState.getLastException();
                logger.debug("Retrying kms %s, attempt %d after: %s".formatted(retryable.getName(),
                        retryState.getRetryCount() + 1, (last != null) ? last.getMessage() : "unknown error"));
            }
        }
    }
}
