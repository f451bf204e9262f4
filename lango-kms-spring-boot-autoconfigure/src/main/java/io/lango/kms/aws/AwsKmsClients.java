package io.lango.kms.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * One {@link KmsClient} per region, built on first use and closed together.
 *
 * <p>Every client has the SDK's retries switched off, because {@code KmsRetry} is the only retry layer, and each
 * attempt bounded by {@code security.kms.timeout-per-operation}. The HTTP client is the SDK's default sync client
 * found on the class path ({@code apache5-client}, which {@code software.amazon.awssdk:kms} brings at runtime).
 */
final class AwsKmsClients implements AutoCloseable {

    private static final Log logger = LogFactory.getLog(AwsKmsClients.class);

    private final AwsCredentialsProvider credentials;

    private final Optional<URI> endpoint;

    private final Duration timeout;

    private final Optional<AwsKmsClientCustomizer> customizer;

    private final Optional<SdkAutoCloseable> ownedCredentials;

    private final Map<Region, KmsClient> clients = new ConcurrentHashMap<>();

    private volatile boolean closed;

    /**
     * Creates the client set; {@code ownedCredentials} is the credentials provider that this set created and
     * closes, empty when it came from the application.
     */
    AwsKmsClients(AwsCredentialsProvider credentials, Optional<URI> endpoint, Duration timeout,
            Optional<AwsKmsClientCustomizer> customizer, Optional<SdkAutoCloseable> ownedCredentials) {
        this.credentials = new AwsCredentialsGuard(Objects.requireNonNull(credentials, "credentials"));
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.customizer = Objects.requireNonNull(customizer, "customizer");
        this.ownedCredentials = Objects.requireNonNull(ownedCredentials, "ownedCredentials");
    }

    /**
     * Returns the client for {@code region}, building it on first use.
     *
     * @throws IllegalStateException when this set is closed
     */
    KmsClient forRegion(Region region) {
        if (this.closed) {
            throw new IllegalStateException("the AWS KMS clients are closed");
        }
        return this.clients.computeIfAbsent(region, this::build);
    }

    private KmsClient build(Region region) {
        KmsClientBuilder builder = KmsClient.builder()
            .region(region)
            .credentialsProvider(this.credentials)
            .overrideConfiguration((override) -> override.retryStrategy(AwsRetryStrategy.doNotRetry())
                .apiCallAttemptTimeout(this.timeout)
                .apiCallTimeout(this.timeout));
        this.endpoint.ifPresent(builder::endpointOverride);
        this.customizer.ifPresent((customizer) -> customizer.customize(builder, region));
        KmsClient client = builder.build();
        if (logger.isDebugEnabled()) {
            logger.debug("Built the AWS KMS client for region %s%s".formatted(region.id(),
                    this.endpoint.map((uri) -> " with endpoint " + uri).orElse("")));
        }
        return client;
    }

    @Override
    public void close() {
        this.closed = true;
        this.clients.values().forEach(KmsClient::close);
        this.clients.clear();
        this.ownedCredentials.ifPresent(SdkAutoCloseable::close);
    }
}
