package io.lango.kms.envelope;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.lango.kms.KmsProviderName;

import static org.assertj.core.api.Assertions.assertThat;

class DataKeyCacheTest {

    private final List<DataKeyCache.DataKey> wrapped = new ArrayList<>();

    @Test
    void maxMessagesRetiresAndZeroesKey() {
        DataKeyCache cache = new DataKeyCache(Duration.ofMinutes(5), 2, 1_000, Clock.systemUTC());

        DataKeyCache.Lease first = cache.acquire(KmsProviderName.LOCAL, "", 1, this::wrap);
        DataKeyCache.Lease second = cache.acquire(KmsProviderName.LOCAL, "", 1, this::wrap);
        DataKeyCache.Lease third = cache.acquire(KmsProviderName.LOCAL, "", 1, this::wrap);

        assertThat(first.cached()).isFalse();
        assertThat(second.cached()).isTrue();
        assertThat(third.cached()).isFalse();
        assertThat(this.wrapped).hasSize(2);
        assertThat(this.wrapped.get(0).key()).containsOnly(0);
        assertThat(second.dataKey().key()).as("copy handed to the caller stays intact").containsOnly(7);
    }

    @Test
    void maxAgeRetiresKey() {
        MutableClock clock = new MutableClock();
        DataKeyCache cache = new DataKeyCache(Duration.ofSeconds(10), 100, 1_000, clock);

        cache.acquire(KmsProviderName.LOCAL, "", 1, this::wrap);
        clock.now = clock.now.plusSeconds(10);
        DataKeyCache.Lease expired = cache.acquire(KmsProviderName.LOCAL, "", 1, this::wrap);

        assertThat(expired.cached()).isFalse();
        assertThat(this.wrapped).hasSize(2);
    }

    @Test
    void oversizedMessageKeepsCachedKey() {
        DataKeyCache cache = new DataKeyCache(Duration.ofMinutes(5), 100, 100, Clock.systemUTC());

        cache.acquire(KmsProviderName.LOCAL, "", 1, this::wrap);
        DataKeyCache.Lease oversized = cache.acquire(KmsProviderName.LOCAL, "", 150, this::wrap);
        DataKeyCache.Lease small = cache.acquire(KmsProviderName.LOCAL, "", 1, this::wrap);

        assertThat(oversized.cached()).isFalse();
        assertThat(small.cached()).isTrue();
        assertThat(this.wrapped).hasSize(2);
        assertThat(this.wrapped.get(1).key()).as("oversized message's own key is zeroed").containsOnly(0);
    }

    @Test
    void keysAreSeparatePerProviderAndKeyId() {
        DataKeyCache cache = new DataKeyCache(Duration.ofMinutes(5), 100, 1_000, Clock.systemUTC());

        cache.acquire(KmsProviderName.LOCAL, "a", 1, this::wrap);
        cache.acquire(KmsProviderName.LOCAL, "b", 1, this::wrap);
        cache.acquire(KmsProviderName.AWS_KMS, "a", 1, this::wrap);

        assertThat(this.wrapped).hasSize(3);
    }

    @Test
    void closeZeroesCachedKeys() {
        DataKeyCache cache = new DataKeyCache(Duration.ofMinutes(5), 100, 1_000, Clock.systemUTC());
        cache.acquire(KmsProviderName.LOCAL, "", 1, this::wrap);

        cache.close();

        assertThat(this.wrapped.get(0).key()).containsOnly(0);
    }

    @Test
    void unwrappedKeyCacheEvictsLeastRecentlyUsed() {
        UnwrappedKeyCache cache = new UnwrappedKeyCache(2, Duration.ofMinutes(5), Clock.systemUTC());
        cache.put(KmsProviderName.LOCAL, "", new byte[] { 1 }, new byte[] { 11 });
        cache.put(KmsProviderName.LOCAL, "", new byte[] { 2 }, new byte[] { 12 });
        cache.get(KmsProviderName.LOCAL, "", new byte[] { 1 });

        cache.put(KmsProviderName.LOCAL, "", new byte[] { 3 }, new byte[] { 13 });

        assertThat(cache.get(KmsProviderName.LOCAL, "", new byte[] { 1 })).containsExactly(11);
        assertThat(cache.get(KmsProviderName.LOCAL, "", new byte[] { 2 })).isNull();
        assertThat(cache.get(KmsProviderName.LOCAL, "", new byte[] { 3 })).containsExactly(13);
    }

    @Test
    void unwrappedKeyCacheExpiresEntries() {
        MutableClock clock = new MutableClock();
        UnwrappedKeyCache cache = new UnwrappedKeyCache(10, Duration.ofSeconds(10), clock);
        cache.put(KmsProviderName.LOCAL, "", new byte[] { 1 }, new byte[] { 11 });

        clock.now = clock.now.plusSeconds(10);

        assertThat(cache.get(KmsProviderName.LOCAL, "", new byte[] { 1 })).isNull();
    }

    private DataKeyCache.DataKey wrap() {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 7);
        DataKeyCache.DataKey dataKey = new DataKeyCache.DataKey(key, new byte[] { (byte) this.wrapped.size() });
        this.wrapped.add(dataKey);
        return dataKey;
    }

    private static final class MutableClock extends Clock {

        Instant now = Instant.parse("2026-12-04T10:00:00Z");

        @Override
        public Instant instant() {
            return this.now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
