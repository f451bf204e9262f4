package io.lango.kms.aws;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptRequest;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptRequest;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.GetPublicKeyResponse;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.SignRequest;
import software.amazon.awssdk.services.kms.model.SignResponse;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;
import io.lango.kms.aws.AwsKeyResolver.ResolvedKey;
import io.lango.kms.support.EcdsaSha256;

/**
 * {@link CryptoProvider} on AWS KMS: {@code SYMMETRIC_DEFAULT} encryption and {@code ECDSA_SHA_256} signatures
 * from an {@code ECC_NIST_P256} {@code SIGN_VERIFY} key.
 *
 * <p>Ciphertext is AWS KMS's own ciphertext blob. Signatures are DER-encoded, as AWS KMS returns them, and are
 * verified locally with the key's public key, which {@code GetPublicKey} returns once per key and this provider
 * caches for its lifetime. Each method makes one attempt; {@code KmsRetry} retries around it. The provider is safe
 * for concurrent use.
 */
public final class AwsKmsCryptoProvider implements CryptoProvider {

    /** AWS KMS Encrypt accepts 1 to 4096 bytes of plaintext (KMS API reference, Encrypt, Plaintext). */
    public static final int MAX_PLAINTEXT_BYTES = 4096;

    /** AWS KMS Sign accepts a RAW message of 1 to 4096 bytes (KMS API reference, Sign, Message). */
    static final int MAX_RAW_MESSAGE_BYTES = 4096;

    /** AWS KMS Decrypt accepts a ciphertext blob of 1 to 6144 bytes (KMS API reference, Decrypt). */
    static final int MAX_CIPHERTEXT_BYTES = 6144;

    private final AwsKmsClients clients;

    private final AwsKeyResolver keys;

    private final Map<ResolvedKey, PublicKey> publicKeys = new ConcurrentHashMap<>();

    AwsKmsCryptoProvider(AwsKmsClients clients, AwsKeyResolver keys) {
        this.clients = Objects.requireNonNull(clients, "clients");
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    @Override
    public byte[] encrypt(String keyId, byte[] plaintext) {
        ResolvedKey key = resolve(KmsOperations.ENCRYPT, keyId, false);
        requirePlaintext(reportedKeyId(keyId, key), plaintext);
        EncryptRequest request = EncryptRequest.builder()
            .keyId(key.awsKeyId())
            .plaintext(SdkBytes.fromByteArray(plaintext))
            .encryptionAlgorithm(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT)
            .build();

        EncryptResponse response = call(KmsOperations.ENCRYPT, keyId, key, (client) -> client.encrypt(request));
        return response.ciphertextBlob().asByteArray();
    }

    @Override
    public byte[] decrypt(String keyId, byte[] ciphertext) {
        ResolvedKey key = resolve(KmsOperations.DECRYPT, keyId, false);
        requireCiphertext(reportedKeyId(keyId, key), ciphertext);
        // Passing the key id makes AWS KMS reject ciphertext made under another key (IncorrectKeyException)
        // instead of decrypting it with whatever key the blob names.
        DecryptRequest request = DecryptRequest.builder()
            .keyId(key.awsKeyId())
            .ciphertextBlob(SdkBytes.fromByteArray(ciphertext))
            .encryptionAlgorithm(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT)
            .build();

        DecryptResponse response = call(KmsOperations.DECRYPT, keyId, key, (client) -> client.decrypt(request));
        return response.plaintext().asByteArray();
    }

    @Override
    public byte[] sign(String keyId, byte[] payload) {
        ResolvedKey key = resolve(KmsOperations.SIGN, keyId, true);
        requireInput(KmsOperations.SIGN, reportedKeyId(keyId, key), payload, "payload");
        SignRequest request = signRequest(key, payload);

        SignResponse response = call(KmsOperations.SIGN, keyId, key, (client) -> client.sign(request));
        return response.signature().asByteArray();
    }

    @Override
    public boolean verify(String keyId, byte[] payload, byte[] signature) {
        requireInput(KmsOperations.VERIFY, keyId, payload, "payload");
        requireInput(KmsOperations.VERIFY, keyId, signature, "signature");
        PublicKey publicKey = publicKey(KmsOperations.VERIFY, keyId);
        try {
            return EcdsaSha256.verify(publicKey, payload, signature);
        }
        catch (GeneralSecurityException ex) {
            throw failure(KmsOperations.VERIFY, keyId, KmsErrorKind.INVALID_KEY,
                    "the public key cannot verify ECDSA signatures: " + ex.getMessage(), ex);
        }
    }

    @Override
    public PublicKey publicKey(String keyId) {
        return publicKey(KmsOperations.PUBLIC_KEY, keyId);
    }

    @Override
    public KmsProviderName providerName() {
        return KmsProviderName.AWS_KMS;
    }

    /**
     * Returns the region of keys that are not given as an ARN: {@code security.kms.region} or the SDK's default
     * region.
     */
    public String region() {
        return this.keys.defaultRegion().id();
    }

    @Override
    public void close() {
        this.clients.close();
    }

    private PublicKey publicKey(String operation, String keyId) {
        ResolvedKey key = resolve(operation, keyId, true);
        PublicKey cached = this.publicKeys.get(key);
        if (cached != null) {
            return cached;
        }
        GetPublicKeyResponse response = call(operation, keyId, key,
                (client) -> client.getPublicKey((request) -> request.keyId(key.awsKeyId())));
        PublicKey publicKey = toEcP256PublicKey(operation, keyId, response);
        PublicKey previous = this.publicKeys.putIfAbsent(key, publicKey);
        return (previous != null) ? previous : publicKey;
    }

    private PublicKey toEcP256PublicKey(String operation, String keyId, GetPublicKeyResponse response) {
        if (response.keySpec() != null && response.keySpec() != KeySpec.ECC_NIST_P256) {
            throw failure(operation, keyId, KmsErrorKind.INVALID_KEY, ("key spec is %s, but signatures need an "
                    + "ECC_NIST_P256 key (ECDSA P-256 with SHA-256)").formatted(response.keySpecAsString()), null);
        }
        if (response.keyUsage() != null && response.keyUsage() != KeyUsageType.SIGN_VERIFY) {
            throw failure(operation, keyId, KmsErrorKind.INVALID_KEY,
                    "key usage is %s, but signatures need a SIGN_VERIFY key".formatted(response.keyUsageAsString()),
                    null);
        }
        try {
            X509EncodedKeySpec spec = new X509EncodedKeySpec(response.publicKey().asByteArray());
            return KeyFactory.getInstance("EC").generatePublic(spec);
        }
        catch (GeneralSecurityException | RuntimeException ex) {
            throw failure(operation, keyId, KmsErrorKind.INVALID_KEY,
                    "GetPublicKey returned a key that is not a DER-encoded EC public key: " + ex.getMessage(), ex);
        }
    }

    /**
     * Builds a Sign request whose signature is ECDSA over the SHA-256 digest of {@code payload}. AWS KMS hashes a
     * RAW message of 1 to 4096 bytes itself. An empty or longer payload is hashed here and sent as a DIGEST
     * message, which yields the same signature.
     */
    private static SignRequest signRequest(ResolvedKey key, byte[] payload) {
        SignRequest.Builder builder = SignRequest.builder()
            .keyId(key.awsKeyId())
            .signingAlgorithm(SigningAlgorithmSpec.ECDSA_SHA_256);
        if (payload.length >= 1 && payload.length <= MAX_RAW_MESSAGE_BYTES) {
            return builder.messageType(MessageType.RAW).message(SdkBytes.fromByteArray(payload)).build();
        }
        return builder.messageType(MessageType.DIGEST).message(SdkBytes.fromByteArray(EcdsaSha256.digest(payload))).build();
    }

    private ResolvedKey resolve(String operation, String keyId, boolean signing) {
        try {
            return signing ? this.keys.forSigning(keyId) : this.keys.forEncryption(keyId);
        }
        catch (IllegalArgumentException ex) {
            throw failure(operation, keyId, KmsErrorKind.INVALID_KEY, ex.getMessage(), ex);
        }
    }

    private <T> T call(String operation, String keyId, ResolvedKey key, Function<KmsClient, T> request) {
        KmsClient client;
        try {
            client = this.clients.forRegion(key.region());
        }
        catch (IllegalStateException ex) {
            throw failure(operation, keyId, KmsErrorKind.UNAVAILABLE, "the provider is closed", ex);
        }
        try {
            return request.apply(client);
        }
        catch (SdkException | AwsCredentialsGuard.CredentialsUnavailableException ex) {
            AwsErrorClassifier.Classification classification = AwsErrorClassifier.classify(operation, ex);
            String detail = describe(keyId, key, classification);
            throw failure(operation, reportedKeyId(keyId, key), classification.kind(), detail, ex);
        }
    }

    private static String describe(String keyId, ResolvedKey key, AwsErrorClassifier.Classification classification) {
        String detail = classification.detail();
        if (!CryptoProvider.isDefaultKeyId(keyId) && !keyId.equals(key.awsKeyId())) {
            detail = detail + " (AWS key id %s in %s)".formatted(key.awsKeyId(), key.region().id());
        }
        if (classification.kind() == KmsErrorKind.INVALID_KEY && key.key().isBareName()) {
            detail = detail + ("; '%1$s' is not a key id, alias or ARN, and security.kms.keys lists no key named"
                    + " '%1$s': write alias/%1$s for an alias").formatted(key.awsKeyId());
        }
        return detail;
    }

    /**
     * Returns the key id for error messages: the caller's id, or the configured key for a default id.
     */
    private static String reportedKeyId(String keyId, ResolvedKey key) {
        return CryptoProvider.isDefaultKeyId(keyId) ? key.awsKeyId() : keyId;
    }

    private static void requirePlaintext(String keyId, byte[] plaintext) {
        requireInput(KmsOperations.ENCRYPT, keyId, plaintext, "plaintext");
        if (plaintext.length == 0 || plaintext.length > MAX_PLAINTEXT_BYTES) {
            throw failure(KmsOperations.ENCRYPT, keyId, KmsErrorKind.INVALID_INPUT,
                    ("plaintext is %d bytes, but AWS KMS Encrypt accepts 1 to %d bytes; encrypt larger data under a"
                            + " data key (envelope encryption)").formatted(plaintext.length, MAX_PLAINTEXT_BYTES),
                    null);
        }
    }

    private static void requireCiphertext(String keyId, byte[] ciphertext) {
        requireInput(KmsOperations.DECRYPT, keyId, ciphertext, "ciphertext");
        if (ciphertext.length == 0 || ciphertext.length > MAX_CIPHERTEXT_BYTES) {
            throw failure(KmsOperations.DECRYPT, keyId, KmsErrorKind.INVALID_CIPHERTEXT,
                    "ciphertext is %d bytes, but AWS KMS ciphertext is 1 to %d bytes; it is not from AWS KMS"
                        .formatted(ciphertext.length, MAX_CIPHERTEXT_BYTES),
                    null);
        }
    }

    private static void requireInput(String operation, String keyId, byte[] value, String name) {
        if (value == null) {
            throw failure(operation, keyId, KmsErrorKind.INVALID_INPUT, name + " is missing (null)", null);
        }
    }

    private static KmsException failure(String operation, String keyId, KmsErrorKind kind, String detail,
            Throwable cause) {
        return new KmsException(KmsProviderName.AWS_KMS, operation, keyId, kind, detail, cause);
    }
}
