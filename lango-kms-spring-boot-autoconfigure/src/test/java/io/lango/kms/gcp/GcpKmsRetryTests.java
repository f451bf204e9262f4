package io.lango.kms.gcp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.gcp.GcpTestSupport.RecordingSleeper;
import io.lango.kms.support.RetryingCryptoProvider;
import io.lango.kms.testsupport.gcp.GcpKmsCorruption;
import io.lango.kms.testsupport.gcp.GcpKmsMethod;
import io.lango.kms.testsupport.gcp.GcpKmsStandIn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The provider behind {@code KmsRetry}: the client makes exactly one attempt per call, so the stand-in counts
 * 1 + max-retries attempts at most, and the waits between them are KmsRetry's 100, 200 and 400 ms. The class
 * timeout stops a run in which the client's own retries, which last up to 60 s per call, were switched on again.
 */
@Timeout(60)
class GcpKmsRetryTests {

    private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.UTF_8);

    private static GcpKmsStandIn standIn;

    private final RecordingSleeper sleeper = new RecordingSleeper();

    private KmsProperties properties;

    private RetryingCryptoProvider provider;

    @BeforeAll
    static void startStandIn() {
        standIn = GcpKmsStandIn.start();
    }

    @AfterAll
    static void stopStandIn() {
        standIn.close();
    }

    @BeforeEach
    void createProvider() {
        standIn.clearFaults();
        standIn.resetCounters();
        this.properties = GcpTestSupport.properties(standIn);
        this.properties.setMaxRetries(3);
        this.provider = GcpTestSupport.retryingProvider(this.properties, this.sleeper);
    }

    @AfterEach
    void closeProvider() {
        this.provider.close();
    }

    @Test
    void throttledTwiceThenSucceeds() {
        standIn.failNext(GcpKmsMethod.ENCRYPT, Status.Code.RESOURCE_EXHAUSTED, 2);

        byte[] ciphertext = this.provider.encrypt("default", PAYLOAD);

        assertThat(this.provider.decrypt("default", ciphertext)).isEqualTo(PAYLOAD);
        assertThat(standIn.requestCount(GcpKmsMethod.ENCRYPT)).isEqualTo(3);
        assertThat(this.sleeper.delays()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void persistentUnavailableFailsAfterRetries() {
        standIn.failNext(GcpKmsMethod.ENCRYPT, Status.Code.UNAVAILABLE, 100);

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.encrypt("default", PAYLOAD))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE));

        // The client's default retry settings would retry UNAVAILABLE for up to 60 s and make many more attempts.
        assertThat(standIn.requestCount(GcpKmsMethod.ENCRYPT)).isEqualTo(1 + 3);
        assertThat(this.sleeper.delays()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(400));
        assertThat(this.sleeper.delays().stream().mapToLong(Duration::toMillis).sum()).isLessThan(1000);
    }

    @Test
    void timeoutPerOperationEndsEachAttempt() {
        this.provider.close();
        this.properties.setTimeoutPerOperation(Duration.ofMillis(200));
        this.properties.setMaxRetries(1);
        this.provider = GcpTestSupport.retryingProvider(this.properties, this.sleeper);
        standIn.delayNext(GcpKmsMethod.ENCRYPT, Duration.ofSeconds(3), 2);

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.encrypt("default", PAYLOAD))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE))
            .withMessageContaining("timed out after PT0.2S (security.kms.timeout-per-operation)")
            .withMessageContaining("DEADLINE_EXCEEDED");
        assertThat(standIn.requestCount(GcpKmsMethod.ENCRYPT)).isEqualTo(2);
        assertThat(this.sleeper.delays()).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void stoppedServerFailsAfterAllRetries() {
        GcpKmsStandIn stopped = GcpKmsStandIn.start();
        KmsProperties stoppedProperties = GcpTestSupport.properties(stopped);
        stoppedProperties.setMaxRetries(2);
        stopped.close();

        try (RetryingCryptoProvider unreachable = GcpTestSupport.retryingProvider(stoppedProperties, this.sleeper)) {
            assertThatExceptionOfType(KmsException.class).isThrownBy(() -> unreachable.encrypt("default", PAYLOAD))
                .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE));
        }
        assertThat(this.sleeper.delays()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void corruptedCiphertextCrcIsRetried() {
        standIn.corruptNext(GcpKmsCorruption.CIPHERTEXT_CRC32C, 1);

        byte[] ciphertext = this.provider.encrypt("default", PAYLOAD);

        assertThat(this.provider.decrypt("default", ciphertext)).isEqualTo(PAYLOAD);
        assertThat(standIn.requestCount(GcpKmsMethod.ENCRYPT)).isEqualTo(2);
        assertThat(this.sleeper.delays()).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void persistentCorruptionFailsAfterRetries() {
        standIn.corruptNext(GcpKmsCorruption.UNVERIFIED_PLAINTEXT_CRC32C, 100);

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.encrypt("default", PAYLOAD))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INTEGRITY))
            .withMessageContaining("verified_plaintext_crc32c");
        assertThat(standIn.requestCount(GcpKmsMethod.ENCRYPT)).isEqualTo(1 + 3);
    }

    @Test
    void permissionDeniedIsNotRetried() {
        standIn.failNext(GcpKmsMethod.ASYMMETRIC_SIGN, Status.Code.PERMISSION_DENIED, 100);

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.sign("default", PAYLOAD))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED))
            .withMessageContaining("roles/cloudkms.signerVerifier");
        assertThat(standIn.requestCount(GcpKmsMethod.ASYMMETRIC_SIGN)).isEqualTo(1);
        assertThat(this.sleeper.delays()).isEmpty();
    }

    @Test
    void keyDisabledIsNotRetried() {
        standIn.failNext(GcpKmsMethod.DECRYPT, Status.Code.FAILED_PRECONDITION, 100);
        byte[] ciphertext = this.provider.encrypt("default", PAYLOAD);

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.decrypt("default", ciphertext))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.KEY_DISABLED));
        assertThat(standIn.requestCount(GcpKmsMethod.DECRYPT)).isEqualTo(1);
    }
}
