package io.lango.kms.pkcs11;

import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.ProviderException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.AEADBadTagException;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;

/**
 * Classifies SunPKCS11 failures into {@link KmsException}s by their PKCS#11 return value.
 *
 * <p>SunPKCS11 reports a return value as a {@code sun.security.pkcs11.wrapper.PKCS11Exception} somewhere in the
 * cause chain. Its package is not exported by the {@code jdk.crypto.cryptoki} module, so {@code getErrorCode()}
 * cannot be called without {@code --add-exports}. The exception's message starts with the {@code CKR_} name that
 * the JDK looks up from the numeric value, or with the value as {@code 0x} and eight hex digits when the JDK has
 * no name for it (JDK 17 and 25 both do this), and that prefix is decoded back into the value here.
 */
final class Pkcs11Errors {

    private static final String PKCS11_EXCEPTION = "sun.security.pkcs11.wrapper.PKCS11Exception";

    private static final Pattern NAMED_VALUE = Pattern.compile("^(CKR_[A-Z0-9_]+)");

    private static final Pattern HEX_VALUE = Pattern.compile("^0x([0-9A-Fa-f]{1,8})");

    private Pkcs11Errors() {
    }

    /**
     * Returns the return value of the first {@code PKCS11Exception} in the cause chain, when there is one and it is
     * listed in {@link Pkcs11ReturnValue}.
     */
    static Optional<Pkcs11ReturnValue> returnValue(Throwable error) {
        return findPkcs11Exception(error).flatMap((pkcs11) -> decode(pkcs11.getMessage()));
    }

    /**
     * Returns true when the cause chain contains a {@code PKCS11Exception} with {@code value}.
     */
    static boolean hasReturnValue(Throwable error, Pkcs11ReturnValue value) {
        return returnValue(error).filter(value::equals).isPresent();
    }

    /**
     * Classifies {@code error}: by its PKCS#11 return value when it has one, else by the JCA exception type.
     */
    static KmsErrorKind kindOf(Throwable error) {
        if (error instanceof AEADBadTagException) {
            // SunPKCS11 raises this for CKR_ENCRYPTED_DATA_INVALID and for CKR_GENERAL_ERROR, which SoftHSM2
            // returns when a GCM tag does not match, so it is checked before the return value.
            return KmsErrorKind.INVALID_CIPHERTEXT;
        }
        Optional<Throwable> pkcs11 = findPkcs11Exception(error);
        if (pkcs11.isPresent()) {
            return decode(pkcs11.get().getMessage()).map(Pkcs11ReturnValue::kind).orElse(KmsErrorKind.INVALID_KEY);
        }
        if (error instanceof NoSuchAlgorithmException || error instanceof ProviderException) {
            // SunPKCS11 unregisters its algorithms when the token is removed, and reports a removed token or an
            // exhausted session pool as a ProviderException without a return value.
            return KmsErrorKind.UNAVAILABLE;
        }
        if (error instanceof GeneralSecurityException) {
            return KmsErrorKind.INVALID_KEY;
        }
        return KmsErrorKind.UNAVAILABLE;
    }

    /**
     * Creates the exception for a failed operation on the key {@code label}; the message ends with the PKCS#11
     * return value name or the JCA message.
     */
    static KmsException failure(String operation, String label, String detail, Throwable error) {
        return new KmsException(KmsProviderName.PKCS11, operation, label, kindOf(error),
                detail + ": " + describe(error), error);
    }

    /**
     * Returns a short description: the PKCS#11 return value name when the chain has one, else the exception's
     * class and message.
     */
    static String describe(Throwable error) {
        Optional<Throwable> pkcs11 = findPkcs11Exception(error);
        if (pkcs11.isPresent()) {
            return String.valueOf(pkcs11.get().getMessage());
        }
        String message = error.getMessage();
        return error.getClass().getSimpleName() + ((message != null) ? " (" + message + ")" : "");
    }

    private static Optional<Throwable> findPkcs11Exception(Throwable error) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (PKCS11_EXCEPTION.equals(current.getClass().getName())) {
                return Optional.of(current);
            }
        }
        return Optional.empty();
    }

    private static Optional<Pkcs11ReturnValue> decode(String message) {
        if (message == null) {
            return Optional.empty();
        }
        Matcher named = NAMED_VALUE.matcher(message);
        if (named.find()) {
            return Pkcs11ReturnValue.named(named.group(1));
        }
        Matcher hex = HEX_VALUE.matcher(message);
        if (hex.find()) {
            return Pkcs11ReturnValue.of(Long.parseLong(hex.group(1), 16));
        }
        return Optional.empty();
    }
}
