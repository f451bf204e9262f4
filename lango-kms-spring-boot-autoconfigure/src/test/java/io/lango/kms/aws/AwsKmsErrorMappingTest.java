package io.lango.kms.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.support.KmsRetry;
import io.lango.kms.support.RetryingCryptoProvider;
import io.lango.kms.testsupport.aws.AwsKmsErrorStub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * How the AWS KMS provider classifies AWS errors, counts attempts and bounds them, against the error stub: the real
 * SDK client sends real HTTP requests to 127.0.0.1 and parses the stub's AWS JSON error bodies.
 */
class AwsKmsErrorMappingTest {

    private static final String KEY = "alias/app";

    private static final byte[] PLAINTEXT = { 1, 2, 3 };

    private static AwsKmsErrorStub stub;

    private final List<Duration> sleeps = new ArrayList<>();

    private CryptoProvider provider;

    @BeforeAll
    static void startStub() {
        stub = AwsKmsErrorStub.start();
    }

    @AfterAll
    static void stopStub() {
        stub.close();
    }

    @BeforeEach
    void createProvider() {
        stub.reset();
        this.provider = create(AwsTestClients.properties(stub.endpoint(), KEY, "alias/signer"));
    }

    @AfterEach
    void closeProvider() {
        this.provider.close();
    }

    static Stream<Arguments> awsErrors() {
        return Stream.of(
                Arguments.of("AccessDeniedException", 400, KmsErrorKind.ACCESS_DENIED),
                Arguments.of("UnrecognizedClientException", 400, KmsErrorKind.ACCESS_DENIED),
                Arguments.of("InvalidSignatureException", 400, KmsErrorKind.ACCESS_DENIED),
                Arguments.of("ExpiredTokenException", 400, KmsErrorKind.ACCESS_DENIED),
                Arguments.of("DisabledException", 400, KmsErrorKind.KEY_DISABLED),
                Arguments.of("KMSInvalidStateException", 400, KmsErrorKind.KEY_DISABLED),
                Arguments.of("NotFoundException", 400, KmsErrorKind.INVALID_KEY),
                Arguments.of("InvalidKeyUsageException", 400, KmsErrorKind.INVALID_KEY),
                Arguments.of("InvalidArnException", 400, KmsErrorKind.INVALID_KEY),
                Arguments.of("InvalidCiphertextException", 400, KmsErrorKind.INVALID_CIPHERTEXT),
                Arguments.of("IncorrectKeyException", 400, KmsErrorKind.INVALID_CIPHERTEXT),
                Arguments.of("ThrottlingException", 400, KmsErrorKind.THROTTLED),
                Arguments.of("LimitExceededException", 400, KmsErrorKind.THROTTLED),
                Arguments.of("KMSInternalException", 500, KmsErrorKind.UNAVAILABLE),
                Arguments.of("DependencyTimeoutException", 503, KmsErrorKind.UNAVAILABLE),
                Arguments.of("KeyUnavailableException", 500, KmsErrorKind.UNAVAILABLE),
                Arguments.of("ValidationException", 400, KmsErrorKind.INVALID_INPUT),
                // Codes this starter does not know are classified by HTTP status.
                Arguments.of("NewFutureException", 429, KmsErrorKind.THROTTLED),
                Arguments.of("NewFutureException", 502, KmsErrorKind.UNAVAILABLE),
                Arguments.of("NewFutureException", 403, KmsErrorKind.ACCESS_DENIED),
                Arguments.of("NewFutureException", 400, KmsErrorKind.INVALID_INPUT));
    }

    @ParameterizedTest(name = "{0} with HTTP {1} is {2}")
    @MethodSource("awsErrors")
    void awsErrorMapsToKind(String errorCode, int status, KmsErrorKind kind) {
        List<Operation> operations = List.of(
                new Operation("encrypt", () -> this.provider.encrypt(KEY, PLAINTEXT)),
                new Operation("decrypt", () -> this.provider.decrypt(KEY, PLAINTEXT)),
                new Operation("sign", () -> this.provider.sign(KEY, PLAINTEXT)),
                new Operation("public-key", () -> this.provider.publicKey(KEY)));

        for (Operation operation : operations) {
            stub.failNext(1, status, errorCode, "scripted " + errorCode);

            assertThatExceptionOfType(KmsException.class).as(operation.name()).isThrownBy(operation.call()::run)
                .satisfies((ex) -> {
                    assertThat(ex.getKind()).isEqualTo(kind);
                    assertThat(ex.getProvider()).isEqualTo(KmsProviderName.AWS_KMS);
                    assertThat(ex.getOperation()).isEqualTo(operation.name());
                    assertThat(ex.getKeyId()).isEqualTo(KEY);
                    assertThat(ex.getMessage()).startsWith("kms aws " + operation.name() + " (key=alias/app): ")
                        .contains(errorCode, "HTTP " + status, "scripted " + errorCode);
                });
        }
        assertThat(stub.requestCount()).as("one HTTP request per operation").isEqualTo(operations.size());
    }

    @Test
    void accessDeniedNamesIamAction() {
        stub.failNext(1, 400, "AccessDeniedException", "not allowed");

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.decrypt(KEY, PLAINTEXT))
            .withMessageContaining("kms:Decrypt");
    }

    @Test
    void throttledTwiceThenSuccessAfterBackOff() {
        stub.failNext(2, 400, "ThrottlingException", "Rate exceeded");
        CryptoProvider retrying = withRetry(this.provider);

        byte[] ciphertext = retrying.encrypt(KEY, PLAINTEXT);

        assertThat(this.provider.decrypt(KEY, ciphertext)).isEqualTo(PLAINTEXT);
        assertThat(this.sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        // Three encrypt attempts and the check's decrypt: the SDK itself did not retry.
        assertThat(stub.requests()).extracting(AwsKmsErrorStub.RecordedRequest::operation)
            .containsExactly("Encrypt", "Encrypt", "Encrypt", "Decrypt");
    }

    @Test
    void http429WithoutKnownCodeIsRetried() {
        stub.failNext(1, 429, "SlowDownPlease", "too fast");

        byte[] ciphertext = withRetry(this.provider).encrypt(KEY, PLAINTEXT);

        assertThat(ciphertext).isNotEmpty();
        assertThat(this.sleeps).containsExactly(Duration.ofMillis(100));
        assertThat(stub.requestCount()).isEqualTo(2);
    }

    @Test
    void unavailableUntilRetriesRunOut() {
        stub.failNext(10, 500, "KMSInternalException", "internal error");

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> withRetry(this.provider).sign(KEY, PLAINTEXT))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE));
        assertThat(this.sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(400));
        assertThat(stub.requestCount()).as("first attempt and 3 retries").isEqualTo(4);
    }

    @Test
    void accessDeniedMakesExactlyOneRequest() {
        stub.failNext(5, 400, "AccessDeniedException", "User is not authorized to perform kms:Encrypt");

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> withRetry(this.provider).encrypt(KEY, PLAINTEXT))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED));
        assertThat(stub.requestCount()).isEqualTo(1);
        assertThat(this.sleeps).isEmpty();
    }

    @Test
    void plaintextOverLimitFailsWithoutRequest() {
        byte[] plaintext = new byte[AwsKmsCryptoProvider.MAX_PLAINTEXT_BYTES + 1];

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> withRetry(this.provider).encrypt(KEY, plaintext))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT);
                assertThat(ex.getMessage()).contains("4097 bytes", "1 to 4096 bytes");
            });
        assertThat(stub.requestCount()).isZero();
    }

    @Test
    void emptyPlaintextFailsWithoutRequest() {
        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> withRetry(this.provider).encrypt(KEY, new byte[0]))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT);
                assertThat(ex.getMessage()).contains("0 bytes", "1 to 4096 bytes");
            });
        assertThat(stub.requestCount()).isZero();
    }

    @Test
    void emptyCiphertextFailsWithoutRequest() {
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.decrypt(KEY, new byte[0]))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT));
        assertThat(stub.requestCount()).isZero();
    }

    @Test
    void malformedArnFailsWithoutRequest() {
        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.provider.encrypt("arn:aws:kms:us-east-1:123:key/x", PLAINTEXT))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY);
                assertThat(ex.getMessage()).contains("12-digit account");
            });
        assertThat(stub.requestCount()).isZero();
    }

    @Test
    void slowResponseTimesOutAsUnavailable() {
        KmsProperties properties = AwsTestClients.properties(stub.endpoint(), KEY, null);
        properties.setTimeoutPerOperation(Duration.ofMillis(300));
        stub.delayNext(1, Duration.ofSeconds(3));

        try (CryptoProvider impatient = create(properties)) {
            assertThatExceptionOfType(KmsException.class).isThrownBy(() -> impatient.encrypt(KEY, PLAINTEXT))
                .satisfies((ex) -> {
                    assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE);
                    assertThat(ex.getMessage()).contains("timed out");
                });
        }
        assertThat(stub.requestCount()).isEqualTo(1);
    }

    @Test
    void connectionRefusedIsUnavailable() {
        AwsKmsErrorStub stopped = AwsKmsErrorStub.start();
        stopped.close();

        try (CryptoProvider unreachable = create(AwsTestClients.properties(stopped.endpoint(), KEY, null))) {
            assertThatExceptionOfType(KmsException.class).isThrownBy(() -> unreachable.encrypt(KEY, PLAINTEXT))
                .satisfies((ex) -> {
                    assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE);
                    assertThat(ex.getMessage()).contains("connection failed");
                });
        }
    }

    @Test
    void failedCredentialLookupIsAccessDeniedWithoutRequest() {
        AwsCredentialsProvider broken = () -> {
            throw new IllegalStateException("no credentials in this test");
        };
        KmsProperties properties = AwsTestClients.properties(stub.endpoint(), KEY, null);

        try (CryptoProvider noCredentials = new AwsKmsBackend().create(AwsTestClients.context(properties, broken))) {
            assertThatExceptionOfType(KmsException.class)
                .isThrownBy(() -> withRetry(noCredentials).encrypt(KEY, PLAINTEXT))
                .satisfies((ex) -> {
                    assertThat(ex.getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED);
                    assertThat(ex.getMessage()).contains("no AWS credentials", "no credentials in this test");
                });
        }
        assertThat(stub.requestCount()).isZero();
        assertThat(this.sleeps).isEmpty();
    }

    @Test
    void clockSkewErrorIsRetried() {
        stub.failNext(1, 400, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large");

        byte[] ciphertext = withRetry(this.provider).encrypt(KEY, PLAINTEXT);

        assertThat(ciphertext).isNotEmpty();
        assertThat(this.sleeps).containsExactly(Duration.ofMillis(100));
        assertThat(stub.requestCount()).isEqualTo(2);
    }

    private CryptoProvider withRetry(CryptoProvider raw) {
        return new RetryingCryptoProvider(raw, new KmsRetry(3, this.sleeps::add));
    }

    private static CryptoProvider create(KmsProperties properties) {
        return new AwsKmsBackend().create(AwsTestClients.context(properties));
    }

    private record Operation(String name, Runnable call) {
    }
}
