package io.lango.kms.pkcs11;

import java.util.Arrays;
import java.util.Optional;

import io.lango.kms.KmsErrorKind;

/**
 * PKCS#11 return values ({@code CKR_*}, values from PKCS#11 v3.0 {@code pkcs11t.h}) that the backend classifies,
 * with the {@link KmsErrorKind} each maps to.
 *
 * <p>Values not listed here, vendor-defined ones included, count as {@link KmsErrorKind#INVALID_KEY}: an unknown
 * failure is neither retried nor served by the local fallback.
 */
enum Pkcs11ReturnValue {

    CKR_HOST_MEMORY(0x02, KmsErrorKind.UNAVAILABLE),
    CKR_SLOT_ID_INVALID(0x03, KmsErrorKind.UNAVAILABLE),
    CKR_GENERAL_ERROR(0x05, KmsErrorKind.UNAVAILABLE),
    CKR_FUNCTION_FAILED(0x06, KmsErrorKind.UNAVAILABLE),
    CKR_ARGUMENTS_BAD(0x07, KmsErrorKind.INVALID_INPUT),
    CKR_ATTRIBUTE_SENSITIVE(0x11, KmsErrorKind.INVALID_KEY),
    CKR_ACTION_PROHIBITED(0x1B, KmsErrorKind.INVALID_KEY),
    CKR_DATA_INVALID(0x20, KmsErrorKind.INVALID_INPUT),
    CKR_DATA_LEN_RANGE(0x21, KmsErrorKind.INVALID_INPUT),
    CKR_DEVICE_ERROR(0x30, KmsErrorKind.UNAVAILABLE),
    CKR_DEVICE_MEMORY(0x31, KmsErrorKind.UNAVAILABLE),
    CKR_DEVICE_REMOVED(0x32, KmsErrorKind.UNAVAILABLE),
    CKR_ENCRYPTED_DATA_INVALID(0x40, KmsErrorKind.INVALID_CIPHERTEXT),
    CKR_ENCRYPTED_DATA_LEN_RANGE(0x41, KmsErrorKind.INVALID_CIPHERTEXT),
    CKR_AEAD_DECRYPT_FAILED(0x42, KmsErrorKind.INVALID_CIPHERTEXT),
    CKR_FUNCTION_CANCELED(0x50, KmsErrorKind.UNAVAILABLE),
    CKR_FUNCTION_NOT_SUPPORTED(0x54, KmsErrorKind.INVALID_KEY),
    CKR_KEY_HANDLE_INVALID(0x60, KmsErrorKind.INVALID_KEY),
    CKR_KEY_SIZE_RANGE(0x62, KmsErrorKind.INVALID_KEY),
    CKR_KEY_TYPE_INCONSISTENT(0x63, KmsErrorKind.INVALID_KEY),
    CKR_KEY_FUNCTION_NOT_PERMITTED(0x68, KmsErrorKind.INVALID_KEY),
    CKR_MECHANISM_INVALID(0x70, KmsErrorKind.INVALID_KEY),
    CKR_MECHANISM_PARAM_INVALID(0x71, KmsErrorKind.INVALID_KEY),
    CKR_OBJECT_HANDLE_INVALID(0x82, KmsErrorKind.INVALID_KEY),
    CKR_PIN_INCORRECT(0xA0, KmsErrorKind.ACCESS_DENIED),
    CKR_PIN_INVALID(0xA1, KmsErrorKind.ACCESS_DENIED),
    CKR_PIN_LEN_RANGE(0xA2, KmsErrorKind.ACCESS_DENIED),
    CKR_PIN_EXPIRED(0xA3, KmsErrorKind.ACCESS_DENIED),
    CKR_PIN_LOCKED(0xA4, KmsErrorKind.ACCESS_DENIED),
    CKR_SESSION_CLOSED(0xB0, KmsErrorKind.UNAVAILABLE),
    /** The token has no free session; one becomes free when another operation ends. */
    CKR_SESSION_COUNT(0xB1, KmsErrorKind.THROTTLED),
    CKR_SESSION_HANDLE_INVALID(0xB3, KmsErrorKind.UNAVAILABLE),
    CKR_TOKEN_NOT_PRESENT(0xE0, KmsErrorKind.UNAVAILABLE),
    /** The slot has a token that the module cannot use, for example an uninitialised SoftHSM2 token. */
    CKR_TOKEN_NOT_RECOGNIZED(0xE1, KmsErrorKind.INVALID_KEY),
    CKR_USER_NOT_LOGGED_IN(0x101, KmsErrorKind.ACCESS_DENIED),
    CKR_USER_PIN_NOT_INITIALIZED(0x102, KmsErrorKind.ACCESS_DENIED),
    CKR_USER_TYPE_INVALID(0x103, KmsErrorKind.ACCESS_DENIED),
    CKR_USER_ANOTHER_ALREADY_LOGGED_IN(0x104, KmsErrorKind.ACCESS_DENIED),
    CKR_DOMAIN_PARAMS_INVALID(0x130, KmsErrorKind.INVALID_KEY),
    CKR_CURVE_NOT_SUPPORTED(0x140, KmsErrorKind.INVALID_KEY),
    CKR_CRYPTOKI_NOT_INITIALIZED(0x190, KmsErrorKind.UNAVAILABLE),
    CKR_FUNCTION_REJECTED(0x200, KmsErrorKind.ACCESS_DENIED),
    /** The token ran out of a resource such as memory for objects; a later attempt can succeed. */
    CKR_TOKEN_RESOURCE_EXCEEDED(0x201, KmsErrorKind.THROTTLED);

    private final long value;

    private final KmsErrorKind kind;

    Pkcs11ReturnValue(long value, KmsErrorKind kind) {
        this.value = value;
        this.kind = kind;
    }

    /**
     * Returns the numeric value, for example {@code 0xA0} for {@code CKR_PIN_INCORRECT}.
     */
    long value() {
        return this.value;
    }

    /**
     * Returns the error kind that this return value maps to.
     */
    KmsErrorKind kind() {
        return this.kind;
    }

    /**
     * Finds the entry whose numeric value is {@code value}.
     */
    static Optional<Pkcs11ReturnValue> of(long value) {
        return Arrays.stream(values()).filter((entry) -> entry.value == value).findFirst();
    }

    /**
     * Finds the entry named {@code name}, for example {@code CKR_PIN_INCORRECT}.
     */
    static Optional<Pkcs11ReturnValue> named(String name) {
        return Arrays.stream(values()).filter((entry) -> entry.name().equals(name)).findFirst();
    }
}
