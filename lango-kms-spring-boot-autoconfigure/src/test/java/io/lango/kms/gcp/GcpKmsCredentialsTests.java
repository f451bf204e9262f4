package io.lango.kms.gcp;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.auth.Credentials;
import com.google.auth.Retryable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.gcp.GcpTestSupport.RecordingSleeper;
import io.lango.kms.support.RetryingCryptoProvider;
import io.lango.kms.testsupport.gcp.GcpKmsMethod;
import io.lango.kms.testsupport.gcp.GcpKmsStandIn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Credentials: an application's {@link CredentialsProvider} bean is used, and credentials that fail while the
 * client builds request metadata give ACCESS_DENIED without a retry.
 */
class GcpKmsCredentialsTests {

    private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.UTF_8);

    private static GcpKmsStandIn standIn;

    private final RecordingSleeper sleeper = new RecordingSleeper();

    private KmsProperties properties;

    @BeforeAll
    static void startStandIn() {
        standIn = GcpKmsStandIn.start();
    }

    @AfterAll
    static void stopStandIn() {
        standIn.close();
    }

    @BeforeEach
    void resetStandIn() {
        standIn.clearFaults();
        standIn.resetCounters();
        this.properties = GcpTestSupport.properties(standIn);
    }

    @Test
    void plaintextEndpointSendsNoCredentials() {
        try (RetryingCryptoProvider provider = GcpTestSupport.retryingProvider(this.properties, this.sleeper)) {
            provider.encrypt("default", PAYLOAD);
        }

        assertThat(standIn.lastAuthorization()).isEmpty();
    }

    @Test
    void credentialsProviderBeanIsUsed() {
        CredentialsProvider bean = FixedCredentialsProvider.create(new TestCredentials(null));

        try (RetryingCryptoProvider provider = GcpTestSupport
            .retryingProvider(GcpTestSupport.context(this.properties, bean), this.sleeper)) {
            provider.encrypt("default", PAYLOAD);
        }

        assertThat(standIn.lastAuthorization()).contains("Bearer test-token");
    }

    @Test
    void retryableCredentialFailureIsAccessDenied() {
        // grpc-auth turns a failure that google-auth marks retryable into UNAVAILABLE, the code of an outage.
        IOException failure = new RetryableAuthException("token endpoint could not be reached");

        KmsException error = encryptWithFailingCredentials(failure);

        assertThat(error.getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED);
        assertThat(error).hasMessageContaining("Credentials failed to obtain metadata")
            .hasMessageContaining("token endpoint could not be reached");
        assertThat(standIn.requestCount(GcpKmsMethod.ENCRYPT)).isZero();
        assertThat(this.sleeper.delays()).isEmpty();
    }

    @Test
    void permanentCredentialFailureIsAccessDenied() {
        IOException failure = new IOException("token endpoint returned 400 invalid_grant");

        KmsException error = encryptWithFailingCredentials(failure);

        assertThat(error.getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED);
        assertThat(error).hasMessageContaining("the credentials could not produce request metadata")
            .hasMessageContaining("invalid_grant");
        assertThat(standIn.requestCount(GcpKmsMethod.ENCRYPT)).isZero();
        assertThat(this.sleeper.delays()).isEmpty();
    }

    private KmsException encryptWithFailingCredentials(IOException failure) {
        CredentialsProvider bean = FixedCredentialsProvider.create(new TestCredentials(failure));
        try (RetryingCryptoProvider provider = GcpTestSupport
            .retryingProvider(GcpTestSupport.context(this.properties, bean), this.sleeper)) {
            KmsException error = catchThrowableOfType(KmsException.class, () -> provider.encrypt("default", PAYLOAD));
            assertThat(error).as("KmsException from encrypt").isNotNull();
            return error;
        }
    }

    /**
     * Failure that google-auth would retry, like its own GoogleAuthException for a 5xx from the token endpoint.
     */
    private static final class RetryableAuthException extends IOException implements Retryable {

        RetryableAuthException(String message) {
            super(message);
        }

        @Override
        public boolean isRetryable() {
            return true;
        }

        @Override
        public int getRetryCount() {
            return 0;
        }
    }

    /**
     * Credentials that return a fixed bearer token, or throw {@code failure} when it is not null. They are not
     * {@code GoogleCredentials}, so gRPC sends them over a plaintext channel.
     */
    private static final class TestCredentials extends Credentials {

        private final IOException failure;

        TestCredentials(IOException failure) {
            this.failure = failure;
        }

        @Override
        public String getAuthenticationType() {
            return "OAuth2";
        }

        @Override
        public Map<String, List<String>> getRequestMetadata(URI uri) throws IOException {
            if (this.failure != null) {
                throw this.failure;
            }
            return Map.of("authorization", List.of("Bearer test-token"));
        }

        @Override
        public boolean hasRequestMetadata() {
            return true;
        }

        @Override
        public boolean hasRequestMetadataOnly() {
            return true;
        }

        @Override
        public void refresh() {
        }
    }
}
