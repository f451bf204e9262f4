package io.lango.kms.envelope;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import io.lango.kms.KmsProviderName;

/**
 * Decrypt-side least-recently-used cache of unwrapped data keys, keyed by provider, key id and wrapped key bytes,
 * with a time to live. Evicted and expired keys are zeroed.
 */
final class UnwrappedKeyCache implements AutoCloseable {

    private final int capacity;

    private final Duration timeToLive;

    private final Clock clock;

    private final LinkedHashMap<CacheKey, CachedKey> entries;

    UnwrappedKeyCache(int capacity, Duration timeToLive, Clock clock) {
        this.capacity = capacity;
        this.timeToLive = timeToLive;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {

            @Override
            protected boolean removeEldestEntry(Map.Entry<CacheKey, CachedKey> eldest) {
                if (size() <= UnwrappedKeyCache.this.capacity) {
                    return false;
                }
                Arrays.fill(eldest.getValue().key, (byte) 0);
                return true;
            }
        };
    }

    /**
     * Returns a copy of the cached key for the wrapped key, or null when it is absent or expired.
     */
    synchronized byte[] get(KmsProviderName provider, String keyId, byte[] wrappedKey) {
        CacheKey cacheKey = new CacheKey(provider, keyId, ByteBuffer.wrap(wrappedKey));
        CachedKey entry = this.entries.get(cacheKey);
        if (entry == null) {
            return null;
        }
        if (!this.clock.instant().isBefore(entry.created.plus(this.timeToLive))) {
            Arrays.fill(entry.key, (byte) 0);
            this.entries.remove(cacheKey);
            return null;
        }
        return entry.key.clone();
    }

    /**
     * Stores a copy of {@code key} for the wrapped key.
     */
    synchronized void put(KmsProviderName provider, String keyId, byte[] wrappedKey, byte[] key) {
        CacheKey cacheKey = new CacheKey(provider, keyId, ByteBuffer.wrap(wrappedKey.clone()));
        CachedKey previous = this.entries.put(cacheKey, new CachedKey(key.clone(), this.clock.instant()));
        if (previous != null) {
            Arrays.fill(previous.key, (byte) 0);
        }
    }

    @Override
    public synchronized void close() {
        this.entries.values().forEach((entry) -> Arrays.fill(entry.key, (byte) 0));
        this.entries.clear();
    }

    private record CacheKey(KmsProviderName provider, String keyId, ByteBuffer wrappedKey) {
    }

    private record CachedKey(byte[] key, Instant created) {
    }
}
