package io.lango.kms.gcp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.google.api.gax.rpc.ApiException;
import com.google.cloud.kms.v1.AsymmetricSignRequest;
import com.google.cloud.kms.v1.AsymmetricSignResponse;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionAlgorithm;
import com.google.cloud.kms.v1.DecryptRequest;
import com.google.cloud.kms.v1.DecryptResponse;
import com.google.cloud.kms.v1.Digest;
import com.google.cloud.kms.v1.EncryptRequest;
import com.google.cloud.kms.v1.EncryptResponse;
import com.google.cloud.kms.v1.GetPublicKeyRequest;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;
import io.lango.kms.support.EcdsaSha256;

/**
 * {@link CryptoProvider} on Google Cloud KMS: Encrypt and Decrypt on a CryptoKey, AsymmetricSign of a locally
 * computed SHA-256 digest on an EC_SIGN_P256_SHA256 CryptoKeyVersion, and verification with the version's public
 * key from GetPublicKey, cached per version.
 *
 * <p>Every request carries the CRC32C checksums of its data, and every response is checked as Google's data
 * integrity guidelines describe (see {@link GcpIntegrityChecks}). The provider makes one attempt per call; the
 * caller's {@code KmsRetry} retries. It is safe for concurrent use.
 */
public final class GcpKmsCryptoProvider implements CryptoProvider {

    /** Maximum plaintext of one Encrypt request: Cloud KMS rejects more than 64 KiB. */
    public static final int MAX_PLAINTEXT_LENGTH = 64 * 1024;

    /**
     * CRC32C of empty additional authenticated data, which this provider always sends.
     * NOTE: checked against the stand-in only; whether Cloud KMS sets verified_additional_authenticated_data_crc32c
     * for empty data, as this provider requires, has not been verified against the service.
     */
    private static final Int64Value EMPTY_AAD_CRC32C = Int64Value.of(0);

    private final KeyManagementServiceClient client;

    private final GcpKeys keys;

    private final Duration timeoutPerOperation;

    private final Map<String, PublicKey> publicKeys = new ConcurrentHashMap<>();

    GcpKmsCryptoProvider(KeyManagementServiceClient client, GcpKeys keys, Duration timeoutPerOperation) {
        this.client = Objects.requireNonNull(client, "client");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.timeoutPerOperation = Objects.requireNonNull(timeoutPerOperation, "timeoutPerOperation");
    }

    @Override
    public byte[] encrypt(String keyId, byte[] plaintext) {
        requireInput(KmsOperations.ENCRYPT, keyId, plaintext, "plaintext");
        if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
            throw failure(KmsOperations.ENCRYPT, keyId, KmsErrorKind.INVALID_INPUT,
                    ("plaintext is %d bytes, but Cloud KMS encrypts at most %d bytes (64 KiB); encrypt a data key "
                            + "with the KMS and the data with that key").formatted(plaintext.length,
                                    MAX_PLAINTEXT_LENGTH));
        }
        GcpKeyName key = this.keys.encryptionKey(KmsOperations.ENCRYPT, keyId);
        EncryptRequest request = EncryptRequest.newBuilder()
            .setName(key.name())
            .setPlaintext(ByteString.copyFrom(plaintext))
            .setPlaintextCrc32C(Int64Value.of(Crc32c.of(plaintext)))
            .setAdditionalAuthenticatedDataCrc32C(EMPTY_AAD_CRC32C)
            .build();
        EncryptResponse response = call(KmsOperations.ENCRYPT, key, () -> this.client.encrypt(request));

        GcpIntegrityChecks checks = new GcpIntegrityChecks(KmsOperations.ENCRYPT, key);
        checks.requireKeyVersion(response.getName());
        checks.requireVerified(response.getVerifiedPlaintextCrc32C(), "verified_plaintext_crc32c");
        checks.requireVerified(response.getVerifiedAdditionalAuthenticatedDataCrc32C(),
                "verified_additional_authenticated_data_crc32c");
        checks.requireCrc32c(response.hasCiphertextCrc32C(), response.getCiphertextCrc32C(),
                response.getCiphertext(), "ciphertext_crc32c");
        return response.getCiphertext().toByteArray();
    }

    @Override
    public byte[] decrypt(String keyId, byte[] ciphertext) {
        requireInput(KmsOperations.DECRYPT, keyId, ciphertext, "ciphertext");
        if (ciphertext.length == 0) {
            throw failure(KmsOperations.DECRYPT, keyId, KmsErrorKind.INVALID_CIPHERTEXT, "ciphertext is empty");
        }
        // Decrypt takes the CryptoKey name; Cloud KMS reads the version from the ciphertext.
        GcpKeyName key = new GcpKeyName(this.keys.encryptionKey(KmsOperations.DECRYPT, keyId).cryptoKey(), null);
        DecryptRequest request = DecryptRequest.newBuilder()
            .setName(key.name())
            .setCiphertext(ByteString.copyFrom(ciphertext))
            .setCiphertextCrc32C(Int64Value.of(Crc32c.of(ciphertext)))
            .setAdditionalAuthenticatedDataCrc32C(EMPTY_AAD_CRC32C)
            .build();
        DecryptResponse response = call(KmsOperations.DECRYPT, key, () -> this.client.decrypt(request));

        GcpIntegrityChecks checks = new GcpIntegrityChecks(KmsOperations.DECRYPT, key);
        checks.requireCrc32c(response.hasPlaintextCrc32C(), response.getPlaintextCrc32C(), response.getPlaintext(),
                "plaintext_crc32c");
        return response.getPlaintext().toByteArray();
    }

    @Override
    public byte[] sign(String keyId, byte[] payload) {
        requireInput(KmsOperations.SIGN, keyId, payload, "payload");
        GcpKeyName key = this.keys.signingKey(KmsOperations.SIGN, keyId);
        byte[] digest = EcdsaSha256.digest(payload);
        AsymmetricSignRequest request = AsymmetricSignRequest.newBuilder()
            .setName(key.name())
            .setDigest(Digest.newBuilder().setSha256(ByteString.copyFrom(digest)))
            .setDigestCrc32C(Int64Value.of(Crc32c.of(digest)))
            .build();
        AsymmetricSignResponse response = call(KmsOperations.SIGN, key, () -> this.client.asymmetricSign(request));

        GcpIntegrityChecks checks = new GcpIntegrityChecks(KmsOperations.SIGN, key);
        checks.requireKeyVersion(response.getName());
        checks.requireVerified(response.getVerifiedDigestCrc32C(), "verified_digest_crc32c");
        checks.requireCrc32c(response.hasSignatureCrc32C(), response.getSignatureCrc32C(), response.getSignature(),
                "signature_crc32c");
        return response.getSignature().toByteArray();
    }

    @Override
    public boolean verify(String keyId, byte[] payload, byte[] signature) {
        requireInput(KmsOperations.VERIFY, keyId, payload, "payload");
        requireInput(KmsOperations.VERIFY, keyId, signature, "signature");
        GcpKeyName key = this.keys.signingKey(KmsOperations.VERIFY, keyId);
        PublicKey publicKey = publicKey(KmsOperations.VERIFY, key);
        try {
            return EcdsaSha256.verify(publicKey, payload, signature);
        }
        catch (GeneralSecurityException ex) {
            throw failure(KmsOperations.VERIFY, key.name(), KmsErrorKind.INVALID_KEY,
                    "the public key cannot verify ECDSA signatures: " + ex.getMessage(), ex);
        }
    }

    @Override
    public PublicKey publicKey(String keyId) {
        GcpKeyName key = this.keys.signingKey(KmsOperations.PUBLIC_KEY, keyId);
        return publicKey(KmsOperations.PUBLIC_KEY, key);
    }

    @Override
    public KmsProviderName providerName() {
        return KmsProviderName.GCP_KMS;
    }

    /**
     * Shuts the client's channels and threads down and waits up to 5 seconds for calls in progress.
     */
    @Override
    public void close() {
        this.client.close();
        try {
            this.client.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Returns the public key of a CryptoKeyVersion, fetched once; a key version's key material never changes.
     */
    private PublicKey publicKey(String operation, GcpKeyName key) {
        PublicKey cached = this.publicKeys.get(key.name());
        if (cached != null) {
            return cached;
        }
        PublicKey fetched = fetchPublicKey(operation, key);
        PublicKey previous = this.publicKeys.putIfAbsent(key.name(), fetched);
        return (previous != null) ? previous : fetched;
    }

    private PublicKey fetchPublicKey(String operation, GcpKeyName key) {
        GetPublicKeyRequest request = GetPublicKeyRequest.newBuilder().setName(key.name()).build();
        com.google.cloud.kms.v1.PublicKey response = call(operation, key, () -> this.client.getPublicKey(request));

        GcpIntegrityChecks checks = new GcpIntegrityChecks(operation, key);
        checks.requireKeyVersion(response.getName());
        checks.requireCrc32c(response.hasPemCrc32C(), response.getPemCrc32C(), response.getPem(), "pem_crc32c");
        if (response.getAlgorithm() != CryptoKeyVersionAlgorithm.EC_SIGN_P256_SHA256) {
            throw failure(operation, key.name(), KmsErrorKind.INVALID_KEY,
                    ("key version algorithm is %s, but signatures must be EC_SIGN_P256_SHA256; create the signing "
                            + "key with that algorithm").formatted(response.getAlgorithm()));
        }
        return parsePem(operation, key, response.getPem());
    }

    private static PublicKey parsePem(String operation, GcpKeyName key, String pem) {
        String base64 = pem.replace("-----BEGIN PUBLIC KEY-----", "")
            .replace("-----END PUBLIC KEY-----", "")
            .replaceAll("\\s", "");
        try {
            byte[] encoded = Base64.getDecoder().decode(base64.getBytes(StandardCharsets.US_ASCII));
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(encoded));
        }
        catch (IllegalArgumentException | GeneralSecurityException ex) {
            throw failure(operation, key.name(), KmsErrorKind.INVALID_KEY,
                    "GetPublicKey returned a PEM that is not an X.509 EC public key", ex);
        }
    }

    private <T> T call(String operation, GcpKeyName key, Supplier<T> request) {
        try {
            return request.get();
        }
        catch (ApiException ex) {
            throw GcpKmsErrors.toKmsException(operation, key.name(), ex, this.timeoutPerOperation);
        }
    }

    private static void requireInput(String operation, String keyId, byte[] value, String name) {
        if (value == null) {
            throw failure(operation, keyId, KmsErrorKind.INVALID_INPUT, name + " is missing (null)");
        }
    }

    private static KmsException failure(String operation, String keyId, KmsErrorKind kind, String detail) {
        return failure(operation, keyId, kind, detail, null);
    }

    private static KmsException failure(String operation, String keyId, KmsErrorKind kind, String detail,
            Throwable cause) {
        return new KmsException(KmsProviderName.GCP_KMS, operation, keyId, kind, detail, cause);
    }
}
