package io.lango.kms.actuate;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.autoconfigure.KmsProperties.KeyType;
import io.lango.kms.local.LocalKeyStore;
import io.lango.kms.registry.KeyDescriptor;
import io.lango.kms.composite.CompositeCryptoProvider;
import io.lango.kms.registry.KeyRegistry;
import io.lango.kms.support.KmsHealthChecker;

/**
 * Status, key list and round-trip test behind the {@code kms} Actuator endpoint and the sample app's CLI.
 */
public class KmsDiagnostics {

    /** Length of the random plaintext of a round-trip test. */
    public static final int ROUND_TRIP_BYTES = 32;

    private final KmsProperties properties;

    private final CryptoProvider cryptoProvider;

    private final KmsHealthChecker healthChecker;

    private final KeyRegistry keyRegistry;

    private final SecureRandom random = new SecureRandom();

    public KmsDiagnostics(KmsProperties properties, CryptoProvider cryptoProvider, KmsHealthChecker healthChecker,
            KeyRegistry keyRegistry) {
        this.properties = Objects.requireNonNull(properties, "properties");
        this.cryptoProvider = Objects.requireNonNull(cryptoProvider, "cryptoProvider");
        this.healthChecker = Objects.requireNonNull(healthChecker, "healthChecker");
        this.keyRegistry = Objects.requireNonNull(keyRegistry, "keyRegistry");
    }

    /**
     * Returns the configuration and connection state, probing the KMS when the cached probe has expired.
     */
    public KmsStatus status() {
        KmsHealthChecker.ProbeResult probe = this.healthChecker.currentResult();
        CompositeCryptoProvider composite = (this.cryptoProvider instanceof CompositeCryptoProvider value) ? value
                : null;
        KmsProviderName servedBy = (composite != null) ? composite.lastServedBy() : null;
        return new KmsStatus(this.cryptoProvider.providerName().configName(), defaultKeyId(KeyType.ENCRYPTION),
                defaultKeyId(KeyType.SIGNING), this.properties.getRegion(),
                (composite != null) && composite.isFallbackEnabled(), probe.connected() ? "connected" : "disconnected",
                probe.time(), probe.error(), (servedBy != null) ? servedBy.configName() : null,
                (composite != null) ? composite.fallbackOperationCount() : 0);
    }

    /**
     * Returns the backend id of a default key as the registry resolved it (a PKCS#11 label, for example), or null
     * on the local provider, whose default keys have no backend id.
     */
    private String defaultKeyId(KeyType type) {
        if (this.cryptoProvider.providerName() == KmsProviderName.LOCAL) {
            return null;
        }
        return this.keyRegistry.find(LocalKeyStore.DEFAULT_KEY, type).map(KeyDescriptor::remoteKeyId).orElse(null);
    }

    /**
     * Returns the keys of the registry.
     */
    public KmsKeys keys() {
        return new KmsKeys(this.keyRegistry.keys());
    }

    /**
     * Encrypts and decrypts {@value #ROUND_TRIP_BYTES} random bytes with the default key and compares them.
     */
    public RoundTripResult roundTrip() {
        byte[] plaintext = new byte[ROUND_TRIP_BYTES];
        this.random.nextBytes(plaintext);
        long started = System.nanoTime();
        byte[] ciphertext;
        try {
            ciphertext = this.cryptoProvider.encrypt("", plaintext);
        }
        catch (KmsException ex) {
            return failed(0, elapsedMillis(started), 0, "encrypt failed: " + ex.getMessage());
        }
        long encryptMillis = elapsedMillis(started);
        long decryptStarted = System.nanoTime();
        try {
            byte[] decrypted = this.cryptoProvider.decrypt("", ciphertext);
            long decryptMillis = elapsedMillis(decryptStarted);
            if (!Arrays.equals(plaintext, decrypted)) {
                return failed(ciphertext.length, encryptMillis, decryptMillis,
                        "decrypted bytes differ from the plaintext");
            }
            return new RoundTripResult(RoundTripResult.PASS, servedBy(), ROUND_TRIP_BYTES, ciphertext.length,
                    encryptMillis, decryptMillis, null);
        }
        catch (KmsException ex) {
            return failed(ciphertext.length, encryptMillis, elapsedMillis(decryptStarted),
                    "decrypt failed: " + ex.getMessage());
        }
    }

    private RoundTripResult failed(int ciphertextBytes, long encryptMillis, long decryptMillis, String error) {
        return new RoundTripResult(RoundTripResult.FAIL, servedBy(), ROUND_TRIP_BYTES, ciphertextBytes, encryptMillis,
                decryptMillis, error);
    }

    private String servedBy() {
        if (this.cryptoProvider instanceof CompositeCryptoProvider composite && composite.lastServedBy() != null) {
            return composite.lastServedBy().configName();
        }
        return this.cryptoProvider.providerName().configName();
    }

    private static long elapsedMillis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
