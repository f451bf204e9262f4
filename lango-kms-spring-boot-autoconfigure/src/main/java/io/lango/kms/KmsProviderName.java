package io.lango.kms;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Backends that {@code security.kms.provider} can select.
 */
public enum KmsProviderName {

    LOCAL("local", "local", (byte) 1),

    AWS_KMS("aws-kms", "aws", (byte) 2),

    GCP_KMS("gcp-kms", "gcp", (byte) 3),

    AZURE_KV("azure-kv", "azure", (byte) 4),

    PKCS11("pkcs11", "pkcs11", (byte) 5);

    private final String configName;

    private final String shortName;

    private final byte code;

    KmsProviderName(String configName, String shortName, byte code) {
        this.configName = configName;
        this.shortName = shortName;
        this.code = code;
    }

    /**
     * Returns the value of {@code security.kms.provider} that selects this backend, for example {@code aws-kms}.
     */
    public String configName() {
        return this.configName;
    }

    /**
     * Returns the short name used in error messages, for example {@code aws}.
     */
    public String shortName() {
        return this.shortName;
    }

    /**
     * Returns the byte that names this backend in a ciphertext header.
     */
    public byte code() {
        return this.code;
    }

    /**
     * Finds the backend whose configuration name is {@code name}, ignoring case and surrounding spaces.
     */
    public static Optional<KmsProviderName> fromConfigName(String name) {
        String normalized = (name != null) ? name.trim().toLowerCase(java.util.Locale.ROOT) : "";
        return Arrays.stream(values()).filter((value) -> value.configName.equals(normalized)).findFirst();
    }

    /**
     * Finds the backend whose ciphertext header code is {@code code}.
     */
    public static Optional<KmsProviderName> fromCode(byte code) {
        return Arrays.stream(values()).filter((value) -> value.code == code).findFirst();
    }

    /**
     * Returns every configuration name, in declaration order.
     */
    public static List<String> configNames() {
        return Arrays.stream(values()).map(KmsProviderName::configName).toList();
    }

    @Override
    public String toString() {
        return this.configName;
    }
}
