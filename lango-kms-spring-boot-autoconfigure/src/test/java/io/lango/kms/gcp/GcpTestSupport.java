package io.lango.kms.gcp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.google.api.gax.core.CredentialsProvider;

import io.lango.kms.CryptoProvider;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.support.KmsProviderContext;
import io.lango.kms.support.KmsRetry;
import io.lango.kms.support.RetryingCryptoProvider;
import io.lango.kms.support.Sleeper;
import io.lango.kms.testsupport.gcp.GcpKmsStandIn;

/**
 * Key names, properties and provider set-up shared by the Cloud KMS tests.
 */
final class GcpTestSupport {

    static final String KEY_RING = "projects/lango-test/locations/europe-west1/keyRings/lango";

    static final String ENCRYPTION_KEY = KEY_RING + "/cryptoKeys/encryption";

    static final String SIGNING_KEY = KEY_RING + "/cryptoKeys/signing";

    private GcpTestSupport() {
    }

    /**
     * Creates the encryption and signing keys in the stand-in and returns properties that use them, with a short
     * timeout so that a test never waits long.
     */
    static KmsProperties properties(GcpKmsStandIn standIn) {
        standIn.createEncryptionKey(ENCRYPTION_KEY);
        KmsProperties properties = new KmsProperties();
        properties.setProvider("gcp-kms");
        properties.setEndpoint(standIn.endpoint());
        properties.setKeyId(ENCRYPTION_KEY);
        properties.setSigningKeyId(standIn.createSigningKey(SIGNING_KEY));
        properties.setTimeoutPerOperation(Duration.ofSeconds(2));
        return properties;
    }

    static KmsProviderContext context(KmsProperties properties) {
        return context(properties, null);
    }

    /**
     * Creates a context whose only bean is {@code credentialsProvider}, or that has no beans when it is null.
     */
    static KmsProviderContext context(KmsProperties properties, CredentialsProvider credentialsProvider) {
        KmsProviderContext.BeanLookup beans = new KmsProviderContext.BeanLookup() {

            @Override
            public <T> Optional<T> find(Class<T> type) {
                if (credentialsProvider != null && type.isInstance(credentialsProvider)) {
                    return Optional.of(type.cast(credentialsProvider));
                }
                return Optional.empty();
            }
        };
        return new KmsProviderContext(properties, (name) -> null, beans, GcpTestSupport.class.getClassLoader());
    }

    /**
     * Creates the provider without retries, as the backend returns it.
     */
    static CryptoProvider rawProvider(KmsProperties properties) {
        return new GcpKmsBackend().create(context(properties));
    }

    /**
     * Creates the provider wrapped in {@link KmsRetry}, whose waits the sleeper records instead of sleeping.
     */
    static RetryingCryptoProvider retryingProvider(KmsProperties properties, RecordingSleeper sleeper) {
        return retryingProvider(context(properties), sleeper);
    }

    static RetryingCryptoProvider retryingProvider(KmsProviderContext context, RecordingSleeper sleeper) {
        CryptoProvider provider = new GcpKmsBackend().create(context);
        return new RetryingCryptoProvider(provider, new KmsRetry(context.properties().getMaxRetries(), sleeper));
    }

    /**
     * Sleeper that records each requested wait and returns at once.
     */
    static final class RecordingSleeper implements Sleeper {

        private final List<Duration> delays = new ArrayList<>();

        @Override
        public synchronized void sleep(Duration duration) {
            this.delays.add(duration);
        }

        synchronized List<Duration> delays() {
            return List.copyOf(this.delays);
        }
    }
}
