package io.lango.kms.gcp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class GcpKeyNameTests {

    private static final String CRYPTO_KEY = "projects/p-1/locations/global/keyRings/ring_1/cryptoKeys/key-1";

    @Test
    void parseCryptoKeyName() {
        GcpKeyName name = GcpKeyName.parse(CRYPTO_KEY).orElseThrow();

        assertThat(name.cryptoKey()).isEqualTo(CRYPTO_KEY);
        assertThat(name.hasVersion()).isFalse();
        assertThat(name.name()).isEqualTo(CRYPTO_KEY);
    }

    @Test
    void parseCryptoKeyVersionName() {
        GcpKeyName name = GcpKeyName.parse(CRYPTO_KEY + "/cryptoKeyVersions/12").orElseThrow();

        assertThat(name.cryptoKey()).isEqualTo(CRYPTO_KEY);
        assertThat(name.version()).isEqualTo("12");
        assertThat(name.name()).isEqualTo(CRYPTO_KEY + "/cryptoKeyVersions/12");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "my-key", "alias/app", "projects/p/locations/l/keyRings/r",
            "projects/p/locations/l/keyRings/r/cryptoKeys/", "projects/p/locations/l/keyRings/r/cryptoKeys/k/",
            "projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/",
            "projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/0",
            "projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/one",
            "//cloudkms.googleapis.com/projects/p/locations/l/keyRings/r/cryptoKeys/k" })
    void rejectNamesThatAreNotKeyNames(String value) {
        assertThat(GcpKeyName.parse(value)).isEmpty();
    }

    @Test
    void cryptoKeyMatchesAnyOfItsVersions() {
        GcpKeyName name = GcpKeyName.parse(CRYPTO_KEY).orElseThrow();

        assertThat(name.matchesVersionName(CRYPTO_KEY + "/cryptoKeyVersions/3")).isTrue();
        assertThat(name.matchesVersionName(CRYPTO_KEY)).isFalse();
        assertThat(name.matchesVersionName(CRYPTO_KEY + "-2/cryptoKeyVersions/3")).isFalse();
        assertThat(name.matchesVersionName("")).isFalse();
    }

    @Test
    void versionMatchesOnlyItself() {
        GcpKeyName name = GcpKeyName.parse(CRYPTO_KEY + "/cryptoKeyVersions/2").orElseThrow();

        assertThat(name.matchesVersionName(CRYPTO_KEY + "/cryptoKeyVersions/2")).isTrue();
        assertThat(name.matchesVersionName(CRYPTO_KEY + "/cryptoKeyVersions/3")).isFalse();
    }
}
