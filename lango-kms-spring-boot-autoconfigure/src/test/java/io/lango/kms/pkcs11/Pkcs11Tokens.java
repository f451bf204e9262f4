package io.lango.kms.pkcs11;

import java.security.AuthProvider;
import java.security.Security;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.LoginException;

import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.testsupport.pkcs11.SoftHsmToken;

/**
 * Builds backend settings for the SoftHSM2 test token and inspects the token from outside the backend.
 */
final class Pkcs11Tokens {

    private static final AtomicInteger probeCounter = new AtomicInteger();

    /** Environment with no variables set. */
    static final Function<String, String> NO_ENVIRONMENT = (name) -> null;

    private Pkcs11Tokens() {
    }

    /**
     * Returns properties that select the token's slot by id, its PIN, and its provisioned keys.
     */
    static KmsProperties properties(SoftHsmToken token) {
        KmsProperties properties = new KmsProperties();
        properties.setProvider("pkcs11");
        properties.getPkcs11().setModulePath(token.modulePath());
        properties.getPkcs11().setSlotId(token.slotId());
        properties.getPkcs11().setPin(token.userPin());
        properties.getPkcs11().setKeyLabel(SoftHsmToken.AES_KEY_LABEL);
        properties.getPkcs11().setSigningKeyLabel(SoftHsmToken.EC_KEY_LABEL);
        return properties;
    }

    /**
     * Returns settings for the token's slot, PIN and provisioned keys.
     */
    static Pkcs11Settings settings(SoftHsmToken token) {
        return Pkcs11Settings.from(properties(token), NO_ENVIRONMENT);
    }

    /**
     * Creates a connected provider for the token's provisioned keys.
     */
    static Pkcs11CryptoProvider provider(SoftHsmToken token) {
        return Pkcs11Backend.create(settings(token), Pkcs11Token::open);
    }

    /**
     * Creates a connected provider whose SunPKCS11 instance gets the further configuration lines.
     */
    static Pkcs11CryptoProvider provider(SoftHsmToken token, List<String> extraConfig) {
        return Pkcs11Backend.create(settings(token).withExtraConfig(extraConfig), Pkcs11Token::open);
    }

    /**
     * Returns an environment that holds only {@code LANGO_PKCS11_PIN}.
     */
    static Function<String, String> pinEnvironment(String pin) {
        return Map.of(Pkcs11Settings.PIN_ENVIRONMENT_VARIABLE, pin)::get;
    }

    /**
     * Returns whether this JVM is logged in to the token, without changing the login state.
     *
     * <p>A fresh SunPKCS11 instance requests the PIN from its callback handler only when the token is not logged in
     * yet. The handler here rejects the request, so no login happens either way.
     */
    static boolean isLoggedIn(SoftHsmToken token) {
        AuthProvider probe = (AuthProvider) Security.getProvider("SunPKCS11")
            .configure(token.sunPkcs11Configuration("login-probe-" + probeCounter.incrementAndGet()));
        try {
            probe.login(null, (callbacks) -> {
                throw new UnsupportedCallbackException(callbacks[0], "the login probe never logs in");
            });
            return true;
        }
        catch (LoginException ex) {
            return false;
        }
    }

    /**
     * Logs this JVM out of the token through a separate SunPKCS11 instance, as another library of the
     * application could.
     */
    static void logOutFromOutside(SoftHsmToken token) throws LoginException {
        AuthProvider outsider = (AuthProvider) Security.getProvider("SunPKCS11")
            .configure(token.sunPkcs11Configuration("outsider-" + probeCounter.incrementAndGet()));
        outsider.login(null, (callbacks) -> ((javax.security.auth.callback.PasswordCallback) callbacks[0])
            .setPassword(token.userPin().toCharArray()));
        outsider.logout();
    }
}
