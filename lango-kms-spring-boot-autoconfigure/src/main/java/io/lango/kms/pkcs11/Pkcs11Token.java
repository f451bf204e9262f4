package io.lango.kms.pkcs11;

import java.io.IOException;
import java.security.AlgorithmParameters;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.InvalidParameterException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.PublicKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.SecretKey;
import javax.security.auth.login.LoginException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.lango.kms.KmsConfigurationException;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;

/**
 * One SunPKCS11 provider instance logged in to one token, with its keys looked up by label through the PKCS11
 * {@link KeyStore}.
 *
 * <p>The instance gets a name unique in this JVM ({@code SunPKCS11-lango-kms-N}) and is added to the JCA provider
 * list, so that code which selects a provider by name or by key finds it. {@link #close()} removes it again.
 *
 * <p>PKCS#11 keeps one login state per token for the whole process: a {@code C_Logout} through any provider
 * instance logs out every session of this JVM on that token and invalidates the handles of private objects. So
 * {@link #close()} logs out only when no other open {@code Pkcs11Token} in this JVM uses the same module and slot,
 * and a lost login (another party logged out) is repaired by
 * {@link #recoverLogin(String, String, long)}.
 */
final class Pkcs11Token implements AutoCloseable {

    private static final Log logger = LogFactory.getLog(Pkcs11Token.class);

    private static final AtomicInteger instanceCounter = new AtomicInteger();

    /** Open tokens per module and slot in this JVM; guarded by itself. */
    private static final Map<String, Integer> openTokensPerSlot = new HashMap<>();

    private final Pkcs11Settings settings;

    private final AuthProvider provider;

    private final String slotKey;

    private final Object keyStoreLock = new Object();

    private final Map<String, SecretKey> secretKeys = new ConcurrentHashMap<>();

    private final Map<String, SigningKey> signingKeys = new ConcurrentHashMap<>();

    /** Loaded key store; guarded by {@link #keyStoreLock}. */
    private KeyStore keyStore;

    private volatile long loginGeneration;

    private volatile boolean closed;

    private Pkcs11Token(Pkcs11Settings settings, AuthProvider provider) {
        this.settings = settings;
        this.provider = provider;
        this.slotKey = settings.modulePath() + "#" + settings.slotDescription();
    }

    /**
     * Configures a SunPKCS11 instance for the settings' module and slot, logs in, and adds it to the JCA provider
     * list; throws a {@link KmsConfigurationException} for a module or slot that cannot be used and a
     * {@link KmsException} when the token or the login fails.
     */
    static Pkcs11Token open(Pkcs11Settings settings) {
        AuthProvider provider = configure(settings, "lango-kms-" + instanceCounter.incrementAndGet());
        Pkcs11Token token = new Pkcs11Token(settings, provider);
        synchronized (token.keyStoreLock) {
            token.keyStore = token.loadKeyStore(KmsOperations.START_UP);
        }
        Security.addProvider(provider);
        synchronized (openTokensPerSlot) {
            openTokensPerSlot.merge(token.slotKey, 1, Integer::sum);
        }
        return token;
    }

    /**
     * Returns the SunPKCS11 instance that every JCA call of this backend names.
     */
    Provider provider() {
        return this.provider;
    }

    /**
     * Returns a number that changes whenever {@link #recoverLogin(String, String, long)} logs in again.
     */
    long loginGeneration() {
        return this.loginGeneration;
    }

    /**
     * Returns the AES key with the label, or throws a {@link KmsException} of kind
     * {@link KmsErrorKind#INVALID_KEY} when there is none or it is not an AES secret key.
     */
    SecretKey secretKey(String operation, String label) {
        SecretKey cached = this.secretKeys.get(label);
        if (cached != null) {
            return cached;
        }
        synchronized (this.keyStoreLock) {
            Key key = findKey(operation, label);
            if (!(key instanceof SecretKey secretKey) || !"AES".equalsIgnoreCase(key.getAlgorithm())) {
                throw invalidKey(operation, label, "label '%s' names %s, not an AES secret key"
                    .formatted(label, describe(key)));
            }
            this.secretKeys.put(label, secretKey);
            return secretKey;
        }
    }

    /**
     * Returns the EC P-256 key pair with the label, whose public key comes from the certificate stored with the
     * private key, or throws a {@link KmsException} of kind {@link KmsErrorKind#INVALID_KEY}.
     */
    SigningKey signingKey(String operation, String label) {
        SigningKey cached = this.signingKeys.get(label);
        if (cached != null) {
            return cached;
        }
        synchronized (this.keyStoreLock) {
            Key key = findKey(operation, label);
            if (!(key instanceof PrivateKey privateKey) || !"EC".equalsIgnoreCase(key.getAlgorithm())) {
                throw invalidKey(operation, label, "label '%s' names %s, not an EC private key"
                    .formatted(label, describe(key)));
            }
            ECPublicKey publicKey = certificatePublicKey(operation, label);
            SigningKey signingKey = new SigningKey(privateKey, publicKey, tokenPublicKey(operation, label, publicKey));
            this.signingKeys.put(label, signingKey);
            return signingKey;
        }
    }

    /**
     * Logs in again and looks the keys up afresh, unless another thread already did so since
     * {@code observedGeneration}; call it after an operation failed because the login or a key handle was lost.
     */
    void recoverLogin(String operation, String label, long observedGeneration) {
        synchronized (this.keyStoreLock) {
            if (this.loginGeneration != observedGeneration || this.closed) {
                return;
            }
            logger.warn("PKCS#11 token %s lost its login or key handles; logging in again (operation %s, key %s)"
                .formatted(this.settings.slotDescription(), operation, label));
            this.secretKeys.clear();
            this.signingKeys.clear();
            this.keyStore = loadKeyStore(operation);
            this.loginGeneration++;
        }
    }

    /**
     * Logs out, which closes this instance's sessions, unless another open token of this JVM uses the same slot,
     * and removes the provider instance from the JCA provider list. Safe to call more than once.
     */
    @Override
    public void close() {
        synchronized (this.keyStoreLock) {
            if (this.closed) {
                return;
            }
            this.closed = true;
            this.secretKeys.clear();
            this.signingKeys.clear();
            this.keyStore = null;
        }
        try {
            if (releaseSlot()) {
                logout();
            }
            else {
                // NOTE: SunPKCS11 has no public method that closes its pooled sessions without a logout. Its cleaner
                // thread closes them once this instance is garbage collected.
                logger.info("Closed PKCS#11 provider %s without logging out, because another provider of this JVM "
                    .formatted(this.provider.getName()) + "still uses " + this.settings.slotDescription());
            }
        }
        finally {
            Security.removeProvider(this.provider.getName());
        }
    }

    private boolean releaseSlot() {
        synchronized (openTokensPerSlot) {
            int remaining = openTokensPerSlot.merge(this.slotKey, -1, Integer::sum);
            if (remaining <= 0) {
                openTokensPerSlot.remove(this.slotKey);
                return true;
            }
            return false;
        }
    }

    private void logout() {
        try {
            // destroyTokenAfterLogout=true in the configuration makes SunPKCS11 close the pooled sessions here.
            this.provider.logout();
            logger.info("Logged out of PKCS#11 token %s and closed provider %s"
                .formatted(this.settings.slotDescription(), this.provider.getName()));
        }
        catch (LoginException | ProviderException ex) {
            logger.warn("Logout from PKCS#11 token %s failed while closing provider %s: %s".formatted(
                    this.settings.slotDescription(), this.provider.getName(), Pkcs11Errors.describe(ex)));
        }
    }

    private static AuthProvider configure(Pkcs11Settings settings, String name) {
        Provider template = Security.getProvider("SunPKCS11");
        if (template == null) {
            throw new KmsConfigurationException("security.kms.provider",
                    "The JDK has no SunPKCS11 provider, so security.kms.provider=pkcs11 cannot be used.",
                    "Run on a JDK that includes the module jdk.crypto.cryptoki, or add it to a jlink image with "
                            + "--add-modules jdk.crypto.cryptoki.");
        }
        try {
            return (AuthProvider) template.configure(configuration(settings, name));
        }
        catch (InvalidParameterException | ProviderException ex) {
            throw configurationFailure(settings, ex);
        }
    }

    /**
     * Returns the SunPKCS11 configuration (the "--" prefix marks inline text rather than a file name).
     */
    private static String configuration(Pkcs11Settings settings, String name) {
        List<String> lines = new ArrayList<>();
        lines.add("name = " + name);
        // The configuration parser treats a backslash in a quoted value as an escape character.
        lines.add("library = \"" + settings.modulePath().replace("\\", "\\\\") + "\"");
        if (settings.slotId() != null) {
            lines.add("slot = " + settings.slotId());
        }
        else {
            lines.add("slotListIndex = " + settings.slotListIndex());
        }
        // Makes logout() close the pooled sessions and unregister the algorithms of this instance.
        lines.add("destroyTokenAfterLogout = true");
        lines.addAll(settings.extraConfig());
        return "--" + String.join("\n", lines) + "\n";
    }

    private static RuntimeException configurationFailure(Pkcs11Settings settings, RuntimeException error) {
        if (Pkcs11Errors.hasReturnValue(error, Pkcs11ReturnValue.CKR_SLOT_ID_INVALID)) {
            return new KmsConfigurationException(settings.slotProperty(),
                    "The PKCS#11 module %s has no %s (CKR_SLOT_ID_INVALID).".formatted(settings.modulePath(),
                            settings.slotDescription()),
                    "Set %s to a slot that the module lists (for SoftHSM2: softhsm2-util --show-slots)."
                        .formatted(settings.slotProperty()),
                    error);
        }
        if (Pkcs11Errors.returnValue(error).isPresent()) {
            KmsException failure = Pkcs11Errors.failure(KmsOperations.START_UP, settings.keyLabel(),
                    "SunPKCS11 could not initialise %s of module %s".formatted(settings.slotDescription(),
                            settings.modulePath()),
                    error);
            if (failure.isRetryable()) {
                return failure;
            }
            return new KmsConfigurationException(settings.slotProperty(), failure.getMessage(),
                    "Check with the HSM vendor's tools that the token in %s is initialised and usable."
                        .formatted(settings.slotDescription()),
                    failure);
        }
        Throwable cause = (error.getCause() != null) ? error.getCause() : error;
        if (cause instanceof IOException) {
            return new KmsConfigurationException(Pkcs11Settings.MODULE_PATH_PROPERTY,
                    "SunPKCS11 could not load %s as a PKCS#11 library: %s".formatted(settings.modulePath(),
                            cause.getMessage()),
                    "Set %s to the HSM vendor's PKCS#11 library for this platform and architecture."
                        .formatted(Pkcs11Settings.MODULE_PATH_PROPERTY),
                    error);
        }
        return new KmsConfigurationException(settings.slotProperty(),
                "SunPKCS11 could not use %s of module %s: %s".formatted(settings.slotDescription(),
                        settings.modulePath(), cause.getMessage()),
                "Check %s and %s against the slots that the module lists (for SoftHSM2: softhsm2-util --show-slots)."
                    .formatted(Pkcs11Settings.MODULE_PATH_PROPERTY, settings.slotProperty()),
                error);
    }

    private KeyStore loadKeyStore(String operation) {
        try {
            KeyStore loaded = KeyStore.getInstance("PKCS11", this.provider);
            loaded.load(null, this.settings.pin());
            return loaded;
        }
        catch (IOException ex) {
            throw loginFailure(operation, ex);
        }
        catch (GeneralSecurityException | ProviderException ex) {
            throw Pkcs11Errors.failure(operation, this.settings.keyLabel(),
                    "reading the keys of %s failed".formatted(this.settings.slotDescription()), ex);
        }
    }

    private RuntimeException loginFailure(String operation, IOException error) {
        boolean noPassword = this.settings.pin() == null && Pkcs11Errors.returnValue(error).isEmpty()
                && error.getCause() instanceof LoginException;
        if (noPassword) {
            return new KmsConfigurationException(Pkcs11Settings.PIN_PROPERTY,
                    "The PKCS#11 token in %s requires a login, but no PIN is configured."
                        .formatted(this.settings.slotDescription()),
                    "Set the environment variable %s or %s to the token's user PIN."
                        .formatted(Pkcs11Settings.PIN_ENVIRONMENT_VARIABLE, Pkcs11Settings.PIN_PROPERTY),
                    error);
        }
        return Pkcs11Errors.failure(operation, this.settings.keyLabel(),
                "login to the token in %s with the PIN from %s failed".formatted(this.settings.slotDescription(),
                        this.settings.pinSource()),
                error);
    }

    private Key findKey(String operation, String label) {
        ensureOpen(operation, label);
        try {
            if (!this.keyStore.containsAlias(label)) {
                // The token may have got the key after the key store was loaded.
                this.keyStore = loadKeyStore(operation);
            }
            if (!this.keyStore.containsAlias(label)) {
                // Only start-up lists the token's labels: at run time a caller of the application's API could read them.
                String found = KmsOperations.START_UP.equals(operation) ? " (labels found: " + labels() + ")" : "";
                throw invalidKey(operation, label,
                        "no key with label '%s' on the token in %s%s".formatted(label, this.settings.slotDescription(), found));
            }
            Key key = this.keyStore.getKey(label, null);
            if (key == null) {
                throw invalidKey(operation, label,
                        "label '%s' names a certificate without a private key".formatted(label));
            }
            return key;
        }
        catch (GeneralSecurityException | ProviderException ex) {
            throw Pkcs11Errors.failure(operation, label, "looking up the key failed", ex);
        }
    }

    private ECPublicKey certificatePublicKey(String operation, String label) {
        try {
            Certificate certificate = this.keyStore.getCertificate(label);
            if (certificate == null || !(certificate.getPublicKey() instanceof ECPublicKey publicKey)) {
                throw invalidKey(operation, label,
                        "label '%s' has no certificate with an EC public key".formatted(label));
            }
            if (!isP256(publicKey.getParams())) {
                throw invalidKey(operation, label,
                        "the key with label '%s' is not on curve P-256 (secp256r1), which ECDSA with SHA-256 requires here"
                            .formatted(label));
            }
            return publicKey;
        }
        catch (GeneralSecurityException ex) {
            throw Pkcs11Errors.failure(operation, label, "reading the certificate failed", ex);
        }
    }

    /**
     * Copies the public key into the token once, so that each verification does not create a new session object.
     */
    private PublicKey tokenPublicKey(String operation, String label, ECPublicKey publicKey) {
        try {
            return (PublicKey) KeyFactory.getInstance("EC", this.provider).translateKey(publicKey);
        }
        catch (GeneralSecurityException | ProviderException ex) {
            throw Pkcs11Errors.failure(operation, label, "importing the public key into the token failed", ex);
        }
    }

    private static boolean isP256(ECParameterSpec params) throws GeneralSecurityException {
        // Only the curve's parameters are compared, so the JDK's default EC parameters implementation is used.
        AlgorithmParameters reference = AlgorithmParameters.getInstance("EC");
        reference.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec p256 = reference.getParameterSpec(ECParameterSpec.class);
        return params.getCurve().equals(p256.getCurve()) && params.getGenerator().equals(p256.getGenerator())
                && params.getOrder().equals(p256.getOrder()) && params.getCofactor() == p256.getCofactor();
    }

    private String labels() throws GeneralSecurityException {
        List<String> aliases = Collections.list(this.keyStore.aliases());
        Collections.sort(aliases);
        return aliases.isEmpty() ? "none" : String.join(", ", aliases);
    }

    private static String describe(Key key) {
        String type = (key instanceof SecretKey) ? "secret key" : (key instanceof PrivateKey) ? "private key" : "key";
        return "a %s (%s)".formatted(type, key.getAlgorithm());
    }

    private void ensureOpen(String operation, String label) {
        if (this.closed) {
            throw new KmsException(KmsProviderName.PKCS11, operation, label, KmsErrorKind.UNAVAILABLE,
                    "the PKCS#11 provider is closed");
        }
    }

    private static KmsException invalidKey(String operation, String label, String detail) {
        return new KmsException(KmsProviderName.PKCS11, operation, label, KmsErrorKind.INVALID_KEY, detail);
    }

    /**
     * EC key pair on the token.
     *
     * @param privateKey the private key object on the token
     * @param publicKey the public key from the certificate, for callers
     * @param tokenPublicKey the same public key as a token session object, for verification on the token
     */
    record SigningKey(PrivateKey privateKey, ECPublicKey publicKey, PublicKey tokenPublicKey) {
    }
}
