package io.lango.kms.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of the KMS backend, bound from {@code security.kms}.
 */
@ConfigurationProperties("security.kms")
public class KmsProperties {

    /**
     * Backend to use: local, aws-kms, gcp-kms, azure-kv or pkcs11.
     */
    private String provider = "local";

    /**
     * Cloud region of the KMS, for example eu-west-1; a key ARN's own region wins for that key.
     */
    private String region;

    /**
     * Default encryption key: an AWS key id, alias or ARN, a GCP CryptoKey name, an Azure key name, or a PKCS#11
     * label.
     */
    private String keyId;

    /**
     * Default signing key, when it differs from key-id (no cloud key both signs and encrypts).
     */
    private String signingKeyId;

    /**
     * Endpoint that overrides the backend's default, for example a VPC endpoint or a local stand-in.
     */
    private String endpoint;

    /**
     * Whether encrypt and sign fall back to the local key store while the KMS is unreachable. With a cloud or HSM
     * provider this needs local.key-store, so that data encrypted during an outage survives a restart.
     */
    private boolean fallbackToLocal = true;

    /**
     * Maximum time for one attempt of one operation, enforced through the SDK's own timeout.
     */
    private Duration timeoutPerOperation = Duration.ofSeconds(5);

    /**
     * Maximum number of retries after the first attempt, for unavailable, throttled and integrity errors only.
     */
    private int maxRetries = 3;

    /**
     * How long the result of a health probe is reused before the next probe.
     */
    private Duration healthCacheTtl = Duration.ofSeconds(30);

    /**
     * Azure Key Vault settings.
     */
    private final Azure azure = new Azure();

    /**
     * PKCS#11 HSM settings.
     */
    private final Pkcs11 pkcs11 = new Pkcs11();

    /**
     * Local key store settings, used by the local provider and the fallback.
     */
    private final Local local = new Local();

    /**
     * Envelope encryption settings.
     */
    private final Envelope envelope = new Envelope();

    /**
     * Named keys listed by the key registry, in addition to the default keys.
     */
    private List<KeyEntry> keys = new ArrayList<>();

    public String getProvider() {
        return this.provider;
    }

    public void setProvider(String provider) {
        this.provider = provider;
    }

    public String getRegion() {
        return this.region;
    }

    public void setRegion(String region) {
        this.region = region;
    }

    public String getKeyId() {
        return this.keyId;
    }

    public void setKeyId(String keyId) {
        this.keyId = keyId;
    }

    public String getSigningKeyId() {
        return this.signingKeyId;
    }

    public void setSigningKeyId(String signingKeyId) {
        this.signingKeyId = signingKeyId;
    }

    /**
     * Returns the signing key id, or the encryption key id when no separate signing key is configured.
     */
    public String getEffectiveSigningKeyId() {
        return (this.signingKeyId != null && !this.signingKeyId.isBlank()) ? this.signingKeyId : this.keyId;
    }

    public String getEndpoint() {
        return this.endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    public boolean isFallbackToLocal() {
        return this.fallbackToLocal;
    }

    public void setFallbackToLocal(boolean fallbackToLocal) {
        this.fallbackToLocal = fallbackToLocal;
    }

    public Duration getTimeoutPerOperation() {
        return this.timeoutPerOperation;
    }

    public void setTimeoutPerOperation(Duration timeoutPerOperation) {
        this.timeoutPerOperation = timeoutPerOperation;
    }

    public int getMaxRetries() {
        return this.maxRetries;
    }

    public void setMaxRetries(int maxRetries) {
        this.maxRetries = maxRetries;
    }

    public Duration getHealthCacheTtl() {
        return this.healthCacheTtl;
    }

    public void setHealthCacheTtl(Duration healthCacheTtl) {
        this.healthCacheTtl = healthCacheTtl;
    }

    public Azure getAzure() {
        return this.azure;
    }

    public Pkcs11 getPkcs11() {
        return this.pkcs11;
    }

    public Local getLocal() {
        return this.local;
    }

    public Envelope getEnvelope() {
        return this.envelope;
    }

    public List<KeyEntry> getKeys() {
        return this.keys;
    }

    public void setKeys(List<KeyEntry> keys) {
        this.keys = keys;
    }

    /**
     * Azure Key Vault settings.
     */
    public static class Azure {

        /**
         * Vault URL, for example https://my-vault.vault.azure.net; required when provider is azure-kv.
         */
        private String vaultUrl;

        /**
         * Version of key-id to pin; when empty, the current version is resolved once, on first use.
         */
        private String keyVersion;

        public String getVaultUrl() {
            return this.vaultUrl;
        }

        public void setVaultUrl(String vaultUrl) {
            this.vaultUrl = vaultUrl;
        }

        public String getKeyVersion() {
            return this.keyVersion;
        }

        public void setKeyVersion(String keyVersion) {
            this.keyVersion = keyVersion;
        }
    }

    /**
     * PKCS#11 HSM settings.
     */
    public static class Pkcs11 {

        /**
         * Path of the vendor's PKCS#11 module, for example /usr/lib/softhsm/libsofthsm2.so; required when provider
         * is pkcs11.
         */
        private String modulePath;

        /**
         * Slot id of the token; when empty, slot-list-index selects the slot.
         */
        private Long slotId;

        /**
         * Index into the module's list of slots, used when slot-id is empty.
         */
        private int slotListIndex = 0;

        /**
         * User PIN of the token; the LANGO_PKCS11_PIN environment variable takes priority.
         */
        private String pin;

        /**
         * Label (CKA_LABEL) of the default AES key.
         */
        private String keyLabel;

        /**
         * Label (CKA_LABEL) of the default EC signing key; defaults to signing-key-id, then key-label.
         */
        private String signingKeyLabel;

        public String getModulePath() {
            return this.modulePath;
        }

        public void setModulePath(String modulePath) {
            this.modulePath = modulePath;
        }

        public Long getSlotId() {
            return this.slotId;
        }

        public void setSlotId(Long slotId) {
            this.slotId = slotId;
        }

        public int getSlotListIndex() {
            return this.slotListIndex;
        }

        public void setSlotListIndex(int slotListIndex) {
            this.slotListIndex = slotListIndex;
        }

        public String getPin() {
            return this.pin;
        }

        public void setPin(String pin) {
            this.pin = pin;
        }

        public String getKeyLabel() {
            return this.keyLabel;
        }

        public void setKeyLabel(String keyLabel) {
            this.keyLabel = keyLabel;
        }

        public String getSigningKeyLabel() {
            return this.signingKeyLabel;
        }

        public void setSigningKeyLabel(String signingKeyLabel) {
            this.signingKeyLabel = signingKeyLabel;
        }
    }

    /**
     * Local key store settings.
     */
    public static class Local {

        /**
         * Path of the PKCS12 key store; created with owner-only permissions on first start. When empty, keys are
         * ephemeral and lost on restart.
         */
        private String keyStore;

        /**
         * Password of the key store; the LANGO_LOCAL_KEYSTORE_PASSWORD environment variable is used when empty.
         */
        private String keyStorePassword;

        public String getKeyStore() {
            return this.keyStore;
        }

        public void setKeyStore(String keyStore) {
            this.keyStore = keyStore;
        }

        public String getKeyStorePassword() {
            return this.keyStorePassword;
        }

        public void setKeyStorePassword(String keyStorePassword) {
            this.keyStorePassword = keyStorePassword;
        }
    }

    /**
     * Envelope encryption settings.
     */
    public static class Envelope {

        /**
         * Whether encrypt seals the payload locally under a fresh AES-256 data key and sends only the data key to
         * the KMS, so any payload size works. When false, encrypt calls the KMS directly and its size limit
         * applies.
         */
        private boolean enabled = true;

        /**
         * Data-key caching settings.
         */
        private final Cache cache = new Cache();

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Cache getCache() {
            return this.cache;
        }

        /**
         * Data-key caching settings.
         */
        public static class Cache {

            /**
             * Whether wrapped data keys are reused and unwrapped data keys are cached, saving KMS calls.
             */
            private boolean enabled = false;

            /**
             * Maximum age of a cached data key, for encrypt and decrypt.
             */
            private Duration maxAge = Duration.ofMinutes(5);

            /**
             * Maximum number of messages encrypted under one cached data key.
             */
            private long maxMessages = 1000;

            /**
             * Maximum number of plaintext bytes encrypted under one cached data key.
             */
            private DataSize maxBytes = DataSize.ofMegabytes(100);

            /**
             * Maximum number of unwrapped data keys kept for decrypt, least recently used evicted first.
             */
            private int decryptCapacity = 1000;

            public boolean isEnabled() {
                return this.enabled;
            }

            public void setEnabled(boolean enabled) {
                this.enabled = enabled;
            }

            public Duration getMaxAge() {
                return this.maxAge;
            }

            public void setMaxAge(Duration maxAge) {
                this.maxAge = maxAge;
            }

            public long getMaxMessages() {
                return this.maxMessages;
            }

            public void setMaxMessages(long maxMessages) {
                this.maxMessages = maxMessages;
            }

            public DataSize getMaxBytes() {
                return this.maxBytes;
            }

            public void setMaxBytes(DataSize maxBytes) {
                this.maxBytes = maxBytes;
            }

            public int getDecryptCapacity() {
                return this.decryptCapacity;
            }

            public void setDecryptCapacity(int decryptCapacity) {
                this.decryptCapacity = decryptCapacity;
            }
        }
    }

    /**
     * Named key listed by the key registry.
     */
    public static class KeyEntry {

        /**
         * Name that callers pass as the key id, for example orders.
         */
        private String name;

        /**
         * Purpose of the key: encryption or signing.
         */
        private KeyType type = KeyType.ENCRYPTION;

        /**
         * Id of the key in the backend (ARN, resource name, key name or label); the local provider ignores it.
         */
        private String remoteKeyId;

        public String getName() {
            return this.name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public KeyType getType() {
            return this.type;
        }

        public void setType(KeyType type) {
            this.type = type;
        }

        public String getRemoteKeyId() {
            return this.remoteKeyId;
        }

        public void setRemoteKeyId(String remoteKeyId) {
            this.remoteKeyId = remoteKeyId;
        }
    }

    /**
     * Purpose of a key.
     */
    public enum KeyType {

        /** Encrypts and decrypts. */
        ENCRYPTION,

        /** Signs and verifies. */
        SIGNING
    }
}
