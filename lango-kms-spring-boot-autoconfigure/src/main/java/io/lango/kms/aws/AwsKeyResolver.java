package io.lango.kms.aws;

import java.util.Map;
import java.util.Objects;

import software.amazon.awssdk.regions.Region;

import io.lango.kms.CryptoProvider;

/**
 * Turns the key id a caller passes into the AWS key id to send and the region to send it to.
 *
 * <p>{@code "local"}, {@code "default"} and {@code ""} name {@code security.kms.key-id} for encryption and
 * {@code security.kms.signing-key-id} for signatures. A name listed in {@code security.kms.keys} names its
 * {@code remote-key-id}. Any other value is sent to AWS KMS as given: a key id, {@code alias/name}, or an ARN, whose
 * own region wins over the configured one.
 */
final class AwsKeyResolver {

    private final AwsKeyId encryptionKey;

    private final AwsKeyId signingKey;

    private final Map<String, AwsKeyId> namedKeys;

    private final Region defaultRegion;

    AwsKeyResolver(AwsKeyId encryptionKey, AwsKeyId signingKey, Map<String, AwsKeyId> namedKeys,
            Region defaultRegion) {
        this.encryptionKey = Objects.requireNonNull(encryptionKey, "encryptionKey");
        this.signingKey = Objects.requireNonNull(signingKey, "signingKey");
        this.namedKeys = Map.copyOf(namedKeys);
        this.defaultRegion = Objects.requireNonNull(defaultRegion, "defaultRegion");
    }

    /**
     * Resolves {@code keyId} for encrypt and decrypt.
     *
     * @throws IllegalArgumentException when {@code keyId} is a malformed ARN or alias
     */
    ResolvedKey forEncryption(String keyId) {
        return resolve(keyId, this.encryptionKey);
    }

    /**
     * Resolves {@code keyId} for sign, verify and public-key.
     *
     * @throws IllegalArgumentException when {@code keyId} is a malformed ARN or alias
     */
    ResolvedKey forSigning(String keyId) {
        return resolve(keyId, this.signingKey);
    }

    /**
     * Returns the region of keys that are not given as an ARN.
     */
    Region defaultRegion() {
        return this.defaultRegion;
    }

    private ResolvedKey resolve(String keyId, AwsKeyId defaultKey) {
        AwsKeyId key;
        if (CryptoProvider.isDefaultKeyId(keyId)) {
            key = defaultKey;
        }
        else {
            key = this.namedKeys.containsKey(keyId) ? this.namedKeys.get(keyId) : AwsKeyId.parse(keyId);
        }
        return new ResolvedKey(key, key.region().orElse(this.defaultRegion));
    }

    /**
     * A key id ready to send.
     *
     * @param key the AWS key id, alias or ARN
     * @param region the region that contains the key
     */
    record ResolvedKey(AwsKeyId key, Region region) {

        /**
         * Returns the value for the request's {@code KeyId} field.
         */
        String awsKeyId() {
            return this.key.value();
        }
    }
}
