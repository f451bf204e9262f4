package io.lango.kms.composite;

import java.security.PublicKey;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.lango.kms.ConnectionChecker;
import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.autoconfigure.KmsProperties.KeyType;
import io.lango.kms.envelope.EnvelopeEncryptor;
import io.lango.kms.envelope.EnvelopeFormat;
import io.lango.kms.envelope.EnvelopeStatistics;
import io.lango.kms.registry.KeyRegistry;

/**
 * {@link CryptoProvider} that serves from a primary KMS and, while it is unreachable, encrypts and signs with a
 * local fallback.
 *
 * <p>It falls back only when the primary is unreachable: the connection checker reports it down, or an operation
 * fails with {@link KmsErrorKind#UNAVAILABLE}. Access denied, disabled or invalid keys are rethrown, so a revoked
 * key is never bypassed. Every ciphertext starts with a header naming the provider that made it (an
 * {@link EnvelopeFormat} header in envelope mode, else a {@link CiphertextHeader}), and decrypt always goes to that
 * provider. Names from the {@link KeyRegistry} are translated to their remote key
 * ids for the primary; the fallback uses the local key of the same name, or its default key for any other id.
 *
 * <p>Operations take no lock and run concurrently. {@link #close()} does not close the primary or the fallback:
 * their creator closes them.
 */
public final class CompositeCryptoProvider implements CryptoProvider {

    private static final Log logger = LogFactory.getLog(CompositeCryptoProvider.class);

    private final CryptoProvider primary;

    private final CryptoProvider fallback;

    private final ConnectionChecker connectionChecker;

    private final KeyRegistry keyRegistry;

    private final CompositeKeyIds keyIds;

    private final EnvelopeEncryptor envelope;

    private final boolean envelopeEncrypt;

    private final AtomicReference<KmsProviderName> lastServedBy = new AtomicReference<>();

    private final AtomicReference<KmsProviderName> servingProvider;

    private final AtomicLong fallbackOperations = new AtomicLong();

    private volatile boolean rejected;

    /**
     * Creates a composite that encrypts directly with the KMS; {@code fallback} is null when fallback to local keys
     * is disabled. It still decrypts envelope ciphertext.
     */
    public CompositeCryptoProvider(CryptoProvider primary, CryptoProvider fallback, ConnectionChecker connectionChecker,
            KeyRegistry keyRegistry) {
        this(primary, fallback, connectionChecker, keyRegistry, new EnvelopeEncryptor(new KmsProperties.Envelope()),
                false);
    }

    /**
     * Creates a composite; with {@code envelopeEncrypt}, encrypt seals payloads with {@code envelope} and the KMS
     * only wraps data keys. Decrypt reads both formats either way.
     */
    public CompositeCryptoProvider(CryptoProvider primary, CryptoProvider fallback, ConnectionChecker connectionChecker,
            KeyRegistry keyRegistry, EnvelopeEncryptor envelope, boolean envelopeEncrypt) {
        this.primary = Objects.requireNonNull(primary, "primary");
        this.fallback = fallback;
        this.connectionChecker = Objects.requireNonNull(connectionChecker, "connectionChecker");
        this.keyRegistry = Objects.requireNonNull(keyRegistry, "keyRegistry");
        this.keyIds = new CompositeKeyIds(primary.providerName(), keyRegistry);
        this.envelope = Objects.requireNonNull(envelope, "envelope");
        this.envelopeEncrypt = envelopeEncrypt;
        this.servingProvider = new AtomicReference<>(primary.providerName());
    }

    @Override
    public byte[] encrypt(String keyId, byte[] plaintext) {
        return encrypt(keyId, plaintext, null);
    }

    @Override
    public byte[] encrypt(String keyId, byte[] plaintext, byte[] aad) {
        if (this.envelopeEncrypt) {
            return withFallback(KmsOperations.ENCRYPT, keyId, KeyType.ENCRYPTION,
                    () -> this.envelope.encrypt(this.primary, this.keyIds.primaryKeyId(keyId, KeyType.ENCRYPTION),
                            plaintext, aad),
                    () -> this.envelope.encrypt(this.fallback, this.keyIds.localKeyId(keyId, KeyType.ENCRYPTION),
                            plaintext, aad));
        }
        requireNoAssociatedData(KmsOperations.ENCRYPT, keyId, aad);
        return withFallback(KmsOperations.ENCRYPT, keyId, KeyType.ENCRYPTION,
                () -> CiphertextHeader.prepend(this.primary.providerName(),
                        this.primary.encrypt(this.keyIds.primaryKeyId(keyId, KeyType.ENCRYPTION), plaintext)),
                () -> CiphertextHeader.prepend(this.fallback.providerName(),
                        this.fallback.encrypt(this.keyIds.localKeyId(keyId, KeyType.ENCRYPTION), plaintext)));
    }

    @Override
    public byte[] decrypt(String keyId, byte[] ciphertext) {
        return decrypt(keyId, ciphertext, null);
    }

    @Override
    public byte[] decrypt(String keyId, byte[] ciphertext, byte[] aad) {
        if (EnvelopeFormat.isEnvelope(ciphertext)) {
            return decryptEnvelope(keyId, ciphertext, aad);
        }
        requireNoAssociatedData(KmsOperations.DECRYPT, keyId, aad);
        KmsProviderName producer = CiphertextHeader.provider(this.primary.providerName(), keyId, ciphertext);
        byte[] body = CiphertextHeader.body(ciphertext);
        if (body.length == 0) {
            throw new KmsException(producer, KmsOperations.DECRYPT, keyId, KmsErrorKind.INVALID_CIPHERTEXT,
                    "ciphertext is only the %d-byte header, with nothing after it; it is truncated"
                        .formatted(CiphertextHeader.LENGTH));
        }
        if (producer == this.primary.providerName()) {
            return decryptWithPrimary(keyId, body);
        }
        if (this.fallback != null && producer == this.fallback.providerName()) {
            String localKeyId = this.keyIds.localKeyId(keyId, KeyType.ENCRYPTION);
            if (localKeyId == null) {
                throw new KmsException(producer, KmsOperations.DECRYPT, keyId, KmsErrorKind.INVALID_CIPHERTEXT,
                        "ciphertext was made by the local fallback under another key; pass the key id used to encrypt");
            }
            byte[] plaintext = this.fallback.decrypt(localKeyId, body);
            this.lastServedBy.set(this.fallback.providerName());
            return plaintext;
        }
        throw unconfiguredProducer(keyId, producer);
    }

    /**
     * Returns the counts of KMS calls made and saved by envelope encryption.
     */
    public EnvelopeStatistics envelopeStatistics() {
        return this.envelope.statistics();
    }

    /**
     * Returns whether encrypt uses envelope encryption.
     */
    public boolean isEnvelopeEnabled() {
        return this.envelopeEncrypt;
    }

    private byte[] decryptEnvelope(String keyId, byte[] ciphertext, byte[] aad) {
        EnvelopeFormat.EnvelopeCiphertext parsed = EnvelopeFormat.parse(ciphertext, this.primary.providerName(),
                keyId);
        KmsProviderName producer = parsed.provider();
        EnvelopeEncryptor.DataKeyUnwrapper unwrapper;
        if (producer == this.primary.providerName()) {
            unwrapper = (wrapKeyId, wrappedKey) -> {
                failFastWhenPrimaryDown(keyId);
                return this.primary.decrypt(wrapKeyId, wrappedKey);
            };
        }
        else if (this.fallback != null && producer == this.fallback.providerName()) {
            unwrapper = this.fallback::decrypt;
        }
        else {
            throw unconfiguredProducer(keyId, producer);
        }
        requireSameKey(keyId, parsed, producer);
        byte[] plaintext = this.envelope.decrypt(parsed, unwrapper, aad, keyId);
        this.lastServedBy.set(producer);
        return plaintext;
    }

    /**
     * Rejects decrypt under another key than the one that wrapped the data key, so a caller cannot read another
     * tenant's data by passing its own key id.
     */
    private void requireSameKey(String keyId, EnvelopeFormat.EnvelopeCiphertext parsed, KmsProviderName producer) {
        String expected = (producer == this.primary.providerName())
                ? this.keyIds.primaryKeyId(keyId, KeyType.ENCRYPTION)
                : this.keyIds.localKeyId(keyId, KeyType.ENCRYPTION);
        if (!Objects.equals(expected, parsed.keyId())) {
            throw new KmsException(producer, KmsOperations.DECRYPT, keyId, KmsErrorKind.INVALID_CIPHERTEXT,
                    "ciphertext was encrypted under key '%s', not under the key that decrypt was called with; pass the key id used to encrypt"
                        .formatted(parsed.keyId()));
        }
    }

    private KmsException unconfiguredProducer(String keyId, KmsProviderName producer) {
        return new KmsException(this.primary.providerName(), KmsOperations.DECRYPT, keyId,
                KmsErrorKind.INVALID_CIPHERTEXT,
                "ciphertext was made by provider '%s', which this application is not configured to use; set security.kms.provider=%s to decrypt it"
                    .formatted(producer.configName(), producer.configName()));
    }

    private void requireNoAssociatedData(String operation, String keyId, byte[] aad) {
        if (aad != null && aad.length > 0) {
            throw new KmsException(this.primary.providerName(), operation, keyId, KmsErrorKind.INVALID_INPUT,
                    "associated data needs envelope encryption; set security.kms.envelope.enabled=true");
        }
    }

    @Override
    public byte[] sign(String keyId, byte[] payload) {
        return withFallback(KmsOperations.SIGN, keyId, KeyType.SIGNING,
                () -> this.primary.sign(this.keyIds.primaryKeyId(keyId, KeyType.SIGNING), payload),
                () -> this.fallback.sign(this.keyIds.localKeyId(keyId, KeyType.SIGNING), payload));
    }

    /**
     * Verifies with the primary and, when fallback is enabled, with the local key of the same name, because the
     * fallback signs with that key while the primary is unreachable. So a signature that this composite made
     * verifies here during and after an outage, but only the fallback's public key verifies it elsewhere. When the
     * primary is unreachable and the fallback's key does not match, the primary's {@code UNAVAILABLE} error is
     * rethrown, because the signature cannot be checked.
     */
    @Override
    public boolean verify(String keyId, byte[] payload, byte[] signature) {
        boolean valid;
        try {
            valid = this.primary.verify(this.keyIds.primaryKeyId(keyId, KeyType.SIGNING), payload, signature);
        }
        catch (KmsException ex) {
            if (!canFallBack(ex) || !verifyWithFallback(keyId, payload, signature)) {
                throw ex;
            }
            return true;
        }
        if (valid) {
            this.lastServedBy.set(this.primary.providerName());
            return true;
        }
        if (this.fallback != null && verifyWithFallback(keyId, payload, signature)) {
            return true;
        }
        this.lastServedBy.set(this.primary.providerName());
        return false;
    }

    private boolean verifyWithFallback(String keyId, byte[] payload, byte[] signature) {
        String localKeyId = this.keyIds.localKeyId(keyId, KeyType.SIGNING);
        if (localKeyId == null) {
            return false;
        }
        boolean valid = this.fallback.verify(localKeyId, payload, signature);
        if (valid) {
            this.lastServedBy.set(this.fallback.providerName());
        }
        return valid;
    }

    /**
     * Returns the primary's public key; it never returns the fallback's key, so a caller cannot pin the wrong key.
     */
    @Override
    public PublicKey publicKey(String keyId) {
        return this.primary.publicKey(this.keyIds.primaryKeyId(keyId, KeyType.SIGNING));
    }

    @Override
    public KmsProviderName providerName() {
        return this.primary.providerName();
    }

    /**
     * Returns the provider that served the last successful operation, or null before the first one.
     */
    public KmsProviderName lastServedBy() {
        return this.lastServedBy.get();
    }

    /**
     * Returns how many operations the fallback has served since start-up.
     */
    public long fallbackOperationCount() {
        return this.fallbackOperations.get();
    }

    /**
     * Returns whether fallback to local keys is enabled.
     */
    public boolean isFallbackEnabled() {
        return this.fallback != null;
    }

    private <T> T withFallback(String operation, String keyId, KeyType type, Supplier<T> primaryCall,
            Supplier<T> fallbackCall) {
        boolean localCounterpart = this.keyIds.localKeyId(keyId, type) != null;
        if (localCounterpart && this.fallback != null && !this.rejected && this.connectionChecker.isUnreachable()) {
            return runFallback(operation, keyId, "the health check found it unreachable", fallbackCall);
        }
        try {
            T result = primaryCall.get();
            markServed(this.primary.providerName(), operation, keyId, null);
            return result;
        }
        catch (KmsException ex) {
            recordRejection(ex);
            if (!localCounterpart || !canFallBack(ex)) {
                throw ex;
            }
            return runFallback(operation, keyId, ex.getMessage(), fallbackCall);
        }
    }

    /**
     * Remembers that the KMS rejected a request (access denied, disabled key), because an outage that follows must
     * not bypass the rejection through the fallback. The next success clears it.
     */
    private void recordRejection(KmsException ex) {
        if (ex.getKind() == KmsErrorKind.ACCESS_DENIED || ex.getKind() == KmsErrorKind.KEY_DISABLED) {
            this.rejected = true;
        }
    }

    private <T> T runFallback(String operation, String keyId, String reason, Supplier<T> fallbackCall) {
        T result = fallbackCall.get();
        this.fallbackOperations.incrementAndGet();
        markServed(this.fallback.providerName(), operation, keyId, reason);
        return result;
    }

    private byte[] decryptWithPrimary(String keyId, byte[] body) {
        failFastWhenPrimaryDown(keyId);
        byte[] plaintext = this.primary.decrypt(this.keyIds.primaryKeyId(keyId, KeyType.ENCRYPTION), body);
        this.lastServedBy.set(this.primary.providerName());
        return plaintext;
    }

    /** Failing fast keeps callers from waiting for retries that the health check reports cannot succeed. */
    private void failFastWhenPrimaryDown(String keyId) {
        if (this.fallback != null && this.connectionChecker.isUnreachable()) {
            throw new KmsException(this.primary.providerName(), KmsOperations.DECRYPT, keyId,
                    KmsErrorKind.UNAVAILABLE,
                    "ciphertext was made by %s, which is unreachable; local keys cannot decrypt it, so retry when %s is back"
                        .formatted(this.primary.providerName().configName(), this.primary.providerName().configName()));
        }
    }

    private boolean canFallBack(KmsException ex) {
        return this.fallback != null && !this.rejected && ex.getKind() == KmsErrorKind.UNAVAILABLE;
    }

    /** Logs a switch between primary and fallback once, at WARN, instead of on every operation. */
    private void markServed(KmsProviderName provider, String operation, String keyId, String reason) {
        this.lastServedBy.set(provider);
        if (provider == this.primary.providerName()) {
            this.rejected = false;
        }
        KmsProviderName previous = this.servingProvider.getAndSet(provider);
        if (previous == provider) {
            return;
        }
        if (provider == this.primary.providerName()) {
            logger.warn("KMS %s is reachable again; encrypt and sign use it from now on (first: %s, key=%s)"
                .formatted(provider.configName(), operation, keyId));
        }
        else {
            logger.warn("KMS %s is unreachable, so encrypt and sign fall back to local keys (first: %s, key=%s): %s"
                .formatted(this.primary.providerName().configName(), operation, keyId, reason));
        }
    }
}
