package io.lango.kms.testsupport.azure;

/**
 * Error response of the Key Vault REST API: an HTTP status and the body
 * {@code {"error":{"code":...,"message":...,"innererror":{"code":...}}}}.
 */
final class KeyVaultError extends RuntimeException {

    private final int status;

    private final String code;

    private final String innerCode;

    KeyVaultError(int status, String code, String innerCode, String message) {
        super(message);
        this.status = status;
        this.code = code;
        this.innerCode = innerCode;
    }

    static KeyVaultError badParameter(String message) {
        return new KeyVaultError(400, "BadParameter", null, message);
    }

    static KeyVaultError keyNotFound(String name, String version) {
        String id = version.isEmpty() ? name : name + "/" + version;
        return new KeyVaultError(404, "KeyNotFound", null,
                "A key with (name/id) %s was not found in this key vault.".formatted(id));
    }

    int status() {
        return this.status;
    }

    String code() {
        return this.code;
    }

    /** Returns the inner error code, for example {@code KeyDisabled}, or null when the body has none. */
    String innerCode() {
        return this.innerCode;
    }
}
