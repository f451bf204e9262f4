package io.lango.kms.pkcs11;

import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsConfigurationException;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.support.KmsBackend;
import io.lango.kms.support.KmsProviderContext;

/**
 * Creates the {@link Pkcs11CryptoProvider} for {@code security.kms.provider=pkcs11} and checks the token at
 * start-up.
 *
 * <p>A wrong PIN, a missing or unsuitable key, or a mechanism that the token lacks fails start-up with a
 * {@link KmsConfigurationException} that names the property, caused by the classified {@link KmsException}. A token
 * that is unavailable at start-up (a retryable error such as {@code CKR_DEVICE_ERROR}) does not: the provider
 * connects on first use, runs the same check then, and the health check reports its errors until it succeeds.
 */
public final class Pkcs11Backend implements KmsBackend {

    private static final Log logger = LogFactory.getLog(Pkcs11Backend.class);

    @Override
    public CryptoProvider create(KmsProviderContext context) {
        return create(Pkcs11Settings.from(context.properties(), context.environment()), Pkcs11Token::open);
    }

    /**
     * Creates a provider that opens its token with {@code connector} and connects it now.
     */
    static Pkcs11CryptoProvider create(Pkcs11Settings settings, Function<Pkcs11Settings, Pkcs11Token> connector) {
        Pkcs11CryptoProvider provider = new Pkcs11CryptoProvider(settings, connector);
        try {
            provider.connect();
        }
        catch (KmsException ex) {
            if (!ex.isRetryable()) {
                throw startupFailure(settings, ex);
            }
            logger.warn("The PKCS#11 token in %s of %s is unavailable at start-up (%s); the provider connects on first use and the health check reports it down until then"
                .formatted(settings.slotDescription(), settings.modulePath(), ex.getMessage()));
        }
        return provider;
    }

    private static KmsConfigurationException startupFailure(Pkcs11Settings settings, KmsException error) {
        if (error.getKind() == KmsErrorKind.ACCESS_DENIED) {
            return new KmsConfigurationException(Pkcs11Settings.PIN_PROPERTY, error.getMessage(),
                    "Set the environment variable %s or %s to the token's user PIN (%s wins when both are set). A locked PIN must be unlocked by the token's security officer."
                        .formatted(Pkcs11Settings.PIN_ENVIRONMENT_VARIABLE, Pkcs11Settings.PIN_PROPERTY,
                                Pkcs11Settings.PIN_ENVIRONMENT_VARIABLE),
                    error);
        }
        boolean signingKey = error.getKeyId().equals(settings.signingKeyLabel())
                && !error.getKeyId().equals(settings.keyLabel());
        if (signingKey) {
            return new KmsConfigurationException(settings.signingKeyLabelProperty(), error.getMessage(),
                    "Set %s to the label of an EC P-256 key pair on the token whose certificate has the same CKA_ID, on a token that supports CKM_ECDSA."
                        .formatted(settings.signingKeyLabelProperty()),
                    error);
        }
        return new KmsConfigurationException(settings.keyLabelProperty(), error.getMessage(),
                "Set %s to the label of an AES key on the token, on a token that supports CKM_AES_GCM, and set %s when the signing key has another label."
                    .formatted(settings.keyLabelProperty(), Pkcs11Settings.SIGNING_KEY_LABEL_PROPERTY),
                error);
    }
}
