package io.lango.kms.gcp;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.Credentials;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyManagementServiceSettings;

import io.lango.kms.KmsConfigurationException;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;

/**
 * Builds the {@link KeyManagementServiceClient}: endpoint, credentials, no client-side retries, and a deadline of
 * {@code timeout-per-operation} on every call.
 */
final class GcpKmsClientFactory {

    private static final String GOOGLE_CREDENTIALS_CLASS = "com.google.auth.oauth2.GoogleCredentials";

    private final GcpEndpoint endpoint;

    private final CredentialsProvider credentialsBean;

    private final Duration timeoutPerOperation;

    /**
     * @param endpoint the endpoint override, or null for Cloud KMS's default endpoint
     * @param credentialsBean the application's {@link CredentialsProvider} bean, or null when there is none
     * @param timeoutPerOperation the deadline of one call
     */
    GcpKmsClientFactory(GcpEndpoint endpoint, CredentialsProvider credentialsBean, Duration timeoutPerOperation) {
        this.endpoint = endpoint;
        this.credentialsBean = credentialsBean;
        this.timeoutPerOperation = timeoutPerOperation;
    }

    /**
     * Describes where the credentials come from, for the start-up log.
     */
    String credentialsSource() {
        if (this.credentialsBean != null) {
            return "CredentialsProvider bean " + this.credentialsBean.getClass().getName();
        }
        if (this.endpoint != null && this.endpoint.plaintext()) {
            return "none (plaintext endpoint)";
        }
        return "Application Default Credentials";
    }

    String endpointDescription() {
        if (this.endpoint == null) {
            return KeyManagementServiceSettings.getDefaultEndpoint();
        }
        return this.endpoint.target() + (this.endpoint.plaintext() ? " (plaintext)" : "");
    }

    /**
     * Creates the client; a failed credential lookup raises an ACCESS_DENIED {@link KmsException} for
     * {@code keyName}.
     */
    KeyManagementServiceClient create(String keyName) {
        Credentials credentials = loadCredentials(keyName);
        KeyManagementServiceSettings.Builder settings = KeyManagementServiceSettings.newBuilder()
            .setCredentialsProvider((credentials != null) ? FixedCredentialsProvider.create(credentials)
                    : NoCredentialsProvider.create());
        if (this.endpoint != null) {
            settings.setEndpoint(this.endpoint.target());
            settings.setTransportChannelProvider(channelProvider(this.endpoint));
        }
        RetrySettings singleAttempt = singleAttempt(this.timeoutPerOperation);
        settings.applyToAllUnaryMethods((method) -> {
            method.setRetryableCodes(Set.of());
            method.setRetrySettings(singleAttempt);
            return null;
        });
        try {
            return KeyManagementServiceClient.create(settings.build());
        }
        catch (IOException ex) {
            throw new KmsException(KmsProviderName.GCP_KMS, KmsOperations.START_UP, keyName, KmsErrorKind.UNAVAILABLE,
                    "could not create the Cloud KMS client for " + endpointDescription() + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Loads the credentials once, so that a missing or broken credential source fails start-up with a clear error;
     * returns null when requests go without credentials.
     */
    private Credentials loadCredentials(String keyName) {
        CredentialsProvider provider = this.credentialsBean;
        if (provider == null && this.endpoint != null && this.endpoint.plaintext()) {
            return null;
        }
        if (provider == null) {
            provider = KeyManagementServiceSettings.defaultCredentialsProviderBuilder().build();
        }
        Credentials credentials;
        try {
            credentials = provider.getCredentials();
        }
        catch (IOException | RuntimeException ex) {
            throw new KmsException(KmsProviderName.GCP_KMS, KmsOperations.START_UP, keyName,
                    KmsErrorKind.ACCESS_DENIED, ("could not load Google credentials from %s: %s; set up "
                            + "Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth "
                            + "application-default login, or an attached service account) or define a "
                            + "CredentialsProvider bean").formatted(credentialsSource(), ex.getMessage()), ex);
        }
        requireTlsForGoogleCredentials(credentials);
        return credentials;
    }

    /**
     * Rejects Google credentials on a plaintext endpoint: grpc-auth (grpc-java 1.83) fails every call that would
     * send {@code GoogleCredentials} without TLS with UNAUTHENTICATED, so start-up fails early instead.
     */
    private void requireTlsForGoogleCredentials(Credentials credentials) {
        if (this.endpoint == null || !this.endpoint.plaintext() || !isGoogleCredentials(credentials)) {
            return;
        }
        throw new KmsConfigurationException(GcpEndpoint.PROPERTY,
                ("%s is a plaintext endpoint (%s), but the %s supplies Google credentials, which gRPC sends only over "
                        + "TLS.").formatted(GcpEndpoint.PROPERTY, this.endpoint.target(), credentialsSource()),
                ("Use an https:// endpoint, or remove the CredentialsProvider bean to call a local stand-in without "
                        + "credentials (with Spring Cloud GCP, set spring.cloud.gcp.core.enabled=false)."));
    }

    /**
     * Checks the type by name, as grpc-auth does, because google-auth-library-oauth2-http is only a runtime
     * dependency of the Cloud KMS client.
     */
    private static boolean isGoogleCredentials(Credentials credentials) {
        if (credentials == null) {
            return false;
        }
        try {
            Class<?> type = Class.forName(GOOGLE_CREDENTIALS_CLASS, false, credentials.getClass().getClassLoader());
            return type.isInstance(credentials);
        }
        catch (ClassNotFoundException ex) {
            return false;
        }
    }

    private static InstantiatingGrpcChannelProvider channelProvider(GcpEndpoint endpoint) {
        InstantiatingGrpcChannelProvider.Builder channel = KeyManagementServiceSettings
            .defaultGrpcTransportProviderBuilder()
            .setEndpoint(endpoint.target());
        if (endpoint.plaintext()) {
            channel.setChannelConfigurator((builder) -> builder.usePlaintext());
        }
        return channel.build();
    }

    /**
     * Returns retry settings for one attempt whose deadline is the whole timeout. The defaults of google-cloud-kms
     * 2.105.0 retry UNAVAILABLE and DEADLINE_EXCEEDED for up to 60 seconds, which would multiply KmsRetry's attempts.
     */
    static RetrySettings singleAttempt(Duration timeout) {
        return RetrySettings.newBuilder()
            .setMaxAttempts(1)
            .setTotalTimeoutDuration(timeout)
            .setInitialRpcTimeoutDuration(timeout)
            .setMaxRpcTimeoutDuration(timeout)
            .setRpcTimeoutMultiplier(1.0)
            .setInitialRetryDelayDuration(Duration.ZERO)
            .setMaxRetryDelayDuration(Duration.ZERO)
            .setRetryDelayMultiplier(1.0)
            .build();
    }
}
