package io.lango.kms.aws;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.support.KmsProviderContext;

/**
 * Clients, properties and provider contexts for tests against moto and the AWS KMS stub, all on 127.0.0.1 with
 * static test credentials and an explicit region, so no SDK default chain runs.
 */
final class AwsTestClients {

    static final Region REGION = Region.US_EAST_1;

    static final AwsCredentialsProvider TEST_CREDENTIALS = StaticCredentialsProvider
        .create(AwsBasicCredentials.create("test", "test"));

    private AwsTestClients() {
    }

    /**
     * Creates a client that sets up keys in moto or the stub, independent of the provider under test.
     */
    static KmsClient adminClient(URI endpoint, Region region) {
        return KmsClient.builder()
            .endpointOverride(endpoint)
            .region(region)
            .credentialsProvider(TEST_CREDENTIALS)
            .build();
    }

    /**
     * Returns properties for provider aws-kms at {@code endpoint} in {@link #REGION}.
     */
    static KmsProperties properties(URI endpoint, String keyId, String signingKeyId) {
        KmsProperties properties = new KmsProperties();
        properties.setProvider("aws-kms");
        properties.setEndpoint(endpoint.toString());
        properties.setRegion(REGION.id());
        properties.setKeyId(keyId);
        properties.setSigningKeyId(signingKeyId);
        return properties;
    }

    /**
     * Returns a context whose only beans are the test credentials and {@code beans}.
     */
    static KmsProviderContext context(KmsProperties properties, Object... beans) {
        List<Object> all = new java.util.ArrayList<>(Arrays.asList(beans));
        if (all.stream().noneMatch(AwsCredentialsProvider.class::isInstance)) {
            all.add(TEST_CREDENTIALS);
        }
        return new KmsProviderContext(properties, (name) -> null, new ListBeanLookup(all),
                AwsTestClients.class.getClassLoader());
    }

    /**
     * Finds the single bean of a type in a list, as the application context does.
     */
    private record ListBeanLookup(List<Object> beans) implements KmsProviderContext.BeanLookup {

        @Override
        public <T> Optional<T> find(Class<T> type) {
            List<T> matches = this.beans.stream().filter(type::isInstance).map(type::cast).toList();
            return (matches.size() == 1) ? Optional.of(matches.get(0)) : Optional.empty();
        }
    }
}
