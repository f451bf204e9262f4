package io.lango.kms.testsupport.gcp;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;

import com.google.cloud.kms.v1.CryptoKey.CryptoKeyPurpose;

import io.grpc.Status;

/**
 * In-memory CryptoKeys of the stand-in: AES-256 versions for ENCRYPT_DECRYPT keys and ECDSA P-256 versions for
 * ASYMMETRIC_SIGN keys. Safe for concurrent use.
 */
final class GcpKmsKeys {

    /** Resource name of a CryptoKey, optionally followed by a version, with Cloud KMS's segment names. */
    private static final Pattern KEY_NAME = Pattern
        .compile("(projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+)(?:/cryptoKeyVersions/([0-9]+))?");

    private final ConcurrentMap<String, CryptoKey> cryptoKeys = new ConcurrentHashMap<>();

    /**
     * Creates an ENCRYPT_DECRYPT CryptoKey with one enabled primary version, or returns the existing one.
     */
    String createEncryptionKey(String cryptoKeyName) {
        CryptoKey key = create(cryptoKeyName, CryptoKeyPurpose.ENCRYPT_DECRYPT);
        return key.name;
    }

    /**
     * Creates an ASYMMETRIC_SIGN CryptoKey with one EC_SIGN_P256_SHA256 version, or returns the existing one, and
     * returns the name of its first version.
     */
    String createSigningKey(String cryptoKeyName) {
        CryptoKey key = create(cryptoKeyName, CryptoKeyPurpose.ASYMMETRIC_SIGN);
        return key.versions.get(0).name;
    }

    /**
     * Adds a version to a CryptoKey; for an ENCRYPT_DECRYPT key the new version becomes primary.
     */
    String addVersion(String cryptoKeyName) {
        CryptoKey key = cryptoKey(cryptoKeyName);
        Version version = key.addVersion();
        return version.name;
    }

    /**
     * Enables or disables a CryptoKeyVersion; a disabled version fails every operation with FAILED_PRECONDITION.
     */
    void setEnabled(String versionName, boolean enabled) {
        Matcher matcher = parse(versionName);
        if (matcher.group(2) == null) {
            throw new IllegalArgumentException("Not a CryptoKeyVersion name: " + versionName);
        }
        cryptoKey(matcher.group(1)).version(Integer.parseInt(matcher.group(2))).enabled = enabled;
    }

    /**
     * Finds the version an Encrypt request names: the version itself, or the primary version of a CryptoKey.
     */
    Version versionForEncrypt(String name) {
        Matcher matcher = parseRequestName(name);
        CryptoKey key = cryptoKeyForRequest(matcher.group(1), CryptoKeyPurpose.ENCRYPT_DECRYPT, "Encrypt");
        Version version = (matcher.group(2) != null) ? key.version(Integer.parseInt(matcher.group(2)))
                : key.primary();
        return requireEnabled(version);
    }

    /**
     * Finds the CryptoKey a Decrypt request names; Cloud KMS accepts only a CryptoKey name there.
     */
    CryptoKey cryptoKeyForDecrypt(String name) {
        Matcher matcher = parseRequestName(name);
        if (matcher.group(2) != null) {
            throw GcpKmsStatus.invalidArgument("name",
                    "Decrypt takes a CryptoKey name, but the request names a CryptoKeyVersion: " + name);
        }
        return cryptoKeyForRequest(matcher.group(1), CryptoKeyPurpose.ENCRYPT_DECRYPT, "Decrypt");
    }

    /**
     * Finds the enabled ASYMMETRIC_SIGN version an AsymmetricSign or GetPublicKey request names.
     */
    Version signingVersion(String name, String methodName) {
        Matcher matcher = parseRequestName(name);
        if (matcher.group(2) == null) {
            throw GcpKmsStatus.invalidArgument("name",
                    "%s takes a CryptoKeyVersion name, but the request names a CryptoKey: %s".formatted(methodName,
                            name));
        }
        CryptoKey key = cryptoKeyForRequest(matcher.group(1), CryptoKeyPurpose.ASYMMETRIC_SIGN, methodName);
        return requireEnabled(key.version(Integer.parseInt(matcher.group(2))));
    }

    private CryptoKey create(String cryptoKeyName, CryptoKeyPurpose purpose) {
        Matcher matcher = parse(cryptoKeyName);
        if (matcher.group(2) != null) {
            throw new IllegalArgumentException("Expected a CryptoKey name without a version: " + cryptoKeyName);
        }
        CryptoKey key = this.cryptoKeys.computeIfAbsent(cryptoKeyName, (name) -> new CryptoKey(name, purpose));
        if (key.purpose != purpose) {
            throw new IllegalArgumentException(
                    "CryptoKey %s already exists with purpose %s".formatted(cryptoKeyName, key.purpose));
        }
        return key;
    }

    private CryptoKey cryptoKey(String cryptoKeyName) {
        CryptoKey key = this.cryptoKeys.get(cryptoKeyName);
        if (key == null) {
            throw new IllegalArgumentException("No such CryptoKey in the stand-in: " + cryptoKeyName);
        }
        return key;
    }

    private CryptoKey cryptoKeyForRequest(String cryptoKeyName, CryptoKeyPurpose purpose, String methodName) {
        CryptoKey key = this.cryptoKeys.get(cryptoKeyName);
        if (key == null) {
            throw Status.NOT_FOUND.withDescription(cryptoKeyName + " not found.").asRuntimeException();
        }
        if (key.purpose != purpose) {
            throw GcpKmsStatus.invalidArgument("name", "%s is a %s key and does not support %s."
                .formatted(cryptoKeyName, key.purpose, methodName));
        }
        return key;
    }

    private static Version requireEnabled(Version version) {
        if (!version.enabled) {
            throw Status.FAILED_PRECONDITION
                .withDescription(version.name + " is not enabled, current state is: DISABLED.")
                .asRuntimeException();
        }
        return version;
    }

    private static Matcher parseRequestName(String name) {
        Matcher matcher = KEY_NAME.matcher(name);
        if (!matcher.matches()) {
            throw GcpKmsStatus.invalidArgument("name", "Resource name [%s] does not match any known pattern."
                .formatted(name));
        }
        return matcher;
    }

    private static Matcher parse(String name) {
        Matcher matcher = KEY_NAME.matcher(name);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("Not a Cloud KMS key name (projects/p/locations/l/keyRings/r/"
                    + "cryptoKeys/k[/cryptoKeyVersions/n]): " + name);
        }
        return matcher;
    }

    /**
     * One CryptoKey and its versions; version numbers start at 1 as in Cloud KMS.
     */
    static final class CryptoKey {

        final String name;

        final CryptoKeyPurpose purpose;

        private final List<Version> versions = new CopyOnWriteArrayList<>();

        private volatile Version primary;

        private CryptoKey(String name, CryptoKeyPurpose purpose) {
            this.name = name;
            this.purpose = purpose;
            addVersion();
        }

        private synchronized Version addVersion() {
            Version version = new Version(this, this.versions.size() + 1);
            this.versions.add(version);
            if (this.purpose == CryptoKeyPurpose.ENCRYPT_DECRYPT) {
                this.primary = version;
            }
            return version;
        }

        Version primary() {
            return this.primary;
        }

        Version version(int number) {
            if (number < 1 || number > this.versions.size()) {
                throw Status.NOT_FOUND.withDescription("%s/cryptoKeyVersions/%d not found.".formatted(this.name,
                        number)).asRuntimeException();
            }
            return this.versions.get(number - 1);
        }
    }

    /**
     * One CryptoKeyVersion with its key material.
     */
    static final class Version {

        final CryptoKey cryptoKey;

        final int number;

        final String name;

        final SecretKey secretKey;

        final KeyPair keyPair;

        volatile boolean enabled = true;

        private Version(CryptoKey cryptoKey, int number) {
            this.cryptoKey = cryptoKey;
            this.number = number;
            this.name = cryptoKey.name + "/cryptoKeyVersions/" + number;
            boolean symmetric = cryptoKey.purpose == CryptoKeyPurpose.ENCRYPT_DECRYPT;
            this.secretKey = symmetric ? generateAesKey() : null;
            this.keyPair = symmetric ? null : generateEcKeyPair();
        }

        private static SecretKey generateAesKey() {
            try {
                KeyGenerator generator = KeyGenerator.getInstance("AES");
                generator.init(256);
                return generator.generateKey();
            }
            catch (GeneralSecurityException ex) {
                throw new IllegalStateException("AES-256 is not available in this JVM", ex);
            }
        }

        private static KeyPair generateEcKeyPair() {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
                return generator.generateKeyPair();
            }
            catch (GeneralSecurityException ex) {
                throw new IllegalStateException("EC P-256 is not available in this JVM", ex);
            }
        }
    }
}
