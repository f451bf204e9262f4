package io.lango.kms.azure;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Name and optional version of a Key Vault key, parsed from {@code name}, {@code name/version} or a full key
 * identifier {@code https://<vault>/keys/<name>[/<version>]}.
 *
 * @param name the key name
 * @param version the key version, or an empty string for the key's current version
 */
record KeyReference(String name, String version) {

    /** Key Vault key names are 1 to 127 letters, digits and dashes. */
    private static final Pattern NAME = Pattern.compile("[0-9a-zA-Z-]{1,127}");

    /**
     * Key Vault versions are 32 hexadecimal digits. The check accepts any letters and digits, so it rejects only ids
     * that cannot be a version path segment.
     */
    private static final Pattern VERSION = Pattern.compile("[0-9a-zA-Z]{1,64}");

    KeyReference {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
    }

    /**
     * Parses a key id for the vault at {@code vaultUri}.
     *
     * @throws IllegalArgumentException with a message naming what is wrong, when the id is malformed or names a
     * key in another vault
     */
    static KeyReference parse(String keyId, URI vaultUri) {
        String trimmed = keyId.trim();
        if (trimmed.regionMatches(true, 0, "https://", 0, 8) || trimmed.regionMatches(true, 0, "http://", 0, 7)) {
            return parseIdentifier(trimmed, vaultUri);
        }
        String[] parts = trimmed.split("/", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("'%s' is not a key name, name/version or key identifier URL"
                .formatted(keyId));
        }
        return of(parts[0], (parts.length == 2) ? parts[1] : "", keyId);
    }

    private static KeyReference parseIdentifier(String keyId, URI vaultUri) {
        URI uri;
        try {
            uri = new URI(keyId);
        }
        catch (URISyntaxException ex) {
            throw new IllegalArgumentException("'%s' is not a valid key identifier URL: %s".formatted(keyId,
                    ex.getMessage()));
        }
        if (!sameVault(uri, vaultUri)) {
            throw new IllegalArgumentException("key identifier '%s' names another vault than the configured %s"
                .formatted(keyId, vaultUri));
        }
        String path = (uri.getPath() != null) ? uri.getPath() : "";
        String[] parts = path.replaceFirst("^/", "").split("/", -1);
        if (parts.length < 2 || parts.length > 3 || !parts[0].equals("keys")) {
            throw new IllegalArgumentException("key identifier '%s' does not have the form %s/keys/<name>[/<version>]"
                .formatted(keyId, vaultUri));
        }
        return of(parts[1], (parts.length == 3) ? parts[2] : "", keyId);
    }

    private static KeyReference of(String name, String version, String keyId) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "'%s' is not a valid Key Vault key name: use 1 to 127 letters, digits and dashes (in '%s')"
                        .formatted(name, keyId));
        }
        if (!version.isEmpty() && !VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("'%s' is not a valid Key Vault key version (in '%s')"
                .formatted(version, keyId));
        }
        return new KeyReference(name, version);
    }

    /**
     * Checks a version given on its own, as in {@code security.kms.azure.key-version}.
     */
    static boolean isValidVersion(String version) {
        return VERSION.matcher(version).matches();
    }

    private static boolean sameVault(URI uri, URI vaultUri) {
        return "https".equalsIgnoreCase(uri.getScheme()) && vaultUri.getHost().equalsIgnoreCase(uri.getHost())
                && effectivePort(uri) == effectivePort(vaultUri);
    }

    private static int effectivePort(URI uri) {
        return (uri.getPort() != -1) ? uri.getPort() : 443;
    }

    boolean hasVersion() {
        return !this.version.isEmpty();
    }

    KeyReference withVersion(String version) {
        return new KeyReference(this.name, version);
    }

    /**
     * Returns {@code name} or {@code name/version}, the form used in messages and logs.
     */
    @Override
    public String toString() {
        return hasVersion() ? this.name + "/" + this.version : this.name;
    }
}
