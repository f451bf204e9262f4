package io.lango.kms.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.lango.kms.KmsConfigurationException;
import io.lango.kms.autoconfigure.KmsProperties;

/**
 * Loads the local provider's keys from a PKCS12 key store, creating the file and any missing key on first use, or
 * makes ephemeral keys when no key store is configured.
 */
public final class LocalKeyStore {

    /** Name of the default encryption key and the default signing key. */
    public static final String DEFAULT_KEY = "default";

    /** Environment variable read when {@code security.kms.local.key-store-password} is empty. */
    public static final String PASSWORD_ENVIRONMENT_VARIABLE = "LANGO_LOCAL_KEYSTORE_PASSWORD";

    private static final String KEY_STORE_PROPERTY = "security.kms.local.key-store";

    private static final String PASSWORD_PROPERTY = "security.kms.local.key-store-password";

    private static final Log logger = LogFactory.getLog(LocalKeyStore.class);

    private LocalKeyStore() {
    }

    /**
     * Loads or creates the default keys and one key per entry of {@code security.kms.keys}.
     */
    public static LocalKeys load(KmsProperties properties, Function<String, String> environment) {
        Set<String> encryptionNames = keyNames(properties, KmsProperties.KeyType.ENCRYPTION);
        Set<String> signingNames = keyNames(properties, KmsProperties.KeyType.SIGNING);
        String location = properties.getLocal().getKeyStore();
        if (location == null || location.isBlank()) {
            logger.warn("No local key store is configured, so the local keys are ephemeral: data encrypted now "
                    + "cannot be decrypted after a restart. Set " + KEY_STORE_PROPERTY + " (and "
                    + PASSWORD_PROPERTY + " or " + PASSWORD_ENVIRONMENT_VARIABLE + ") to keep them.");
            return generate(encryptionNames, signingNames);
        }
        char[] password = password(properties, environment);
        return loadOrCreate(Path.of(location), password, encryptionNames, signingNames);
    }

    private static Set<String> keyNames(KmsProperties properties, KmsProperties.KeyType type) {
        Set<String> names = new LinkedHashSet<>();
        names.add(DEFAULT_KEY);
        for (KmsProperties.KeyEntry entry : properties.getKeys()) {
            if (entry.getType() == type && entry.getName() != null && !entry.getName().isBlank()) {
                names.add(entry.getName());
            }
        }
        return names;
    }

    private static char[] password(KmsProperties properties, Function<String, String> environment) {
        String configured = properties.getLocal().getKeyStorePassword();
        String password = (configured != null && !configured.isEmpty()) ? configured
                : environment.apply(PASSWORD_ENVIRONMENT_VARIABLE);
        if (password == null || password.isEmpty()) {
            throw new KmsConfigurationException(PASSWORD_PROPERTY,
                    "A password is required for the local key store " + properties.getLocal().getKeyStore() + ".",
                    "Set " + PASSWORD_PROPERTY + " or the environment variable " + PASSWORD_ENVIRONMENT_VARIABLE
                            + ".");
        }
        return password.toCharArray();
    }

    private static LocalKeys generate(Set<String> encryptionNames, Set<String> signingNames) {
        Map<String, SecretKey> encryptionKeys = new LinkedHashMap<>();
        Map<String, KeyPair> signingKeys = new LinkedHashMap<>();
        for (String name : encryptionNames) {
            encryptionKeys.put(name, newAesKey());
        }
        for (String name : signingNames) {
            signingKeys.put(name, newEcKeyPair());
        }
        return new LocalKeys(encryptionKeys, signingKeys, false);
    }

    private static LocalKeys loadOrCreate(Path file, char[] password, Set<String> encryptionNames,
            Set<String> signingNames) {
        KeyStore keyStore = open(file, password);
        KeyStore.PasswordProtection protection = new KeyStore.PasswordProtection(password);
        Map<String, SecretKey> encryptionKeys = new LinkedHashMap<>();
        Map<String, KeyPair> signingKeys = new LinkedHashMap<>();
        boolean changed = false;
        try {
            for (String name : encryptionNames) {
                changed |= loadOrAddSecretKey(keyStore, protection, name, encryptionKeys);
            }
            for (String name : signingNames) {
                changed |= loadOrAddKeyPair(keyStore, password, name, signingKeys);
            }
        }
        catch (GeneralSecurityException ex) {
            throw new KmsConfigurationException(KEY_STORE_PROPERTY,
                    "The local key store " + file + " contains an entry that could not be read: " + ex.getMessage(),
                    "Check that " + file + " was written by Lango KMS and that the password is right.", ex);
        }
        if (changed) {
            write(file, keyStore, password);
            logger.info("Stored new local keys in " + file);
        }
        return new LocalKeys(encryptionKeys, signingKeys, true);
    }

    private static KeyStore open(Path file, char[] password) {
        try {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            if (!Files.exists(file)) {
                keyStore.load(null, password);
                return keyStore;
            }
            warnIfAccessibleToOthers(file);
            try (InputStream in = Files.newInputStream(file)) {
                keyStore.load(in, password);
            }
            return keyStore;
        }
        catch (IOException | GeneralSecurityException ex) {
            throw new KmsConfigurationException(KEY_STORE_PROPERTY,
                    "The local key store " + file + " could not be opened: " + ex.getMessage(),
                    "Check that " + file + " is a PKCS12 file and that " + PASSWORD_PROPERTY + " (or "
                            + PASSWORD_ENVIRONMENT_VARIABLE + ") is its password.",
                    ex);
        }
    }

    /** Warns when the group or other users can access the key store, because it contains private keys. */
    private static void warnIfAccessibleToOthers(Path file) throws IOException {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        boolean shared = permissions.stream()
            .anyMatch((permission) -> !permission.name().startsWith("OWNER_"));
        if (shared) {
            logger.warn("The local key store " + file + " is accessible to other users ("
                    + PosixFilePermissions.toString(permissions) + "); restrict it to its owner, for example with: chmod 600 "
                    + file);
        }
    }

    private static boolean loadOrAddSecretKey(KeyStore keyStore, KeyStore.PasswordProtection protection, String name,
            Map<String, SecretKey> keys) throws GeneralSecurityException {
        String alias = alias("encryption", name);
        if (keyStore.getEntry(alias, protection) instanceof KeyStore.SecretKeyEntry entry) {
            keys.put(name, entry.getSecretKey());
            return false;
        }
        SecretKey key = newAesKey();
        keyStore.setEntry(alias, new KeyStore.SecretKeyEntry(key), protection);
        keys.put(name, key);
        return true;
    }

    private static boolean loadOrAddKeyPair(KeyStore keyStore, char[] password, String name,
            Map<String, KeyPair> keys) throws GeneralSecurityException {
        String alias = alias("signing", name);
        Key existing = keyStore.getKey(alias, password);
        Certificate certificate = keyStore.getCertificate(alias);
        if (existing instanceof PrivateKey privateKey && certificate != null) {
            keys.put(name, new KeyPair(certificate.getPublicKey(), privateKey));
            return false;
        }
        KeyPair keyPair = newEcKeyPair();
        Certificate[] chain = { SelfSignedCertificate.create(keyPair, "lango-kms-local " + name) };
        keyStore.setKeyEntry(alias, keyPair.getPrivate(), password, chain);
        keys.put(name, keyPair);
        return true;
    }

    /** PKCS12 aliases are case-insensitive, so names are lower-cased and prefixed with the key's purpose. */
    private static String alias(String purpose, String name) {
        return purpose + "." + name.toLowerCase(Locale.ROOT);
    }

    /**
     * Writes to a temporary owner-only file beside the target, then moves it into place, so a crash never leaves a
     * half-written key store.
     */
    private static void write(Path file, KeyStore keyStore, char[] password) {
        Path directory = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(directory);
            Path temporary = createOwnerOnlyFile(directory);
            try (OutputStream out = Files.newOutputStream(temporary)) {
                keyStore.store(out, password);
            }
            move(temporary, file);
        }
        catch (IOException | GeneralSecurityException ex) {
            throw new KmsConfigurationException(KEY_STORE_PROPERTY,
                    "The local key store " + file + " could not be written: " + ex.getMessage(),
                    "Make the directory " + directory + " writable by this process or choose another path.", ex);
        }
    }

    private static Path createOwnerOnlyFile(Path directory) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempFile(directory, ".lango-kms-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        return Files.createTempFile(directory, ".lango-kms-", ".tmp");
    }

    private static void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (AtomicMoveNotSupportedException ex) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static SecretKey newAesKey() {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256);
            return generator.generateKey();
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("AES-256 is not available in this JDK", ex);
        }
    }

    static KeyPair newEcKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("EC P-256 is not available in this JDK", ex);
        }
    }
}
