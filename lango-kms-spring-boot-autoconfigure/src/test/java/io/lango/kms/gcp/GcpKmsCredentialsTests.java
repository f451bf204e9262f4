package io.lango.kms.gcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.FixedCredentialsProvider;
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

        assertThat(standIn.lastAuthorization()).contains("Bearer " + TestCredentials.TOKEN);
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
     * Failure that google-auth marks retryable, as google-auth-library 1.57 does with its GoogleAuthException when
     * the token endpoint returns 408, 429, 500 or 503.
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
}
