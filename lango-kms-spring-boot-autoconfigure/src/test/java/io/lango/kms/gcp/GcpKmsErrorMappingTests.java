package io.lango.kms.gcp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.testsupport.gcp.GcpKmsCorruption;
import io.lango.kms.testsupport.gcp.GcpKmsMethod;
import io.lango.kms.testsupport.gcp.GcpKmsStandIn;

import static io.lango.kms.gcp.GcpTestSupport.ENCRYPTION_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Each gRPC status code and each corrupted response, injected by the stand-in, becomes the expected
 * {@link KmsErrorKind} with provider gcp, the operation and the key name. The provider here has no retry layer,
 * so each case is exactly one call.
 */
class GcpKmsErrorMappingTests {

    private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.UTF_8);

    private static GcpKmsStandIn standIn;

    private KmsProperties properties;

    private CryptoProvider provider;

    private byte[] ciphertext;

    private byte[] signature;

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
        this.properties = GcpTestSupport.properties(standIn);
        this.provider = GcpTestSupport.rawProvider(this.properties);
        this.ciphertext = this.provider.encrypt("default", PAYLOAD);
        this.signature = this.provider.sign("default", PAYLOAD);
        standIn.resetCounters();
    }

    @AfterEach
    void closeProvider() {
        this.provider.close();
    }

    static Stream<Arguments> statusCodes() {
        List<Arguments> cases = new ArrayList<>();
        for (Operation operation : Operation.values()) {
            cases.add(Arguments.of(operation, Status.Code.PERMISSION_DENIED, KmsErrorKind.ACCESS_DENIED));
            cases.add(Arguments.of(operation, Status.Code.UNAUTHENTICATED, KmsErrorKind.ACCESS_DENIED));
            cases.add(Arguments.of(operation, Status.Code.NOT_FOUND, KmsErrorKind.INVALID_KEY));
            cases.add(Arguments.of(operation, Status.Code.INVALID_ARGUMENT, (operation == Operation.DECRYPT)
                    ? KmsErrorKind.INVALID_CIPHERTEXT : KmsErrorKind.INVALID_KEY));
            cases.add(Arguments.of(operation, Status.Code.FAILED_PRECONDITION, KmsErrorKind.KEY_DISABLED));
            cases.add(Arguments.of(operation, Status.Code.RESOURCE_EXHAUSTED, KmsErrorKind.THROTTLED));
            cases.add(Arguments.of(operation, Status.Code.UNAVAILABLE, KmsErrorKind.UNAVAILABLE));
            cases.add(Arguments.of(operation, Status.Code.INTERNAL, KmsErrorKind.UNAVAILABLE));
            cases.add(Arguments.of(operation, Status.Code.DEADLINE_EXCEEDED, KmsErrorKind.UNAVAILABLE));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("statusCodes")
    void statusCodeMapsToKind(Operation operation, Status.Code code, KmsErrorKind expectedKind) {
        standIn.failNext(operation.method, code, 1);

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> operation.call(this))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(expectedKind);
                assertThat(ex.getProvider()).isEqualTo(KmsProviderName.GCP_KMS);
                assertThat(ex.getOperation()).isEqualTo(operation.name);
                assertThat(ex.getKeyId()).isEqualTo(operation.keyName(this));
            })
            .withMessageStartingWith("kms gcp %s (key=%s): ".formatted(operation.name, operation.keyName(this)))
            .withMessageContaining(code.name());
        assertThat(standIn.requestCount(operation.method)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(GcpKmsCorruption.class)
    void corruptedResponseIsIntegrityError(GcpKmsCorruption corruption) {
        Operation operation = Operation.of(corruption.method());
        standIn.corruptNext(corruption, 1);

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> operation.call(this))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INTEGRITY);
                assertThat(ex.getOperation()).isEqualTo(operation.name);
                assertThat(ex.getKeyId()).isEqualTo(operation.keyName(this));
                assertThat(ex.isRetryable()).isTrue();
            })
            .withMessageContaining("corrupted in transit");
    }

    @ParameterizedTest
    @EnumSource(value = GcpKmsCorruption.class, names = { "CIPHERTEXT_CRC32C", "UNVERIFIED_PLAINTEXT_CRC32C" })
    void integrityErrorNamesTheFailedField(GcpKmsCorruption corruption) {
        standIn.corruptNext(corruption, 1);

        String field = (corruption == GcpKmsCorruption.CIPHERTEXT_CRC32C) ? "ciphertext_crc32c"
                : "verified_plaintext_crc32c";
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.encrypt("default", PAYLOAD))
            .withMessageContaining("response field " + field);
    }

    /**
     * The four calls a provider makes, each with the method it reaches and the key name it reports.
     */
    enum Operation {

        ENCRYPT(KmsOperations.ENCRYPT, GcpKmsMethod.ENCRYPT, (test) -> test.provider.encrypt("default", PAYLOAD)),

        DECRYPT(KmsOperations.DECRYPT, GcpKmsMethod.DECRYPT,
                (test) -> test.provider.decrypt("default", test.ciphertext)),

        SIGN(KmsOperations.SIGN, GcpKmsMethod.ASYMMETRIC_SIGN, (test) -> test.provider.sign("default", PAYLOAD)),

        PUBLIC_KEY(KmsOperations.PUBLIC_KEY, GcpKmsMethod.GET_PUBLIC_KEY,
                (test) -> test.provider.publicKey("default"));

        private final String name;

        private final GcpKmsMethod method;

        private final Consumer<GcpKmsErrorMappingTests> call;

        Operation(String name, GcpKmsMethod method, Consumer<GcpKmsErrorMappingTests> call) {
            this.name = name;
            this.method = method;
            this.call = call;
        }

        static Operation of(GcpKmsMethod method) {
            return Stream.of(values()).filter((operation) -> operation.method == method).findFirst().orElseThrow();
        }

        void call(GcpKmsErrorMappingTests test) {
            this.call.accept(test);
        }

        String keyName(GcpKmsErrorMappingTests test) {
            return (this == ENCRYPT || this == DECRYPT) ? ENCRYPTION_KEY : test.properties.getSigningKeyId();
        }
    }
}
