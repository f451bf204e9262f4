package io.lango.kms.aws;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClientBuilder;

/**
 * Adjusts each {@link software.amazon.awssdk.services.kms.KmsClient} that the AWS KMS provider builds, for example
 * to set a proxy, an HTTP client or a metrics publisher; define one as a bean.
 *
 * <p>It runs after the provider has set the region, credentials, endpoint, timeouts and the disabled SDK retries,
 * so a setting made here wins. Re-enabling the SDK's retries multiplies the attempts of the starter's own retry.
 */
@FunctionalInterface
public interface AwsKmsClientCustomizer {

    /**
     * Adjusts the builder of the client for {@code region}; the provider builds one client per region in use.
     */
    void customize(KmsClientBuilder builder, Region region);
}
