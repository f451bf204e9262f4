package io.lango.kms.aws;

import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsRegionProvider;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsConfigurationException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.support.KmsProviderFactory;
import io.lango.kms.support.RetryingCryptoProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Start-up checks and the choice of region; none of these tests sends a request.
 */
class AwsKmsBackendTest {

    /** Nothing listens here; the tests never send a request. */
    private static final URI ENDPOINT = URI.create("http://127.0.0.1:9");

    private static final Supplier<AwsRegionProvider> NO_SDK_REGION = () -> () -> {
        throw SdkClientException.create("Unable to load region from any of the providers in the chain");
    };

    @Test
    void factoryCreatesAwsProvider() {
        KmsProperties properties = AwsTestClients.properties(ENDPOINT, "alias/app", null);

        try (RetryingCryptoProvider provider = KmsProviderFactory.create("aws-kms",
                AwsTestClients.context(properties))) {
            assertThat(provider.unwrap()).isInstanceOf(AwsKmsCryptoProvider.class);
            assertThat(provider.providerName()).isEqualTo(KmsProviderName.AWS_KMS);
        }
    }

    @Test
    void missingKeyIdFailsStartUp() {
        KmsProperties properties = AwsTestClients.properties(ENDPOINT, null, null);

        assertThatConfigurationFails(properties, "security.kms.key-id", "is required");
    }

    @Test
    void malformedKeyArnFailsStartUp() {
        KmsProperties properties = AwsTestClients.properties(ENDPOINT, "arn:aws:kms:us-east-1:1:key/x", null);

        assertThatConfigurationFails(properties, "security.kms.key-id", "12-digit account");
    }

    @Test
    void malformedSigningKeyFailsStartUp() {
        KmsProperties properties = AwsTestClients.properties(ENDPOINT, "alias/app", "alias/no spaces");

        assertThatConfigurationFails(properties, "security.kms.signing-key-id", "not a valid alias");
    }

    @Test
    void malformedRemoteKeyIdFailsStartUp() {
        KmsProperties properties = AwsTestClients.properties(ENDPOINT, "alias/app", null);
        properties.setKeys(List.of(keyEntry("orders", "alias/orders"), keyEntry("audit", "arn:aws:kms:nowhere")));

        assertThatConfigurationFails(properties, "security.kms.keys[1].remote-key-id", "not a KMS key or alias ARN");
    }

    @Test
    void invalidEndpointFailsStartUp() {
        KmsProperties properties = AwsTestClients.properties(ENDPOINT, "alias/app", null);
        properties.setEndpoint("127.0.0.1:4566");

        assertThatConfigurationFails(properties, "security.kms.endpoint", "not a valid endpoint");
    }

    @Test
    void invalidRegionFailsStartUp() {
        KmsProperties properties = AwsTestClients.properties(ENDPOINT, "alias/app", null);
        properties.setRegion("EU West 1");

        assertThatConfigurationFails(properties, "security.kms.region", "not an AWS region name");
    }

    @Test
    void regionPropertyWinsOverBeanAndSdkChain() {
        KmsProperties properties = AwsTestClients.properties(ENDPOINT, "alias/app", null);
        AwsRegionProvider bean = () -> Region.EU_WEST_1;
        AtomicInteger sdkChainCalls = new AtomicInteger();

        String region = regionOf(new AwsKmsBackend(() -> () -> {
            sdkChainCalls.incrementAndGet();
            return Region.AP_SOUTH_1;
        }), properties, bean);

        assertThat(region).isEqualTo("us-east-1");
        assertThat(sdkChainCalls).hasValue(0);
    }

    @Test
    void regionBeanWinsOverSdkChain() {
        KmsProperties properties = AwsTestClients.properties(ENDPOINT, "alias/app", null);
        properties.setRegion(null);
        AwsRegionProvider bean = () -> Region.EU_WEST_1;

        String region = regionOf(new AwsKmsBackend(() -> () -> Region.AP_SOUTH_1), properties, bean);

        assertThat(region).isEqualTo("eu-west-1");
    }

    @Test
    void sdkChainGivesRegionWhenNothingIsConfigured() {
        KmsProperties properties = AwsTestClients.properties(ENDPOINT, "alias/app", null);
        properties.setRegion(" ");

        String region = regionOf(new AwsKmsBackend(() -> () -> Region.AP_SOUTH_1), properties);

        assertThat(region).isEqualTo("ap-south-1");
    }

    @Test
    void keyArnRegionIsLastResort() {
        KmsProperties properties = AwsTestClients.properties(ENDPOINT,
                "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/app", null);
        properties.setRegion(null);

        String region = regionOf(new AwsKmsBackend(NO_SDK_REGION), properties);

        assertThat(region).isEqualTo("us-gov-west-1");
    }

    @Test
    void noRegionAnywhereFailsStartUp() {
        KmsProperties properties = AwsTestClients.properties(ENDPOINT, "alias/app", null);
        properties.setRegion(null);

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new AwsKmsBackend(NO_SDK_REGION).create(AwsTestClients.context(properties)))
            .satisfies((ex) -> {
                assertThat(ex.getProperty()).isEqualTo("security.kms.region");
                assertThat(ex.getMessage()).contains("No AWS region is configured");
                assertThat(ex.getAction()).contains("AWS_REGION");
            });
    }

    private static String regionOf(AwsKmsBackend backend, KmsProperties properties, Object... beans) {
        try (CryptoProvider provider = backend.create(AwsTestClients.context(properties, beans))) {
            return ((AwsKmsCryptoProvider) provider).region();
        }
    }

    private static void assertThatConfigurationFails(KmsProperties properties, String property, String message) {
        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new AwsKmsBackend().create(AwsTestClients.context(properties)))
            .satisfies((ex) -> {
                assertThat(ex.getProperty()).isEqualTo(property);
                assertThat(ex.getMessage()).contains(property, message);
                assertThat(ex.getAction()).contains(property);
            });
    }

    private static KmsProperties.KeyEntry keyEntry(String name, String remoteKeyId) {
        KmsProperties.KeyEntry entry = new KmsProperties.KeyEntry();
        entry.setName(name);
        entry.setRemoteKeyId(remoteKeyId);
        return entry;
    }
}
