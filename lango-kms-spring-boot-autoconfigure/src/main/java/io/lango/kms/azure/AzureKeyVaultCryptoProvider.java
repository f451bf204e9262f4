package io.lango.kms.azure;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.azure.core.util.Context;
import com.azure.security.keyvault.keys.cryptography.models.EncryptionAlgorithm;
import com.azure.security.keyvault.keys.cryptography.models.SignatureAlgorithm;
import com.azure.security.keyvault.keys.models.KeyVaultKey;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;
import io.lango.kms.support.EcdsaSha256;
import io.lango.kms.support.SignatureFormats;

/**
 * {@link CryptoProvider} on Azure Key Vault keys: RSA-OAEP encryption with an RSA key and ES256 signatures with an
 * EC P-256 key.
 *
 * <p>A key id is a key name, {@code name/version}, a full key identifier in the configured vault, or a name from
 * {@code security.kms.keys}. The ids {@code "local"}, {@code "default"} and {@code ""} name the configured default
 * keys. The first use of a key fetches it once to record its versioned identifier, type and public key. Later
 * operations use that exact version, so ciphertext and signatures stay tied to the version that made them after the
 * key rotates, until the application restarts. Encrypt, decrypt and sign run in Key Vault. Verify checks the DER
 * signature with the cached public key and plain JCA, so it sends no request.
 *
 * <p>The provider does not retry: {@code KmsRetry} wraps it. It is safe for concurrent use.
 */
public final class AzureKeyVaultCryptoProvider implements CryptoProvider {

    /** Bytes of padding and hashes that RSA-OAEP with SHA-1 adds: 2 * 20 + 2 (RFC 8017, section 7.1.1). */
    static final int RSA_OAEP_SHA1_OVERHEAD = 42;

    private static final Log logger = LogFactory.getLog(AzureKeyVaultCryptoProvider.class);

    private final AzureKeyVaultSettings settings;

    private final AzureKeyVaultClients clients;

    private final AzureKeyVaultErrors errors;

    private final Map<KeyReference, ResolvedKey> resolvedKeys = new ConcurrentHashMap<>();

    AzureKeyVaultCryptoProvider(AzureKeyVaultSettings settings, AzureKeyVaultClients clients) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clients = Objects.requireNonNull(clients, "clients");
        this.errors = new AzureKeyVaultErrors(settings.timeout());
    }

    @Override
    public byte[] encrypt(String keyId, byte[] plaintext) {
        requireInput(KmsOperations.ENCRYPT, keyId, plaintext, "plaintext");
        Target target = target(KmsOperations.ENCRYPT, keyId, false);
        ResolvedKey key = requireRsa(resolve(target), target);
        int limit = key.modulusBytes() - RSA_OAEP_SHA1_OVERHEAD;
        if (plaintext.length > limit) {
            throw failure(KmsOperations.ENCRYPT, target.displayId(), KmsErrorKind.INVALID_INPUT,
                    "plaintext is %d bytes, but RSA-OAEP with the %d-bit key encrypts at most %d bytes; encrypt a data key with it instead of the data"
                        .formatted(plaintext.length, key.modulusBytes() * 8, limit));
        }
        byte[] rsaCiphertext = call(KmsOperations.ENCRYPT, target,
                () -> key.client().encrypt(EncryptionAlgorithm.RSA_OAEP, plaintext, Context.NONE).getCipherText());
        return new VersionedCiphertext(versionOf(key), rsaCiphertext).encode();
    }

    @Override
    public byte[] decrypt(String keyId, byte[] ciphertext) {
        requireInput(KmsOperations.DECRYPT, keyId, ciphertext, "ciphertext");
        Target named = target(KmsOperations.DECRYPT, keyId, false);
        VersionedCiphertext versioned;
        try {
            versioned = VersionedCiphertext.decode(ciphertext);
        }
        catch (IllegalArgumentException ex) {
            throw failure(KmsOperations.DECRYPT, named.displayId(), KmsErrorKind.INVALID_CIPHERTEXT,
                    ex.getMessage() + "; it is truncated or was not made by this provider");
        }
        Target target = new Target(named.operation(), named.reference().withVersion(versioned.version()),
                named.displayId());
        ResolvedKey key = requireRsa(resolveVersion(named, target), target);
        byte[] rsaCiphertext = versioned.rsaCiphertext();
        if (rsaCiphertext.length != key.modulusBytes()) {
            throw failure(KmsOperations.DECRYPT, target.displayId(), KmsErrorKind.INVALID_CIPHERTEXT,
                    "RSA-OAEP ciphertext is %d bytes, but that of the %d-bit key is exactly %d bytes; it is truncated or was made by another key"
                        .formatted(rsaCiphertext.length, key.modulusBytes() * 8, key.modulusBytes()));
        }
        return call(KmsOperations.DECRYPT, target,
                () -> key.client().decrypt(EncryptionAlgorithm.RSA_OAEP, rsaCiphertext, Context.NONE).getPlainText());
    }

    @Override
    public byte[] sign(String keyId, byte[] payload) {
        requireInput(KmsOperations.SIGN, keyId, payload, "payload");
        Target target = target(KmsOperations.SIGN, keyId, true);
        ResolvedKey key = requireP256(resolve(target), target);
        byte[] digest = EcdsaSha256.digest(payload);
        byte[] p1363 = call(KmsOperations.SIGN, target,
                () -> key.client().sign(SignatureAlgorithm.ES256, digest, Context.NONE).getSignature());
        if (p1363 == null || p1363.length != 2 * SignatureFormats.P256_COMPONENT_LENGTH) {
            throw failure(KmsOperations.SIGN, target.displayId(), KmsErrorKind.INTEGRITY,
                    "Key Vault returned a %s ES256 signature, but ES256 signatures are %d bytes".formatted(
                            (p1363 != null) ? p1363.length + "-byte" : "missing",
                            2 * SignatureFormats.P256_COMPONENT_LENGTH));
        }
        return SignatureFormats.p1363ToDer(p1363);
    }

    @Override
    public boolean verify(String keyId, byte[] payload, byte[] signature) {
        requireInput(KmsOperations.VERIFY, keyId, payload, "payload");
        requireInput(KmsOperations.VERIFY, keyId, signature, "signature");
        Target target = target(KmsOperations.VERIFY, keyId, true);
        ResolvedKey key = requireP256(resolve(target), target);
        try {
            return EcdsaSha256.verify(key.publicKey(), payload, signature);
        }
        catch (GeneralSecurityException ex) {
            throw failure(KmsOperations.VERIFY, target.displayId(), KmsErrorKind.INVALID_KEY,
                    "ECDSA verification with the key's public key failed: " + ex.getMessage());
        }
    }

    @Override
    public PublicKey publicKey(String keyId) {
        Target target = target(KmsOperations.PUBLIC_KEY, keyId, true);
        ResolvedKey key = resolve(target);
        if (key.publicKey() == null) {
            throw failure(KmsOperations.PUBLIC_KEY, target.displayId(), KmsErrorKind.INVALID_KEY,
                    "key %s is a %s key, which has no public key".formatted(key.keyIdentifier(), key.describe()));
        }
        return key.publicKey();
    }

    @Override
    public KmsProviderName providerName() {
        return KmsProviderName.AZURE_KV;
    }

    /**
     * Returns the versioned identifier ({@code https://<vault>/keys/<name>/<version>}) of the key that encrypts for
     * {@code keyId}, fetching the key on first use.
     */
    public String encryptionKeyIdentifier(String keyId) {
        return resolve(target(KmsOperations.ENCRYPT, keyId, false)).keyIdentifier();
    }

    /**
     * Returns the versioned identifier of the key that signs for {@code keyId}, fetching the key on first use.
     */
    public String signingKeyIdentifier(String keyId) {
        return resolve(target(KmsOperations.SIGN, keyId, true)).keyIdentifier();
    }

    /**
     * Returns the vault URL this provider talks to.
     */
    public String vaultUrl() {
        return this.settings.vaultUrl();
    }

    private Target target(String operation, String keyId, boolean signing) {
        if (CryptoProvider.isDefaultKeyId(keyId)) {
            KeyReference reference = signing ? this.settings.signingKey() : this.settings.encryptionKey();
            return new Target(operation, reference, reference.toString());
        }
        String remoteKeyId = this.settings.namedKeys().getOrDefault(keyId, keyId);
        try {
            return new Target(operation, KeyReference.parse(remoteKeyId, this.settings.vaultUri()), keyId);
        }
        catch (IllegalArgumentException ex) {
            throw failure(operation, keyId, KmsErrorKind.INVALID_KEY, ex.getMessage()
                    + "; use 'default', a name listed in security.kms.keys, or a Key Vault key name");
        }
    }

    /**
     * Returns the key version for {@code target}, fetching it on first use. Concurrent first uses may each fetch
     * it, but the first result recorded is the one every later call uses.
     */
    private ResolvedKey resolve(Target target) {
        ResolvedKey resolved = this.resolvedKeys.get(target.reference());
        if (resolved != null) {
            return resolved;
        }
        KeyReference reference = target.reference();
        KeyVaultKey key = call(target.operation(), target, () -> this.clients.keyClient()
            .getKeyWithResponse(reference.name(), reference.version(), Context.NONE)
            .getValue());
        try {
            resolved = ResolvedKey.of(key, this.clients.cryptographyClient(key.getId()));
        }
        catch (GeneralSecurityException ex) {
            throw failure(target.operation(), target.displayId(), KmsErrorKind.INVALID_KEY,
                    "the public key of %s could not be read: %s".formatted(key.getId(), ex.getMessage()));
        }
        ResolvedKey recorded = this.resolvedKeys.putIfAbsent(reference, resolved);
        if (recorded != null) {
            return recorded;
        }
        logger.info("Azure Key Vault key %s resolved to %s (%s)".formatted(reference, resolved.keyIdentifier(),
                resolved.describe()));
        return resolved;
    }

    /**
     * Resolves the key version that encrypted, whatever version is current or pinned now. The configured key is
     * resolved first, so a missing key stays INVALID_KEY, and its version is reused when it matches. A version
     * that the vault does not have means the ciphertext was changed or made with another key.
     */
    private ResolvedKey resolveVersion(Target named, Target versioned) {
        ResolvedKey configured = resolve(named);
        if (versionOf(configured).equals(versioned.reference().version())) {
            return configured;
        }
        try {
            return resolve(versioned);
        }
        catch (KmsException ex) {
            if (ex.getKind() != KmsErrorKind.INVALID_KEY) {
                throw ex;
            }
            throw new KmsException(KmsProviderName.AZURE_KV, KmsOperations.DECRYPT, named.displayId(),
                    KmsErrorKind.INVALID_CIPHERTEXT, "ciphertext names key version %s of %s, which could not be used: %s"
                        .formatted(versioned.reference().version(), named.reference().name(), ex.getMessage()),
                    ex);
        }
    }

    private static String versionOf(ResolvedKey key) {
        String identifier = key.keyIdentifier();
        return identifier.substring(identifier.lastIndexOf('/') + 1);
    }

    private static ResolvedKey requireRsa(ResolvedKey key, Target target) {
        if (!key.isRsa()) {
            throw failure(target.operation(), target.displayId(), KmsErrorKind.INVALID_KEY,
                    "key %s is a %s key, but encryption needs an RSA key (RSA-OAEP); set security.kms.key-id to an RSA key"
                        .formatted(key.keyIdentifier(), key.describe()));
        }
        return key;
    }

    private static ResolvedKey requireP256(ResolvedKey key, Target target) {
        if (!key.isP256()) {
            throw failure(target.operation(), target.displayId(), KmsErrorKind.INVALID_KEY,
                    "key %s is a %s key, but signing needs an EC key on curve P-256 (ES256); set security.kms.signing-key-id to such a key"
                        .formatted(key.keyIdentifier(), key.describe()));
        }
        return key;
    }

    private <T> T call(String operation, Target target, Supplier<T> action) {
        try {
            return action.get();
        }
        catch (RuntimeException ex) {
            throw this.errors.classify(ex, operation, target.displayId());
        }
    }

    private static void requireInput(String operation, String keyId, byte[] value, String name) {
        if (value == null) {
            throw failure(operation, keyId, KmsErrorKind.INVALID_INPUT, name + " is missing (null)");
        }
    }

    private static KmsException failure(String operation, String keyId, KmsErrorKind kind, String detail) {
        return new KmsException(KmsProviderName.AZURE_KV, operation, keyId, kind, detail);
    }

    /**
     * The key an operation uses, with the id shown in errors: the caller's id, or the configured key for a default
     * id.
     */
    private record Target(String operation, KeyReference reference, String displayId) {
    }
}
