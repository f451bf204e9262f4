package io.lango.kms.envelope;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.spec.SecretKeySpec;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.autoconfigure.KmsProperties;

/**
 * Envelope encryption: the payload is encrypted locally with AES-256-GCM under a fresh data key, and only the
 * 32-byte data key goes to the KMS to be wrapped, so any payload size works on every backend.
 *
 * <p>With caching enabled, a wrapped data key is reused within the configured limits and unwrapped data keys are
 * kept in a bounded cache. A cache hit skips the KMS call, so the KMS does not check access for that message;
 * the limits bound how long a revoked key can still be used this way.
 */
public final class EnvelopeEncryptor implements AutoCloseable {

    private final SecureRandom random = new SecureRandom();

    private final DataKeyCache dataKeyCache;

    private final UnwrappedKeyCache unwrappedKeyCache;

    private final AtomicLong wrapCalls = new AtomicLong();

    private final AtomicLong wrapCallsSaved = new AtomicLong();

    private final AtomicLong unwrapCalls = new AtomicLong();

    private final AtomicLong unwrapCallsSaved = new AtomicLong();

    /**
     * Creates an encryptor with the caches described by {@code settings}.
     */
    public EnvelopeEncryptor(KmsProperties.Envelope settings) {
        this(settings, Clock.systemUTC());
    }

    public EnvelopeEncryptor(KmsProperties.Envelope settings, Clock clock) {
        KmsProperties.Envelope.Cache cache = settings.getCache();
        if (cache.isEnabled()) {
            this.dataKeyCache = new DataKeyCache(cache.getMaxAge(), cache.getMaxMessages(),
                    cache.getMaxBytes().toBytes(), clock);
            this.unwrappedKeyCache = new UnwrappedKeyCache(cache.getDecryptCapacity(), cache.getMaxAge(), clock);
        }
        else {
            this.dataKeyCache = null;
            this.unwrappedKeyCache = null;
        }
    }

    /**
     * Encrypts {@code plaintext} under a data key wrapped by {@code wrapper} with {@code keyId}, authenticating
     * {@code aad}, and returns the envelope ciphertext.
     */
    public byte[] encrypt(CryptoProvider wrapper, String keyId, byte[] plaintext, byte[] aad) {
        Objects.requireNonNull(plaintext, "plaintext");
        String wrapKeyId = (keyId != null) ? keyId : "";
        DataKeyCache.DataKey dataKey = acquireDataKey(wrapper, wrapKeyId, plaintext.length);
        try {
            byte[] header = EnvelopeFormat.header(wrapper.providerName(), wrapKeyId, dataKey.wrapped());
            byte[] iv = new byte[EnvelopeFormat.IV_LENGTH];
            this.random.nextBytes(iv);
            return EnvelopeCipher.seal(dataKey.secretKey(), header, iv, plaintext, aad);
        }
        finally {
            dataKey.zero();
        }
    }

    /**
     * Decrypts parsed envelope ciphertext, unwrapping its data key with {@code unwrapper}, which must call the
     * provider named in the header; a cached data key skips that call.
     */
    public byte[] decrypt(EnvelopeFormat.EnvelopeCiphertext envelope, DataKeyUnwrapper unwrapper, byte[] aad,
            String callerKeyId) {
        byte[] key = unwrapDataKey(envelope, unwrapper, callerKeyId);
        try {
            return EnvelopeCipher.open(new SecretKeySpec(key, "AES"), envelope, aad, envelope.provider(),
                    callerKeyId);
        }
        finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * Unwraps a data key through the provider named in an envelope header.
     */
    @FunctionalInterface
    public interface DataKeyUnwrapper {

        /**
         * Returns the plaintext data key of {@code wrappedKey}, wrapped with {@code keyId}.
         */
        byte[] unwrap(String keyId, byte[] wrappedKey);
    }

    /**
     * Returns how many KMS wrap and unwrap calls were made and how many the caches saved.
     */
    public EnvelopeStatistics statistics() {
        return new EnvelopeStatistics(this.wrapCalls.get(), this.wrapCallsSaved.get(), this.unwrapCalls.get(),
                this.unwrapCallsSaved.get());
    }

    /**
     * Returns whether data keys are cached.
     */
    public boolean isCacheEnabled() {
        return this.dataKeyCache != null;
    }

    /**
     * Zeroes every cached data key.
     */
    @Override
    public void close() {
        if (this.dataKeyCache != null) {
            this.dataKeyCache.close();
            this.unwrappedKeyCache.close();
        }
    }

    private DataKeyCache.DataKey acquireDataKey(CryptoProvider wrapper, String keyId, int plaintextBytes) {
        if (this.dataKeyCache == null) {
            return wrapNewDataKey(wrapper, keyId);
        }
        DataKeyCache.Lease lease = this.dataKeyCache.acquire(wrapper.providerName(), keyId, plaintextBytes,
                () -> wrapNewDataKey(wrapper, keyId));
        if (lease.cached()) {
            this.wrapCallsSaved.incrementAndGet();
        }
        return lease.dataKey();
    }

    private DataKeyCache.DataKey wrapNewDataKey(CryptoProvider wrapper, String keyId) {
        byte[] key = new byte[EnvelopeFormat.DATA_KEY_LENGTH];
        this.random.nextBytes(key);
        try {
            byte[] wrapped = wrapper.encrypt(keyId, key);
            this.wrapCalls.incrementAndGet();
            return new DataKeyCache.DataKey(key, wrapped);
        }
        catch (RuntimeException ex) {
            Arrays.fill(key, (byte) 0);
            throw ex;
        }
    }

    private byte[] unwrapDataKey(EnvelopeFormat.EnvelopeCiphertext envelope, DataKeyUnwrapper unwrapper,
            String callerKeyId) {
        if (this.unwrappedKeyCache != null) {
            byte[] cached = this.unwrappedKeyCache.get(envelope.provider(), envelope.keyId(), envelope.wrappedKey());
            if (cached != null) {
                this.unwrapCallsSaved.incrementAndGet();
                return cached;
            }
        }
        byte[] key = unwrapper.unwrap(envelope.keyId(), envelope.wrappedKey());
        this.unwrapCalls.incrementAndGet();
        if (key.length != EnvelopeFormat.DATA_KEY_LENGTH) {
            Arrays.fill(key, (byte) 0);
            throw new KmsException(envelope.provider(), KmsOperations.DECRYPT, callerKeyId,
                    KmsErrorKind.INVALID_CIPHERTEXT, "unwrapped data key is %d bytes, expected %d; the wrapped key was changed"
                        .formatted(key.length, EnvelopeFormat.DATA_KEY_LENGTH));
        }
        if (this.unwrappedKeyCache != null) {
            this.unwrappedKeyCache.put(envelope.provider(), envelope.keyId(), envelope.wrappedKey(), key);
        }
        return key;
    }
}
