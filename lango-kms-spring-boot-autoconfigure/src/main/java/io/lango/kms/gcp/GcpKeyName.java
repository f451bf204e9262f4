package io.lango.kms.gcp;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Full resource name of a Cloud KMS CryptoKey, optionally with a CryptoKeyVersion:
 * {@code projects/p/locations/l/keyRings/r/cryptoKeys/k[/cryptoKeyVersions/n]}.
 *
 * @param cryptoKey the CryptoKey name, without a version
 * @param version the version number, or null when the name has none
 */
record GcpKeyName(String cryptoKey, String version) {

    /** Example shown in error messages. */
    static final String CRYPTO_KEY_EXAMPLE = "projects/my-project/locations/global/keyRings/my-ring/cryptoKeys/my-key";

    /** Key ring and key ids are 1 to 63 letters, digits, '_' or '-' in Cloud KMS; versions are numbers. */
    private static final Pattern NAME = Pattern.compile("(projects/[^/\\s]+/locations/[^/\\s]+/keyRings/"
            + "[A-Za-z0-9_-]{1,63}/cryptoKeys/[A-Za-z0-9_-]{1,63})(?:/cryptoKeyVersions/([1-9][0-9]*))?");

    /**
     * Parses a full resource name, or returns empty when {@code name} is not one.
     */
    static Optional<GcpKeyName> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        Matcher matcher = NAME.matcher(name.trim());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new GcpKeyName(matcher.group(1), matcher.group(2)));
    }

    boolean hasVersion() {
        return this.version != null;
    }

    /**
     * Returns the resource name as Cloud KMS expects it in a request.
     */
    String name() {
        return hasVersion() ? this.cryptoKey + "/cryptoKeyVersions/" + this.version : this.cryptoKey;
    }

    /**
     * Returns true when a response's key version name belongs to this key: the same version, or any version of
     * this CryptoKey when the name has no version.
     */
    boolean matchesVersionName(String versionName) {
        if (hasVersion()) {
            return name().equals(versionName);
        }
        return parse(versionName).filter(GcpKeyName::hasVersion)
            .map((parsed) -> parsed.cryptoKey.equals(this.cryptoKey))
            .orElse(false);
    }

    @Override
    public String toString() {
        return name();
    }
}
