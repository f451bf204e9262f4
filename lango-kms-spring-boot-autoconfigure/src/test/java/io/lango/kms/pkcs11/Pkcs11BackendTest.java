package io.lango.kms.pkcs11;

import java.nio.charset.StandardCharsets;
import java.security.Security;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsConfigurationException;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.support.KmsProviderContext;
import io.lango.kms.testsupport.pkcs11.SoftHsmExtension;
import io.lango.kms.testsupport.pkcs11.SoftHsmToken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Start-up of the PKCS#11 backend: settings, PIN sources, the token check, and how each failure is reported.
 */
@ExtendWith({ SoftHsmExtension.class, OutputCaptureExtension.class })
class Pkcs11BackendTest {

    private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.US_ASCII);

    private static SoftHsmToken token;

    @BeforeAll
    static void provisionKeys(SoftHsmToken softHsmToken) {
        token = softHsmToken;
        token.generateEcKeyPair("backend-test-p384", "secp384r1");
        token.generateRsaKeyPair("backend-test-rsa", 2048);
    }

    @Test
    void backendCreatesWorkingProvider() {
        try (CryptoProvider provider = new Pkcs11Backend().create(context(Pkcs11Tokens.properties(token)))) {
            assertThat(provider.providerName()).isEqualTo(KmsProviderName.PKCS11);
            assertThat(provider.decrypt("", provider.encrypt("", PAYLOAD))).isEqualTo(PAYLOAD);
        }
    }

    @Test
    void environmentPinWinsOverProperty() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setPin("not-the-pin");

        try (CryptoProvider provider = new Pkcs11Backend()
            .create(context(properties, Pkcs11Tokens.pinEnvironment(token.userPin())))) {
            assertThat(provider.decrypt("", provider.encrypt("", PAYLOAD))).isEqualTo(PAYLOAD);
        }
    }

    @Test
    void wrongEnvironmentPinFailsDespiteRightProperty(CapturedOutput output) {
        // SunPKCS11 skips the login, and so the PIN check, while this JVM is logged in to the token.
        assertThat(Pkcs11Tokens.isLoggedIn(token)).isFalse();
        KmsProperties properties = Pkcs11Tokens.properties(token);
        String wrongPin = "wrong-env-pin-5521";

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new Pkcs11Backend().create(context(properties, Pkcs11Tokens.pinEnvironment(wrongPin))))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.pin"))
            .satisfies((ex) -> assertThat(ex.getMessage()).contains("LANGO_PKCS11_PIN").doesNotContain(wrongPin))
            .satisfies((ex) -> assertThat(kmsCause(ex).getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED));
        assertThat(output.getAll()).doesNotContain(wrongPin).doesNotContain(token.userPin());
    }

    @Test
    void wrongPinFailsWithAccessDenied(CapturedOutput output) {
        // SunPKCS11 skips the login, and so the PIN check, while this JVM is logged in to the token.
        assertThat(Pkcs11Tokens.isLoggedIn(token)).isFalse();
        KmsProperties properties = Pkcs11Tokens.properties(token);
        String wrongPin = "wrong-property-pin-8830";
        properties.getPkcs11().setPin(wrongPin);

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new Pkcs11Backend().create(context(properties)))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.pin"))
            .satisfies((ex) -> assertThat(ex.getAction()).contains("LANGO_PKCS11_PIN"))
            .satisfies((ex) -> assertThat(ex.getMessage()).contains("CKR_PIN_INCORRECT")
                .contains("security.kms.pkcs11.pin")
                .doesNotContain(wrongPin))
            .satisfies((ex) -> assertThat(kmsCause(ex).getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED))
            .satisfies((ex) -> assertThat(kmsCause(ex).getProvider()).isEqualTo(KmsProviderName.PKCS11))
            .satisfies((ex) -> assertThat(kmsCause(ex).getOperation()).isEqualTo(KmsOperations.START_UP));
        assertThat(output.getAll()).doesNotContain(wrongPin).doesNotContain(token.userPin());
    }

    @Test
    void wrongPinLeavesNoProviderInstalled() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setPin("wrong-pin-0000");
        int providersBefore = Security.getProviders().length;

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new Pkcs11Backend().create(context(properties)));
        assertThat(Security.getProviders()).hasSize(providersBefore);
    }

    @Test
    void missingPinFailsNamingPinProperty() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setPin(null);

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new Pkcs11Backend().create(context(properties)))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.pin"))
            .withMessageContaining("requires a login, but no PIN is configured");
    }

    @Test
    void missingKeyLabelFailsNamingLabel() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setKeyLabel("backend-test-missing-aes");

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new Pkcs11Backend().create(context(properties)))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.key-label"))
            .withMessageContaining("no key with label 'backend-test-missing-aes'")
            .satisfies((ex) -> assertThat(kmsCause(ex).getKind()).isEqualTo(KmsErrorKind.INVALID_KEY));
    }

    @Test
    void missingSigningLabelFailsNamingLabel() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setSigningKeyLabel("backend-test-missing-ec");

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new Pkcs11Backend().create(context(properties)))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.signing-key-label"))
            .withMessageContaining("no key with label 'backend-test-missing-ec'")
            .satisfies((ex) -> assertThat(kmsCause(ex).getKind()).isEqualTo(KmsErrorKind.INVALID_KEY));
    }

    @Test
    void signingLabelDefaultsToSigningKeyId() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setSigningKeyLabel(null);
        properties.setSigningKeyId(SoftHsmToken.EC_KEY_LABEL);

        try (CryptoProvider provider = new Pkcs11Backend().create(context(properties))) {
            assertThat(provider.verify("", PAYLOAD, provider.sign("", PAYLOAD))).isTrue();
        }
    }

    @Test
    void keyLabelDefaultsToKeyId() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setKeyLabel(null);
        properties.setKeyId(SoftHsmToken.AES_KEY_LABEL);

        try (CryptoProvider provider = new Pkcs11Backend().create(context(properties))) {
            assertThat(provider.decrypt("", provider.encrypt("", PAYLOAD))).isEqualTo(PAYLOAD);
        }
    }

    @Test
    void signingLabelFallingBackToAesLabelFails() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setSigningKeyLabel(null);

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new Pkcs11Backend().create(context(properties)))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.key-label"))
            .satisfies((ex) -> assertThat(ex.getAction()).contains("security.kms.pkcs11.signing-key-label"))
            .withMessageContaining("label 'lango-aes' names a secret key (AES), not an EC private key");
    }

    @Test
    void signingKeyOnOtherCurveFails() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setSigningKeyLabel("backend-test-p384");

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new Pkcs11Backend().create(context(properties)))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.signing-key-label"))
            .withMessageContaining("not on curve P-256");
    }

    @Test
    void rsaSigningKeyFails() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setSigningKeyLabel("backend-test-rsa");

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new Pkcs11Backend().create(context(properties)))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.signing-key-label"))
            .withMessageContaining("names a private key (RSA), not an EC private key");
    }

    @Test
    void missingAesGcmMechanismFailsNamingIt() {
        Pkcs11Settings settings = Pkcs11Tokens.settings(token)
            .withExtraConfig(List.of("disabledMechanisms = { CKM_AES_GCM }"));

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> Pkcs11Backend.create(settings, Pkcs11Token::open))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.key-label"))
            .withMessageContaining("does not support CKM_AES_GCM")
            .satisfies((ex) -> assertThat(kmsCause(ex).getKind()).isEqualTo(KmsErrorKind.INVALID_KEY));
    }

    @Test
    void missingEcdsaMechanismFailsNamingIt() {
        Pkcs11Settings settings = Pkcs11Tokens.settings(token)
            .withExtraConfig(List.of("disabledMechanisms = { CKM_ECDSA }"));

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> Pkcs11Backend.create(settings, Pkcs11Token::open))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.signing-key-label"))
            .withMessageContaining("does not support CKM_ECDSA");
    }

    @Test
    void unknownSlotIdFailsNamingSlotProperty() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setSlotId(token.slotId() == 4242L ? 4243L : 4242L);

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new Pkcs11Backend().create(context(properties)))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.slot-id"))
            .withMessageContaining("CKR_SLOT_ID_INVALID");
    }

    @Test
    void slotListIndexSelectsToken() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setSlotId(null);
        // SoftHSM2 lists the initialised tokens first and the free slot last.
        properties.getPkcs11().setSlotListIndex(0);

        try (CryptoProvider provider = new Pkcs11Backend().create(context(properties))) {
            assertThat(provider.decrypt("", provider.encrypt("", PAYLOAD))).isEqualTo(PAYLOAD);
        }
    }

    @Test
    void slotListIndexBeyondSlotsFails() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setSlotId(null);
        properties.getPkcs11().setSlotListIndex(50);

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new Pkcs11Backend().create(context(properties)))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.slot-list-index"))
            .withMessageContaining("slot-list-index 50");
    }

    @Test
    void uninitialisedTokenFailsNamingSlot() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setSlotId(null);
        // SoftHSM2 always offers one free slot with an uninitialised token, listed after the initialised ones.
        properties.getPkcs11().setSlotListIndex(1);

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new Pkcs11Backend().create(context(properties)))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.slot-list-index"))
            .satisfies((ex) -> assertThat(ex.getAction()).contains("initialised"))
            .withMessageContaining("CKR_TOKEN_NOT_RECOGNIZED");
    }

    @Test
    void missingModulePathFails() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setModulePath(" ");

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new Pkcs11Backend().create(context(properties)))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.module-path"))
            .withMessageContaining("is required");
    }

    @Test
    void nonexistentModuleFileFails() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setModulePath("/nonexistent/libvendor-pkcs11.so");

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new Pkcs11Backend().create(context(properties)))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.module-path"))
            .withMessageContaining("/nonexistent/libvendor-pkcs11.so (security.kms.pkcs11.module-path) does not exist");
    }

    @Test
    void nonexistentModuleInRootFails() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setModulePath("/nonexistent.so");

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> new Pkcs11Backend().create(context(properties)))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.module-path"));
    }

    @Test
    void fileThatIsNoPkcs11ModuleFails() throws Exception {
        java.nio.file.Path notAModule = java.nio.file.Files.createTempFile("not-a-pkcs11-module", ".so");
        try {
            KmsProperties properties = Pkcs11Tokens.properties(token);
            properties.getPkcs11().setModulePath(notAModule.toString());

            assertThatExceptionOfType(KmsConfigurationException.class)
                .isThrownBy(() -> new Pkcs11Backend().create(context(properties)))
                .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.pkcs11.module-path"))
                .withMessageContaining("could not load " + notAModule);
        }
        finally {
            java.nio.file.Files.delete(notAModule);
        }
    }

    @Test
    void unavailableTokenConnectsOnFirstUse(CapturedOutput output) {
        AtomicInteger attempts = new AtomicInteger();
        Function<Pkcs11Settings, Pkcs11Token> flakyConnector = (settings) -> {
            if (attempts.incrementAndGet() == 1) {
                throw new KmsException(KmsProviderName.PKCS11, KmsOperations.START_UP, settings.keyLabel(),
                        KmsErrorKind.UNAVAILABLE, "CKR_DEVICE_ERROR");
            }
            return Pkcs11Token.open(settings);
        };

        try (Pkcs11CryptoProvider provider = Pkcs11Backend.create(Pkcs11Tokens.settings(token), flakyConnector)) {
            assertThat(provider.jcaProviderName()).isNull();
            assertThat(output.getAll()).contains("unavailable at start-up");
            assertThat(provider.decrypt("", provider.encrypt("", PAYLOAD))).isEqualTo(PAYLOAD);
            assertThat(attempts).hasValue(2);
            assertThat(provider.jcaProviderName()).startsWith("SunPKCS11-lango-kms-");
        }
    }

    @Test
    void tokenFoundLaterStillGetsStartUpCheck() {
        KmsProperties properties = Pkcs11Tokens.properties(token);
        properties.getPkcs11().setKeyLabel("backend-test-missing-later");
        Pkcs11Settings settings = Pkcs11Settings.from(properties, Pkcs11Tokens.NO_ENVIRONMENT);
        AtomicInteger attempts = new AtomicInteger();
        Function<Pkcs11Settings, Pkcs11Token> flakyConnector = (given) -> {
            if (attempts.incrementAndGet() == 1) {
                throw new KmsException(KmsProviderName.PKCS11, KmsOperations.START_UP, given.keyLabel(),
                        KmsErrorKind.UNAVAILABLE, "CKR_TOKEN_NOT_PRESENT");
            }
            return Pkcs11Token.open(given);
        };

        try (Pkcs11CryptoProvider provider = Pkcs11Backend.create(settings, flakyConnector)) {
            assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.encrypt("", PAYLOAD))
                .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY))
                .withMessageContaining("no key with label 'backend-test-missing-later'");
        }
    }

    private static KmsException kmsCause(Throwable error) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (current instanceof KmsException kmsException) {
                return kmsException;
            }
        }
        throw new AssertionError("no KmsException in the cause chain of " + error);
    }

    private static KmsProviderContext context(KmsProperties properties) {
        return context(properties, Pkcs11Tokens.NO_ENVIRONMENT);
    }

    private static KmsProviderContext context(KmsProperties properties, Function<String, String> environment) {
        return new KmsProviderContext(properties, environment, KmsProviderContext.BeanLookup.NONE,
                Pkcs11BackendTest.class.getClassLoader());
    }
}
