package io.lango.kms.pkcs11;

import java.security.AuthProvider;
import java.security.InvalidKeyException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.ProviderException;
import java.security.Security;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.testsupport.pkcs11.SoftHsmExtension;
import io.lango.kms.testsupport.pkcs11.SoftHsmToken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Classification of failures that SunPKCS11 raises against a real SoftHSM2 token, and of JCA failures without a
 * PKCS#11 return value.
 */
@ExtendWith(SoftHsmExtension.class)
class Pkcs11ErrorsTest {

    private static SoftHsmToken token;

    @BeforeAll
    static void token(SoftHsmToken softHsmToken) {
        token = softHsmToken;
    }

    @Test
    void wrongPinIsAccessDenied() {
        AuthProvider provider = rawProvider("errors-test-pin");

        Throwable error = catchThrowable(
                () -> KeyStore.getInstance("PKCS11", provider).load(null, "wrong-pin-1234".toCharArray()));

        assertThat(Pkcs11Errors.returnValue(error)).contains(Pkcs11ReturnValue.CKR_PIN_INCORRECT);
        assertThat(Pkcs11ReturnValue.CKR_PIN_INCORRECT.value()).isEqualTo(0xA0);
        assertThat(Pkcs11Errors.kindOf(error)).isEqualTo(KmsErrorKind.ACCESS_DENIED);
        assertThat(Pkcs11Errors.describe(error)).isEqualTo("CKR_PIN_INCORRECT");
    }

    @Test
    void vanishedSlotIsUnavailable() {
        Throwable error = catchThrowable(() -> Security.getProvider("SunPKCS11")
            .configure("--name = errors-test-slot\nlibrary = \"%s\"\nslot = %d\n".formatted(token.modulePath(),
                    (token.slotId() == 4242L) ? 4243L : 4242L)));

        assertThat(error).isInstanceOf(ProviderException.class);
        assertThat(Pkcs11Errors.returnValue(error)).contains(Pkcs11ReturnValue.CKR_SLOT_ID_INVALID);
        assertThat(Pkcs11Errors.kindOf(error)).isEqualTo(KmsErrorKind.UNAVAILABLE);
    }

    @Test
    void badTagIsInvalidCiphertextDespiteGeneralError() throws Exception {
        AuthProvider provider = rawProvider("errors-test-tag");
        Throwable error;
        try {
            KeyStore keyStore = KeyStore.getInstance("PKCS11", provider);
            keyStore.load(null, token.userPin().toCharArray());
            SecretKey key = (SecretKey) keyStore.getKey(SoftHsmToken.AES_KEY_LABEL, null);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, new byte[12]));

            error = catchThrowable(() -> cipher.doFinal(new byte[32]));
        }
        finally {
            // The login is shared by the whole JVM, and the wrong-PIN tests need the token logged out.
            provider.logout();
        }

        // SoftHSM2 reports a wrong tag as CKR_GENERAL_ERROR, which alone would count as unavailable.
        assertThat(error).isInstanceOf(AEADBadTagException.class);
        assertThat(Pkcs11Errors.returnValue(error)).contains(Pkcs11ReturnValue.CKR_GENERAL_ERROR);
        assertThat(Pkcs11Errors.kindOf(error)).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT);
    }

    @Test
    void failureNamesProviderOperationAndLabel() {
        Throwable error = catchThrowable(() -> KeyStore.getInstance("PKCS11", rawProvider("errors-test-message"))
            .load(null, "wrong-pin-5678".toCharArray()));

        KmsException failure = Pkcs11Errors.failure("sign", "app-signing", "login failed", error);

        assertThat(failure.getProvider()).isEqualTo(KmsProviderName.PKCS11);
        assertThat(failure.getOperation()).isEqualTo("sign");
        assertThat(failure.getKeyId()).isEqualTo("app-signing");
        assertThat(failure.getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED);
        assertThat(failure.isRetryable()).isFalse();
        assertThat(failure).hasMessage("kms pkcs11 sign (key=app-signing): login failed: CKR_PIN_INCORRECT");
    }

    @Test
    void jcaFailuresWithoutReturnValue() {
        assertThat(Pkcs11Errors.kindOf(new NoSuchAlgorithmException("no such algorithm: AES/GCM/NoPadding")))
            .isEqualTo(KmsErrorKind.UNAVAILABLE);
        assertThat(Pkcs11Errors.kindOf(new ProviderException("Token has been removed")))
            .isEqualTo(KmsErrorKind.UNAVAILABLE);
        assertThat(Pkcs11Errors.kindOf(new InvalidKeyException("Key must be a SecretKey")))
            .isEqualTo(KmsErrorKind.INVALID_KEY);
        assertThat(Pkcs11Errors.returnValue(new InvalidKeyException("CKR_PIN_INCORRECT"))).isEmpty();
        assertThat(Pkcs11Errors.describe(new InvalidKeyException("Key must be a SecretKey")))
            .isEqualTo("InvalidKeyException (Key must be a SecretKey)");
    }

    private static AuthProvider rawProvider(String name) {
        return (AuthProvider) Security.getProvider("SunPKCS11").configure(token.sunPkcs11Configuration(name));
    }
}
