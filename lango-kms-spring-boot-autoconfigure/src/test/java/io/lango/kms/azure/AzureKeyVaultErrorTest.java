package io.lango.kms.azure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;

import com.azure.core.exception.ClientAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.support.KmsRetry;
import io.lango.kms.support.RetryingCryptoProvider;
import io.lango.kms.testsupport.azure.KeyVaultOperation;
import io.lango.kms.testsupport.azure.KeyVaultStandIn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Checks how {@link AzureKeyVaultCryptoProvider} classifies Key Vault failures and how they interact with
 * {@link KmsRetry}, with the real SDK against the stand-in returning injected statuses and error codes.
 */
class AzureKeyVaultErrorTest {

    private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.UTF_8);

    private static KeyVaultStandIn standIn;

    private final List<Duration> retryDelays = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startStandIn() throws Exception {
        standIn = KeyVaultStandIn.start();
        standIn.createRsaKey(StandInProviders.ENCRYPTION_KEY, 2048);
        standIn.createEcKey(StandInProviders.SIGNING_KEY, "P-256");
    }

    @AfterAll
    static void stopStandIn() {
        standIn.close();
    }

    @BeforeEach
    void resetStandIn() {
        standIn.reset();
    }

    static Stream<Arguments> responses() {
        return Stream.of(
                Arguments.of(KmsOperations.SIGN, 403, "Forbidden", null, KmsErrorKind.ACCESS_DENIED),
                Arguments.of(KmsOperations.SIGN, 403, "Forbidden", "KeyDisabled", KmsErrorKind.KEY_DISABLED),
                Arguments.of(KmsOperations.SIGN, 403, "Forbidden", "KeyExpired", KmsErrorKind.KEY_DISABLED),
                Arguments.of(KmsOperations.SIGN, 403, "Forbidden", "KeyNotYetValid", KmsErrorKind.KEY_DISABLED),
                Arguments.of(KmsOperations.SIGN, 400, "BadParameter", "KeyDisabled", KmsErrorKind.KEY_DISABLED),
                Arguments.of(KmsOperations.SIGN, 404, "KeyNotFound", null, KmsErrorKind.INVALID_KEY),
                Arguments.of(KmsOperations.SIGN, 429, "Throttled", null, KmsErrorKind.THROTTLED),
                Arguments.of(KmsOperations.SIGN, 429, "VaultRequestTypeLimitReached", null, KmsErrorKind.THROTTLED),
                Arguments.of(KmsOperations.SIGN, 500, "InternalServerError", null, KmsErrorKind.UNAVAILABLE),
                Arguments.of(KmsOperations.SIGN, 502, "BadGateway", null, KmsErrorKind.UNAVAILABLE),
                Arguments.of(KmsOperations.SIGN, 503, "ServiceUnavailable", null, KmsErrorKind.UNAVAILABLE),
                Arguments.of(KmsOperations.SIGN, 504, "GatewayTimeout", null, KmsErrorKind.UNAVAILABLE),
                Arguments.of(KmsOperations.SIGN, 400, "BadParameter", null, KmsErrorKind.INVALID_INPUT),
                Arguments.of(KmsOperations.ENCRYPT, 403, "Forbidden", "KeyDisabled", KmsErrorKind.KEY_DISABLED),
                Arguments.of(KmsOperations.ENCRYPT, 429, "Throttled", null, KmsErrorKind.THROTTLED),
                Arguments.of(KmsOperations.DECRYPT, 400, "BadParameter", null, KmsErrorKind.INVALID_CIPHERTEXT),
                Arguments.of(KmsOperations.DECRYPT, 403, "Forbidden", null, KmsErrorKind.ACCESS_DENIED),
                Arguments.of(KmsOperations.DECRYPT, 503, "ServiceUnavailable", null, KmsErrorKind.UNAVAILABLE));
    }

    @ParameterizedTest(name = "{0} with HTTP {1} {2}/{3} is {4}")
    @MethodSource("responses")
    void statusAndErrorCodeMapToKind(String operation, int status, String code, String innerCode,
            KmsErrorKind expected) {
        AzureKeyVaultCryptoProvider provider = createProvider(StandInProviders.properties(standIn));
        byte[] ciphertext = provider.encrypt("", PAYLOAD);
        provider.sign("", PAYLOAD);
        standIn.reset();
        standIn.failNext(standInOperation(operation), 1, status, code, innerCode);

        KmsException error = catchKmsException(() -> run(provider, operation, ciphertext));

        assertThat(error.getKind()).isEqualTo(expected);
        assertThat(error.getProvider()).isEqualTo(KmsProviderName.AZURE_KV);
        assertThat(error.getOperation()).isEqualTo(operation);
        assertThat(error.getKeyId()).isEqualTo(operation.equals(KmsOperations.SIGN) ? StandInProviders.SIGNING_KEY
                : StandInProviders.ENCRYPTION_KEY);
        assertThat(error.getMessage()).startsWith("kms azure " + operation + " (key=")
            .contains("HTTP " + status)
            .contains(code);
        assertThat(standIn.requestCount(standInOperation(operation))).isEqualTo(1);
    }

    @Test
    void unauthorizedAfterTokenIsAccessDenied() {
        AzureKeyVaultCryptoProvider provider = createProvider(StandInProviders.properties(standIn));
        provider.sign("", PAYLOAD);
        standIn.reset();
        // On a 401 that carries a bearer challenge, Azure Core fetches a token again and resends the request once,
        // so a rejected token shows as two 401 responses.
        standIn.failNext(KeyVaultOperation.SIGN, 2, 401, "Unauthorized", null);

        KmsException error = catchKmsException(() -> provider.sign("", PAYLOAD));

        assertThat(error.getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED);
        assertThat(error.getMessage()).contains("HTTP 401");
        assertThat(standIn.requestCount(KeyVaultOperation.SIGN)).isEqualTo(2);
    }

    @Test
    void throttledTwiceThenSuccessReturnsSignature() throws Exception {
        CryptoProvider provider = retrying(createProvider(StandInProviders.properties(standIn)));
        provider.publicKey("");
        standIn.failNext(KeyVaultOperation.SIGN, 2, 429, "Throttled", null);

        byte[] signature = provider.sign("", PAYLOAD);

        assertThat(provider.verify("", PAYLOAD, signature)).isTrue();
        assertThat(standIn.requestCount(KeyVaultOperation.SIGN)).isEqualTo(3);
        assertThat(this.retryDelays).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void forbiddenMakesExactlyOneRequest() {
        CryptoProvider provider = retrying(createProvider(StandInProviders.properties(standIn)));
        provider.publicKey("");
        standIn.failNext(KeyVaultOperation.SIGN, 5, 403, "Forbidden", null);

        KmsException error = catchKmsException(() -> provider.sign("", PAYLOAD));

        assertThat(error.getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED);
        assertThat(standIn.requestCount(KeyVaultOperation.SIGN)).isEqualTo(1);
        assertThat(this.retryDelays).isEmpty();
    }

    @Test
    void unavailableIsRetriedOnlyByKmsRetry() {
        // Four attempts in total (one plus three retries) prove the SDK's own retry policy is off: with it on,
        // each attempt would send several requests.
        CryptoProvider provider = retrying(createProvider(StandInProviders.properties(standIn)));
        provider.publicKey("");
        standIn.failNext(KeyVaultOperation.SIGN, 10, 503, "ServiceUnavailable", null);

        KmsException error = catchKmsException(() -> provider.sign("", PAYLOAD));

        assertThat(error.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE);
        assertThat(standIn.requestCount(KeyVaultOperation.SIGN)).isEqualTo(4);
        assertThat(this.retryDelays).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(400));
    }

    @Test
    void slowResponseTimesOutAsUnavailable() {
        KmsProperties properties = StandInProviders.properties(standIn);
        properties.setTimeoutPerOperation(Duration.ofMillis(300));
        AzureKeyVaultCryptoProvider provider = createProvider(properties);
        provider.publicKey("");
        standIn.delayNext(KeyVaultOperation.SIGN, 1, Duration.ofSeconds(3));

        KmsException error = catchKmsException(() -> provider.sign("", PAYLOAD));

        assertThat(error.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE);
        assertThat(error).hasRootCauseInstanceOf(TimeoutException.class);
        assertThat(error.getMessage()).contains("timed out after 300 ms");
        assertThat(standIn.requestCount(KeyVaultOperation.SIGN)).isEqualTo(1);
    }

    @Test
    void refusedConnectionIsUnavailable() throws IOException {
        KmsProperties properties = StandInProviders.properties(standIn);
        properties.getAzure().setVaultUrl("https://127.0.0.1:" + closedPort());
        AzureKeyVaultCryptoProvider provider = createProvider(properties);

        KmsException error = catchKmsException(() -> provider.encrypt("", PAYLOAD));

        assertThat(error.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE);
        assertThat(error.getKeyId()).isEqualTo(StandInProviders.ENCRYPTION_KEY);
        assertThat(error.getMessage()).contains("could not be reached");
    }

    @Test
    void failedKeyLookupIsNotRecorded() {
        AzureKeyVaultCryptoProvider provider = createProvider(StandInProviders.properties(standIn));
        standIn.failNext(KeyVaultOperation.GET_KEY, 1, 503, "ServiceUnavailable", null);

        assertThat(catchKmsException(() -> provider.encrypt("", PAYLOAD)).getKind())
            .isEqualTo(KmsErrorKind.UNAVAILABLE);
        assertThat(provider.decrypt("", provider.encrypt("", PAYLOAD))).isEqualTo(PAYLOAD);
        assertThat(standIn.requestCount(KeyVaultOperation.GET_KEY)).isEqualTo(2);
    }

    @Test
    void unknownKeyIsInvalidKey() {
        AzureKeyVaultCryptoProvider provider = createProvider(StandInProviders.properties(standIn));

        KmsException error = catchKmsException(() -> provider.encrypt("missing-key", PAYLOAD));

        assertThat(error.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY);
        assertThat(error.getKeyId()).isEqualTo("missing-key");
        assertThat(error.getMessage()).contains("HTTP 404").contains("KeyNotFound");
    }

    @Test
    void credentialFailureIsAccessDeniedAndNotRetried() {
        TestTokenCredential credential = TestTokenCredential
            .failingWith(new ClientAuthenticationException("client secret expired", null));
        CryptoProvider provider = retrying(
                StandInProviders.create(StandInProviders.properties(standIn), standIn, credential));

        KmsException error = catchKmsException(() -> provider.encrypt("", PAYLOAD));

        assertThat(error.getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED);
        assertThat(error.getMessage()).contains("could not get an access token").contains("client secret expired");
        assertThat(credential.requests()).isEqualTo(1);
        assertThat(this.retryDelays).isEmpty();
        assertThat(standIn.requestCount(KeyVaultOperation.ANY)).isZero();
    }

    @Test
    void credentialRuntimeFailureIsAccessDenied() {
        TestTokenCredential credential = TestTokenCredential
            .failingWith(new IllegalStateException("no managed identity endpoint"));
        AzureKeyVaultCryptoProvider provider = StandInProviders.create(StandInProviders.properties(standIn),
                standIn, credential);

        KmsException error = catchKmsException(() -> provider.sign("", PAYLOAD));

        assertThat(error.getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED);
        assertThat(error.getMessage()).contains("no managed identity endpoint");
    }

    @Test
    void disabledKeyIsKeyDisabled() {
        String keyName = "disabled-signing";
        standIn.createEcKey(keyName, "P-256");
        AzureKeyVaultCryptoProvider provider = createProvider(StandInProviders.properties(standIn));
        byte[] signature = provider.sign(keyName, PAYLOAD);

        standIn.setEnabled(keyName, false);

        KmsException error = catchKmsException(() -> provider.sign(keyName, PAYLOAD));
        assertThat(error.getKind()).isEqualTo(KmsErrorKind.KEY_DISABLED);
        assertThat(error.getMessage()).contains("KeyDisabled");
        assertThat(provider.verify(keyName, PAYLOAD, signature)).isTrue();
    }

    @Test
    void disabledEncryptionKeyRejectsEncrypt() {
        String keyName = "disabled-encryption";
        standIn.createRsaKey(keyName, 2048);
        AzureKeyVaultCryptoProvider provider = createProvider(StandInProviders.properties(standIn));
        provider.encrypt(keyName, PAYLOAD);

        standIn.setEnabled(keyName, false);

        assertThat(catchKmsException(() -> provider.encrypt(keyName, PAYLOAD)).getKind())
            .isEqualTo(KmsErrorKind.KEY_DISABLED);
    }

    @Test
    void expiredKeyStillDecryptsButNoLongerEncrypts() {
        String keyName = "expired-encryption";
        standIn.createRsaKey(keyName, 2048);
        AzureKeyVaultCryptoProvider provider = createProvider(StandInProviders.properties(standIn));
        byte[] ciphertext = provider.encrypt(keyName, PAYLOAD);

        standIn.setExpiresOn(keyName, Instant.now().minusSeconds(60));

        KmsException error = catchKmsException(() -> provider.encrypt(keyName, PAYLOAD));
        assertThat(error.getKind()).isEqualTo(KmsErrorKind.KEY_DISABLED);
        assertThat(error.getMessage()).contains("KeyExpired");
        assertThat(provider.decrypt(keyName, ciphertext)).isEqualTo(PAYLOAD);
    }

    private AzureKeyVaultCryptoProvider createProvider(KmsProperties properties) {
        return StandInProviders.create(properties, standIn, TestTokenCredential.returningToken());
    }

    private CryptoProvider retrying(CryptoProvider provider) {
        return new RetryingCryptoProvider(provider, new KmsRetry(3, this.retryDelays::add));
    }

    private static Object run(CryptoProvider provider, String operation, byte[] ciphertext) {
        Function<CryptoProvider, Object> action = switch (operation) {
            case KmsOperations.SIGN -> (target) -> target.sign("", PAYLOAD);
            case KmsOperations.ENCRYPT -> (target) -> target.encrypt("", PAYLOAD);
            case KmsOperations.DECRYPT -> (target) -> target.decrypt("", ciphertext);
            default -> throw new IllegalArgumentException(operation);
        };
        return action.apply(provider);
    }

    private static KeyVaultOperation standInOperation(String operation) {
        return switch (operation) {
            case KmsOperations.SIGN -> KeyVaultOperation.SIGN;
            case KmsOperations.ENCRYPT -> KeyVaultOperation.ENCRYPT;
            case KmsOperations.DECRYPT -> KeyVaultOperation.DECRYPT;
            default -> throw new IllegalArgumentException(operation);
        };
    }

    private static KmsException catchKmsException(Runnable action) {
        return assertThatExceptionOfType(KmsException.class).isThrownBy(action::run).actual();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
