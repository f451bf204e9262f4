package io.lango.kms.envelope;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import javax.crypto.spec.SecretKeySpec;

import io.lango.kms.KmsProviderName;

/**
 * Encrypt-side cache that reuses one wrapped data key per provider and key id, within a maximum age, number of
 * messages and number of bytes.
 *
 * <p>Callers receive a copy of the key as a {@link SecretKeySpec}, so a key retired by one thread can be zeroed
 * at once while another thread still encrypts with its copy.
 */
final class DataKeyCache implements AutoCloseable {

    private final Duration maxAge;

    private final long maxMessages;

    private final long maxBytes;

    private final Clock clock;

    private final Map<CacheKey, Entry> entries = new HashMap<>();

    DataKeyCache(Duration maxAge, long maxMessages, long maxBytes, Clock clock) {
        this.maxAge = maxAge;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    /**
     * Returns a copy of the cached data key for one more message of {@code plaintextBytes}, or a new key from
     * {@code wrapNewKey} when the cached one would pass a limit. The KMS call runs outside the lock, so an outage
     * does not queue every encrypt behind one wrap call.
     */
    Lease acquire(KmsProviderName provider, String keyId, long plaintextBytes, Supplier<DataKey> wrapNewKey) {
        if (plaintextBytes > this.maxBytes) {
            // A single message larger than max-bytes gets its own key and leaves the cached key in place.
            DataKey single = wrapNewKey.get();
            DataKey copy = single.copy();
            single.zero();
            return new Lease(copy, false);
        }
        CacheKey cacheKey = new CacheKey(provider, keyId);
        DataKey cached = takeCached(cacheKey, plaintextBytes);
        if (cached != null) {
            return new Lease(cached, true);
        }
        DataKey fresh = wrapNewKey.get();
        DataKey copy = fresh.copy();
        if (!store(cacheKey, fresh, plaintextBytes)) {
            fresh.zero();
        }
        return new Lease(copy, false);
    }

    private synchronized DataKey takeCached(CacheKey cacheKey, long plaintextBytes) {
        Entry entry = this.entries.get(cacheKey);
        if (entry == null) {
            return null;
        }
        if (entry.accepts(plaintextBytes, this.clock.instant())) {
            entry.record(plaintextBytes);
            return entry.dataKey.copy();
        }
        entry.dataKey.zero();
        this.entries.remove(cacheKey);
        return null;
    }

    private synchronized boolean store(CacheKey cacheKey, DataKey dataKey, long plaintextBytes) {
        Entry fresh = new Entry(dataKey, this.clock.instant());
        if (!fresh.accepts(plaintextBytes, fresh.created)) {
            return false;
        }
        fresh.record(plaintextBytes);
        Entry replaced = this.entries.put(cacheKey, fresh);
        if (replaced != null) {
            replaced.dataKey.zero();
        }
        return true;
    }

    /**
     * Zeroes and drops every cached key.
     */
    @Override
    public synchronized void close() {
        this.entries.values().forEach((entry) -> entry.dataKey.zero());
        this.entries.clear();
    }

    private record CacheKey(KmsProviderName provider, String keyId) {
    }

    /**
     * Data key handed to one encrypt: a private copy of the key bytes and the wrapped key.
     *
     * @param dataKey the copy, owned by the caller
     * @param cached whether the cache served it without a KMS call
     */
    record Lease(DataKey dataKey, boolean cached) {
    }

    private final class Entry {

        private final DataKey dataKey;

        private final Instant created;

        private long messages;

        private long bytes;

        Entry(DataKey dataKey, Instant created) {
            this.dataKey = dataKey;
            this.created = created;
        }

        boolean accepts(long plaintextBytes, Instant now) {
            return now.isBefore(this.created.plus(DataKeyCache.this.maxAge))
                    && this.messages + 1 <= DataKeyCache.this.maxMessages
                    && this.bytes + plaintextBytes <= DataKeyCache.this.maxBytes;
        }

        void record(long plaintextBytes) {
            this.messages++;
            this.bytes += plaintextBytes;
        }
    }

    /**
     * Plaintext data key bytes and their wrapped form.
     */
    record DataKey(byte[] key, byte[] wrapped) {

        SecretKeySpec secretKey() {
            return new SecretKeySpec(this.key, "AES");
        }

        DataKey copy() {
            return new DataKey(this.key.clone(), this.wrapped);
        }

        void zero() {
            Arrays.fill(this.key, (byte) 0);
        }
    }
}
