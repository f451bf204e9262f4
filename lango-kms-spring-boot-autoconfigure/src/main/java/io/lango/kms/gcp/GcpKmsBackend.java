package io.lango.kms.gcp;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import com.google.api.gax.core.CredentialsProvider;
import com.google.cloud.kms.v1.KeyManagementServiceClient;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsConfigurationException;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.support.KmsBackend;
import io.lango.kms.support.KmsProviderContext;

/**
 * Creates the {@link GcpKmsCryptoProvider} for {@code security.kms.provider=gcp-kms}.
 *
 * <p>Credentials come from the application's {@link CredentialsProvider} bean when there is one (Spring Cloud GCP
 * defines one), and otherwise from Application Default Credentials. A plaintext endpoint
 * ({@code http://host:port}) without such a bean sends no credentials, which suits a local stand-in or emulator.
 * A plaintext endpoint with a bean that supplies Google credentials fails start-up, because gRPC sends those only
 * over TLS.
 */
public final class GcpKmsBackend implements KmsBackend {

    private static final Log logger = LogFactory.getLog(GcpKmsBackend.class);

    private static final String TIMEOUT_PROPERTY = "security.kms.timeout-per-operation";

    @Override
    public CryptoProvider create(KmsProviderContext context) {
        KmsProperties properties = context.properties();
        GcpKeys keys = GcpKeys.fromProperties(properties);
        Duration timeout = requirePositiveTimeout(properties.getTimeoutPerOperation());
        GcpEndpoint endpoint = hasText(properties.getEndpoint()) ? GcpEndpoint.parse(properties.getEndpoint())
                : null;
        CredentialsProvider credentialsBean = context.beans().find(CredentialsProvider.class).orElse(null);
        GcpKmsClientFactory clientFactory = new GcpKmsClientFactory(endpoint, credentialsBean, timeout);

        warnIfPlaintextLeavesHost(endpoint);
        KeyManagementServiceClient client = clientFactory.create(keys.defaultEncryptionKey().name());
        logger.info("Google Cloud KMS provider: encryption key %s, signing key %s, endpoint %s, credentials %s"
            .formatted(keys.defaultEncryptionKey(),
                    (keys.defaultSigningKey() != null) ? keys.defaultSigningKey() : "none",
                    clientFactory.endpointDescription(), clientFactory.credentialsSource()));
        return new GcpKmsCryptoProvider(client, keys, timeout);
    }

    private static Duration requirePositiveTimeout(Duration timeout) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new KmsConfigurationException(TIMEOUT_PROPERTY,
                    "%s must be positive, but was %s.".formatted(TIMEOUT_PROPERTY, timeout),
                    "Set %s to the longest time one KMS call may take, for example 5s.".formatted(TIMEOUT_PROPERTY));
        }
        return timeout;
    }

    private static void warnIfPlaintextLeavesHost(GcpEndpoint endpoint) {
        if (endpoint != null && endpoint.plaintext() && !endpoint.isLoopback()) {
            logger.warn(("security.kms.endpoint %s is a plaintext endpoint on another host, so plaintext and "
                    + "ciphertext travel unencrypted; use https:// unless the network path is trusted")
                .formatted(endpoint.target()));
        }
    }

    private static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }
}
