package io.lango.kms.aws;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.RegionMetadata;
import software.amazon.awssdk.regions.providers.AwsRegionProvider;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.utils.SdkAutoCloseable;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsConfigurationException;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.autoconfigure.KmsProperties.KeyEntry;
import io.lango.kms.support.KmsBackend;
import io.lango.kms.support.KmsProviderContext;

/**
 * Creates the {@link AwsKmsCryptoProvider} for {@code security.kms.provider=aws-kms}.
 *
 * <p>Credentials come from the application's {@link AwsCredentialsProvider} bean when there is one (Spring Cloud
 * AWS defines one), else from the SDK's default chain. The region of keys not given as an ARN is
 * {@code security.kms.region}, else the application's {@link AwsRegionProvider} bean, else the SDK's default region
 * chain, else the region of {@code security.kms.key-id} when that is an ARN. Start-up makes no request to AWS: the
 * health check does.
 */
public final class AwsKmsBackend implements KmsBackend {

    private static final Log logger = LogFactory.getLog(AwsKmsBackend.class);

    private static final String KEY_ID_PROPERTY = "security.kms.key-id";

    private static final String SIGNING_KEY_ID_PROPERTY = "security.kms.signing-key-id";

    private static final String REGION_PROPERTY = "security.kms.region";

    private static final String ENDPOINT_PROPERTY = "security.kms.endpoint";

    private final Supplier<AwsRegionProvider> sdkRegionChain;

    public AwsKmsBackend() {
        this(DefaultAwsRegionProviderChain::new);
    }

    /**
     * Creates a backend whose last region source is {@code sdkRegionChain}; tests replace the SDK's chain, which
     * reads the process environment, system properties and profile files.
     */
    AwsKmsBackend(Supplier<AwsRegionProvider> sdkRegionChain) {
        this.sdkRegionChain = sdkRegionChain;
    }

    @Override
    public CryptoProvider create(KmsProviderContext context) {
        KmsProperties properties = context.properties();
        AwsKeyId encryptionKey = parseConfiguredKey(KEY_ID_PROPERTY, requireKeyId(properties.getKeyId()));
        AwsKeyId signingKey = isBlank(properties.getSigningKeyId()) ? encryptionKey
                : parseConfiguredKey(SIGNING_KEY_ID_PROPERTY, properties.getSigningKeyId());
        Map<String, AwsKeyId> namedKeys = parseNamedKeys(properties.getKeys());
        RegionChoice region = chooseRegion(context, encryptionKey, signingKey);
        Optional<URI> endpoint = parseEndpoint(properties.getEndpoint());
        Duration timeout = requirePositiveTimeout(properties.getTimeoutPerOperation());

        Optional<AwsCredentialsProvider> credentialsBean = context.beans().find(AwsCredentialsProvider.class);
        AwsCredentialsProvider credentials = credentialsBean
            .orElseGet(() -> DefaultCredentialsProvider.builder().build());
        Optional<SdkAutoCloseable> ownedCredentials = credentialsBean.isPresent() ? Optional.empty()
                : Optional.of((SdkAutoCloseable) credentials);
        AwsKmsClients clients = new AwsKmsClients(credentials, endpoint, timeout,
                context.beans().find(AwsKmsClientCustomizer.class), ownedCredentials);

        logger.info("AWS KMS uses region %s (from %s), endpoint %s, credentials from %s"
            .formatted(region.region().id(), region.source(),
                    endpoint.map(URI::toString).orElse("the SDK's default for each region"),
                    credentialsBean.isPresent() ? "the AwsCredentialsProvider bean" : "the SDK's default chain"));
        return new AwsKmsCryptoProvider(clients,
                new AwsKeyResolver(encryptionKey, signingKey, namedKeys, region.region()));
    }

    private static String requireKeyId(String keyId) {
        if (isBlank(keyId)) {
            throw new KmsConfigurationException(KEY_ID_PROPERTY,
                    KEY_ID_PROPERTY + " is required when security.kms.provider=aws-kms.",
                    "Set %s to the id, alias/<name> or ARN of a SYMMETRIC_DEFAULT key.".formatted(KEY_ID_PROPERTY));
        }
        return keyId;
    }

    private static AwsKeyId parseConfiguredKey(String property, String value) {
        try {
            return AwsKeyId.parse(value);
        }
        catch (IllegalArgumentException ex) {
            throw new KmsConfigurationException(property, "%s is invalid: %s.".formatted(property, ex.getMessage()),
                    "Set %s to a key id, alias/<name>, key ARN or alias ARN.".formatted(property), ex);
        }
    }

    /**
     * Maps each name in {@code security.kms.keys} that has a {@code remote-key-id} to that key; a name without
     * one is sent to AWS KMS as given.
     */
    private static Map<String, AwsKeyId> parseNamedKeys(List<KeyEntry> entries) {
        Map<String, AwsKeyId> namedKeys = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            KeyEntry entry = entries.get(i);
            if (!isBlank(entry.getName()) && !isBlank(entry.getRemoteKeyId())) {
                String property = "security.kms.keys[%d].remote-key-id".formatted(i);
                namedKeys.put(entry.getName(), parseConfiguredKey(property, entry.getRemoteKeyId()));
            }
        }
        return namedKeys;
    }

    private RegionChoice chooseRegion(KmsProviderContext context, AwsKeyId encryptionKey, AwsKeyId signingKey) {
        String configured = context.properties().getRegion();
        if (!isBlank(configured)) {
            return new RegionChoice(checkRegion(configured.trim()), REGION_PROPERTY);
        }
        Optional<AwsRegionProvider> regionBean = context.beans().find(AwsRegionProvider.class);
        if (regionBean.isPresent()) {
            return new RegionChoice(regionFrom(regionBean.get(), "the AwsRegionProvider bean"),
                    "the AwsRegionProvider bean");
        }
        try {
            return new RegionChoice(this.sdkRegionChain.get().getRegion(), "the SDK's default region chain");
        }
        catch (SdkClientException ex) {
            return regionOfArn(encryptionKey).or(() -> regionOfArn(signingKey))
                .orElseThrow(() -> new KmsConfigurationException(REGION_PROPERTY,
                        "No AWS region is configured: %s is empty and the SDK's default region chain found none (%s)."
                            .formatted(REGION_PROPERTY, ex.getMessage()),
                        "Set %s, the AWS_REGION environment variable or the region of the AWS profile."
                            .formatted(REGION_PROPERTY),
                        ex));
        }
    }

    private static Optional<RegionChoice> regionOfArn(AwsKeyId key) {
        return key.region().map((region) -> new RegionChoice(region, "the ARN of the key"));
    }

    private static Region regionFrom(AwsRegionProvider provider, String source) {
        try {
            return provider.getRegion();
        }
        catch (RuntimeException ex) {
            throw new KmsConfigurationException(REGION_PROPERTY,
                    "No AWS region is configured: %s is empty and %s failed (%s).".formatted(REGION_PROPERTY, source,
                            ex.getMessage()),
                    "Set %s, or fix the region of %s.".formatted(REGION_PROPERTY, source), ex);
        }
    }

    private static Region checkRegion(String value) {
        if (!value.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
            throw new KmsConfigurationException(REGION_PROPERTY,
                    "%s='%s' is not an AWS region name.".formatted(REGION_PROPERTY, value),
                    "Set %s to a region such as eu-west-1.".formatted(REGION_PROPERTY));
        }
        Region region = Region.of(value);
        if (RegionMetadata.of(region) == null) {
            logger.warn(("%s=%s is not a region known to this AWS SDK version; unless security.kms.endpoint is set,"
                    + " requests fail with an unknown host if the name is misspelled").formatted(REGION_PROPERTY,
                            value));
        }
        return region;
    }

    private static Optional<URI> parseEndpoint(String endpoint) {
        if (isBlank(endpoint)) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(endpoint.trim());
            if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                throw new URISyntaxException(endpoint, "an http or https URL with a host is expected");
            }
            return Optional.of(uri);
        }
        catch (URISyntaxException ex) {
            throw new KmsConfigurationException(ENDPOINT_PROPERTY,
                    "%s='%s' is not a valid endpoint: %s.".formatted(ENDPOINT_PROPERTY, endpoint, ex.getMessage()),
                    "Set %s to a URL such as https://kms.eu-west-1.amazonaws.com, or leave it empty."
                        .formatted(ENDPOINT_PROPERTY),
                    ex);
        }
    }

    private static Duration requirePositiveTimeout(Duration timeout) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new KmsConfigurationException("security.kms.timeout-per-operation",
                    "security.kms.timeout-per-operation must be positive, but was %s.".formatted(timeout),
                    "Set security.kms.timeout-per-operation to a duration such as 5s.");
        }
        return timeout;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /**
     * The region of keys not given as an ARN, and where it came from, for the start-up log.
     */
    private record RegionChoice(Region region, String source) {
    }
}
