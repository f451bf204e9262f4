package io.lango.kms.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@ExtendWith(OutputCaptureExtension.class)
class KmsRetryTest {

    private final List<Duration> sleeps = new ArrayList<>();

    private final KmsRetry retry = new KmsRetry(3, this.sleeps::add);

    @Test
    void throttledThenSuccessReturnsSuccess() {
        AtomicInteger attempts = new AtomicInteger();

        String result = this.retry.execute(KmsProviderName.AWS_KMS, "encrypt", "alias/app", () -> {
            if (attempts.incrementAndGet() == 1) {
                throw error(KmsErrorKind.THROTTLED);
            }
            return "ok";
        });

        assertThat(result).isEqualTo("ok");
        assertThat(attempts).hasValue(2);
        assertThat(this.sleeps).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void unavailableIsRetried() {
        AtomicInteger attempts = new AtomicInteger();

        String result = this.retry.execute(KmsProviderName.AWS_KMS, "encrypt", "alias/app", () -> {
            if (attempts.incrementAndGet() < 3) {
                throw error(KmsErrorKind.UNAVAILABLE);
            }
            return "ok";
        });

        assertThat(result).isEqualTo("ok");
        assertThat(attempts).hasValue(3);
        assertThat(this.sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void accessDeniedIsNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        KmsException denied = error(KmsErrorKind.ACCESS_DENIED);

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.retry.execute(KmsProviderName.AWS_KMS, "encrypt", "alias/app", () -> {
                attempts.incrementAndGet();
                throw denied;
            }))
            .isSameAs(denied);
        assertThat(attempts).hasValue(1);
        assertThat(this.sleeps).isEmpty();
    }

    @Test
    void nonTransientKindsAreNotRetried() {
        for (KmsErrorKind kind : List.of(KmsErrorKind.KEY_DISABLED, KmsErrorKind.INVALID_KEY,
                KmsErrorKind.INVALID_CIPHERTEXT, KmsErrorKind.INVALID_INPUT)) {
            AtomicInteger attempts = new AtomicInteger();

            assertThatExceptionOfType(KmsException.class)
                .isThrownBy(() -> this.retry.execute(KmsProviderName.GCP_KMS, "sign", "key", () -> {
                    attempts.incrementAndGet();
                    throw error(kind);
                }))
                .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(kind));
            assertThat(attempts).as("attempts for %s", kind).hasValue(1);
        }
    }

    @Test
    void exhaustedRetriesRethrowLastError() {
        AtomicInteger attempts = new AtomicInteger();
        List<KmsException> thrown = new ArrayList<>();

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.retry.execute(KmsProviderName.AWS_KMS, "decrypt", "alias/app", () -> {
                attempts.incrementAndGet();
                KmsException error = error(KmsErrorKind.UNAVAILABLE);
                thrown.add(error);
                throw error;
            }))
            .satisfies((ex) -> assertThat(ex).isSameAs(thrown.get(thrown.size() - 1)));
        assertThat(attempts).hasValue(4);
    }

    @Test
    void delaysDoubleFrom100Milliseconds() {
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.retry
            .execute(KmsProviderName.AWS_KMS, "sign", "k", () -> { throw error(KmsErrorKind.THROTTLED); }));

        assertThat(this.sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(400));
    }

    @Test
    void zeroMaxRetriesMakesOneAttempt() {
        KmsRetry noRetry = new KmsRetry(0, this.sleeps::add);
        AtomicInteger attempts = new AtomicInteger();

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> noRetry.execute(KmsProviderName.AWS_KMS, "sign", "k", () -> {
                attempts.incrementAndGet();
                throw error(KmsErrorKind.UNAVAILABLE);
            }));
        assertThat(attempts).hasValue(1);
        assertThat(this.sleeps).isEmpty();
    }

    @Test
    void maxRetriesAboveThreeIsHonoured() {
        KmsRetry fiveRetries = new KmsRetry(5, this.sleeps::add);
        AtomicInteger attempts = new AtomicInteger();

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> fiveRetries.execute(KmsProviderName.AWS_KMS, "sign", "k", () -> {
                attempts.incrementAndGet();
                throw error(KmsErrorKind.THROTTLED);
            }));
        assertThat(attempts).hasValue(6);
        assertThat(this.sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMillis(1600));
    }

    @Test
    void eachExecutionStartsAtFirstDelay() {
        for (int run = 0; run < 2; run++) {
            AtomicInteger attempts = new AtomicInteger();
            this.retry.execute(KmsProviderName.AWS_KMS, "sign", "k", () -> {
                if (attempts.incrementAndGet() == 1) {
                    throw error(KmsErrorKind.THROTTLED);
                }
                return "ok";
            });
        }

        assertThat(this.sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(100));
    }

    @Test
    void interruptedSleepStopsRetrying() {
        KmsRetry interrupted = new KmsRetry(3, (duration) -> {
            throw new InterruptedException("test");
        });
        AtomicInteger attempts = new AtomicInteger();

        try {
            assertThatExceptionOfType(KmsException.class)
                .isThrownBy(() -> interrupted.execute(KmsProviderName.AWS_KMS, "sign", "k", () -> {
                    attempts.incrementAndGet();
                    throw error(KmsErrorKind.UNAVAILABLE);
                }));
            assertThat(attempts).hasValue(1);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        }
        finally {
            Thread.interrupted();
        }
    }

    @Test
    void eachRetryIsLoggedAtDebug(CapturedOutput output) {
        Logger logger = (Logger) LoggerFactory.getLogger(KmsRetry.class);
        Level previous = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        try {
            AtomicInteger attempts = new AtomicInteger();
            this.retry.execute(KmsProviderName.AWS_KMS, "encrypt", "alias/app", () -> {
                if (attempts.incrementAndGet() < 3) {
                    throw error(KmsErrorKind.THROTTLED);
                }
                return "ok";
            });
        }
        finally {
            logger.setLevel(previous);
        }

        assertThat(output.getOut()).contains("DEBUG")
            .contains("Retrying kms aws encrypt (key=alias/app), attempt 2")
            .contains("Retrying kms aws encrypt (key=alias/app), attempt 3");
    }

    @Test
    void negativeMaxRetriesIsRejected() {
        assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> new KmsRetry(-1))
            .withMessageContaining("-1");
    }

    private static KmsException error(KmsErrorKind kind) {
        return new KmsException(KmsProviderName.AWS_KMS, "encrypt", "alias/app", kind, "test " + kind);
    }
}
