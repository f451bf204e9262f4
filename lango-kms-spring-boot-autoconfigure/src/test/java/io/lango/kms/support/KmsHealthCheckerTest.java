package io.lango.kms.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class KmsHealthCheckerTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T10:00:00Z"));

    private final ProbeCountingProvider provider = new ProbeCountingProvider();

    private final List<KmsHealthChecker> checkers = new ArrayList<>();

    @AfterEach
    void closeCheckers() {
        this.checkers.forEach(KmsHealthChecker::close);
    }

    @Test
    void reachableProviderIsConnected() {
        KmsHealthChecker checker = checker(Duration.ofSeconds(5));

        assertThat(checker.isConnected()).isTrue();
        assertThat(this.provider.encrypts).hasValue(1);
        assertThat(this.provider.decrypts).hasValue(1);
    }

    @Test
    void failedProbeIsCachedWithinTtl() {
        KmsHealthChecker checker = checker(Duration.ofSeconds(5));
        this.provider.failure = unavailable();

        assertThat(checker.isConnected()).isFalse();
        this.provider.failure = null;
        this.clock.advance(Duration.ofSeconds(29));

        assertThat(checker.isConnected()).isFalse();
        assertThat(this.provider.encrypts).hasValue(1);
    }

    @Test
    void expiredCacheProbesAgain() {
        KmsHealthChecker checker = checker(Duration.ofSeconds(5));
        this.provider.failure = unavailable();
        assertThat(checker.isConnected()).isFalse();

        this.provider.failure = null;
        this.clock.advance(Duration.ofSeconds(30));

        assertThat(checker.isConnected()).isTrue();
        assertThat(this.provider.encrypts).hasValue(2);
    }

    @Test
    void successfulProbeIsCachedWithinTtl() {
        KmsHealthChecker checker = checker(Duration.ofSeconds(5));
        assertThat(checker.isConnected()).isTrue();

        this.provider.failure = unavailable();
        this.clock.advance(Duration.ofSeconds(10));

        assertThat(checker.isConnected()).isTrue();
        assertThat(this.provider.encrypts).hasValue(1);
    }

    @Test
    void concurrentCallersOnExpiredCacheCauseOneProbe() throws Exception {
        KmsHealthChecker checker = checker(Duration.ofSeconds(5));
        this.provider.gate = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(16);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            CountDownLatch started = new CountDownLatch(16);
            for (int i = 0; i < 16; i++) {
                results.add(callers.submit(() -> {
                    started.countDown();
                    return checker.isConnected();
                }));
            }
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(this.provider.probeStarted.await(5, TimeUnit.SECONDS)).isTrue();
            this.provider.gate.countDown();

            for (Future<Boolean> result : results) {
                assertThat(result.get(5, TimeUnit.SECONDS)).isTrue();
            }
        }
        finally {
            callers.shutdownNow();
        }
        assertThat(this.provider.encrypts).hasValue(1);
    }

    @Test
    void probeIsBoundedByTimeout() {
        KmsHealthChecker checker = checker(Duration.ofMillis(200));
        this.provider.gate = new CountDownLatch(1);

        long started = System.nanoTime();
        KmsHealthChecker.ProbeResult result = checker.currentResult();
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        this.provider.gate.countDown();

        assertThat(result.connected()).isFalse();
        assertThat(result.error()).contains("timed out after 200 ms");
        assertThat(elapsedMillis).isLessThan(5_000);
    }

    @Test
    void unavailableProbeIsUnreachable() {
        KmsHealthChecker checker = checker(Duration.ofSeconds(5));
        this.provider.failure = unavailable();

        assertThat(checker.isConnected()).isFalse();
        assertThat(checker.isUnreachable()).isTrue();
    }

    @Test
    void accessDeniedProbeIsReachable() {
        KmsHealthChecker checker = checker(Duration.ofSeconds(5));
        this.provider.failure = new KmsException(KmsProviderName.AWS_KMS, "encrypt", "", KmsErrorKind.ACCESS_DENIED,
                "not authorized");

        assertThat(checker.isConnected()).isFalse();
        assertThat(checker.isUnreachable()).isFalse();
        assertThat(checker.currentResult().error()).contains("not authorized");
    }

    @Test
    void rejectionThenOutageStaysReachable() {
        KmsHealthChecker checker = checker(Duration.ofSeconds(5));
        this.provider.failure = new KmsException(KmsProviderName.AWS_KMS, "encrypt", "", KmsErrorKind.ACCESS_DENIED,
                "not authorized");
        assertThat(checker.isUnreachable()).isFalse();

        this.clock.advance(Duration.ofSeconds(31));
        this.provider.failure = unavailable();

        assertThat(checker.isUnreachable()).isFalse();
        assertThat(checker.currentResult().error()).contains("the fallback stays off");

        this.clock.advance(Duration.ofSeconds(31));
        this.provider.failure = null;
        assertThat(checker.isConnected()).isTrue();
        this.clock.advance(Duration.ofSeconds(31));
        this.provider.failure = unavailable();
        assertThat(checker.isUnreachable()).as("after a success an outage counts again").isTrue();
    }

    @Test
    void timedOutProbeIsUnreachable() {
        KmsHealthChecker checker = checker(Duration.ofMillis(100));
        this.provider.gate = new CountDownLatch(1);

        boolean unreachable = checker.isUnreachable();
        this.provider.gate.countDown();

        assertThat(unreachable).isTrue();
    }

    @Test
    void wrongPlaintextIsDisconnected() {
        KmsHealthChecker checker = checker(Duration.ofSeconds(5));
        this.provider.corruptDecrypt = true;

        KmsHealthChecker.ProbeResult result = checker.currentResult();

        assertThat(result.connected()).isFalse();
        assertThat(result.error()).contains("did not match");
    }

    @Test
    void stateChangeIsLoggedOnce(CapturedOutput output) {
        KmsHealthChecker checker = checker(Duration.ofSeconds(5));
        this.provider.failure = unavailable();

        for (int i = 0; i < 3; i++) {
            checker.isConnected();
            this.clock.advance(Duration.ofSeconds(31));
        }
        this.provider.failure = null;
        checker.isConnected();

        assertThat(countOccurrences(output.getOut(), "health probe failed")).isEqualTo(1);
        assertThat(countOccurrences(output.getOut(), "health probe succeeded again")).isEqualTo(1);
        assertThat(this.provider.encrypts).hasValue(4);
    }

    private KmsHealthChecker checker(Duration timeout) {
        KmsHealthChecker checker = new KmsHealthChecker(this.provider, Duration.ofSeconds(30), timeout, this.clock);
        this.checkers.add(checker);
        return checker;
    }

    private static int countOccurrences(String text, String fragment) {
        int count = 0;
        for (int at = text.indexOf(fragment); at >= 0; at = text.indexOf(fragment, at + 1)) {
            count++;
        }
        return count;
    }

    private static KmsException unavailable() {
        return new KmsException(KmsProviderName.AWS_KMS, "encrypt", "", KmsErrorKind.UNAVAILABLE,
                "connection refused");
    }

    /** Provider double for the probe: counts calls, can fail, block, or return the wrong plaintext. */
    private static final class ProbeCountingProvider extends StubCryptoProvider {

        final AtomicInteger encrypts = new AtomicInteger();

        final AtomicInteger decrypts = new AtomicInteger();

        final CountDownLatch probeStarted = new CountDownLatch(1);

        volatile KmsException failure;

        volatile CountDownLatch gate;

        volatile boolean corruptDecrypt;

        @Override
        public byte[] encrypt(String keyId, byte[] plaintext) {
            this.encrypts.incrementAndGet();
            this.probeStarted.countDown();
            awaitGate();
            if (this.failure != null) {
                throw this.failure;
            }
            return plaintext.clone();
        }

        @Override
        public byte[] decrypt(String keyId, byte[] ciphertext) {
            this.decrypts.incrementAndGet();
            byte[] plaintext = ciphertext.clone();
            if (this.corruptDecrypt) {
                plaintext[0] ^= 1;
            }
            return plaintext;
        }

        private void awaitGate() {
            CountDownLatch current = this.gate;
            if (current == null) {
                return;
            }
            try {
                current.await(10, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class MutableClock extends Clock {

        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            this.now = this.now.plus(duration);
        }

        @Override
        public Instant instant() {
            return this.now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
