package io.lango.kms.pkcs11;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import io.lango.kms.KmsConfigurationException;
import io.lango.kms.autoconfigure.KmsProperties;

/**
 * Validated settings of the PKCS#11 backend, read from {@code security.kms.pkcs11} and the environment.
 *
 * <p>{@link #toString()} never shows the PIN.
 *
 * @param modulePath path of the vendor's PKCS#11 library
 * @param slotId slot id of the token, or null to select the slot by {@code slotListIndex}
 * @param slotListIndex index into the module's slot list, used when {@code slotId} is null
 * @param pin user PIN, or null when the token needs no login or has a protected authentication path (PIN pad)
 * @param pinSource where the PIN came from: {@value #PIN_ENVIRONMENT_VARIABLE}, the pin property, or "none"
 * @param keyLabel label (CKA_LABEL) of the default AES key
 * @param keyLabelProperty the property that supplied {@code keyLabel}
 * @param signingKeyLabel label of the default EC signing key, which has a certificate with the same CKA_ID
 * @param signingKeyLabelProperty the property that supplied {@code signingKeyLabel}
 * @param extraConfig further SunPKCS11 configuration lines, for example {@code disabledMechanisms = { ... }}
 */
record Pkcs11Settings(String modulePath, Long slotId, int slotListIndex, char[] pin, String pinSource,
        String keyLabel, String keyLabelProperty, String signingKeyLabel, String signingKeyLabelProperty,
        List<String> extraConfig) {

    /** Environment variable that contains the user PIN, which wins over {@code security.kms.pkcs11.pin}. */
    static final String PIN_ENVIRONMENT_VARIABLE = "LANGO_PKCS11_PIN";

    static final String MODULE_PATH_PROPERTY = "security.kms.pkcs11.module-path";

    static final String SLOT_ID_PROPERTY = "security.kms.pkcs11.slot-id";

    static final String SLOT_LIST_INDEX_PROPERTY = "security.kms.pkcs11.slot-list-index";

    static final String PIN_PROPERTY = "security.kms.pkcs11.pin";

    static final String KEY_LABEL_PROPERTY = "security.kms.pkcs11.key-label";

    static final String SIGNING_KEY_LABEL_PROPERTY = "security.kms.pkcs11.signing-key-label";

    private static final String KEY_ID_PROPERTY = "security.kms.key-id";

    private static final String SIGNING_KEY_ID_PROPERTY = "security.kms.signing-key-id";

    Pkcs11Settings {
        Objects.requireNonNull(modulePath, "modulePath");
        Objects.requireNonNull(keyLabel, "keyLabel");
        Objects.requireNonNull(signingKeyLabel, "signingKeyLabel");
        extraConfig = List.copyOf(extraConfig);
    }

    /**
     * Reads and validates the settings, or throws a {@link KmsConfigurationException} naming the property at fault.
     *
     * <p>The AES key label is {@code pkcs11.key-label}, else {@code security.kms.key-id}. The signing key label is
     * {@code pkcs11.signing-key-label}, else {@code security.kms.signing-key-id}, else the AES key label. The PIN is
     * {@value #PIN_ENVIRONMENT_VARIABLE} when set, else {@code pkcs11.pin}.
     */
    static Pkcs11Settings from(KmsProperties properties, Function<String, String> environment) {
        KmsProperties.Pkcs11 pkcs11 = properties.getPkcs11();
        String modulePath = requireModule(pkcs11.getModulePath());
        validateSlot(pkcs11);

        String keyLabelProperty = hasText(pkcs11.getKeyLabel()) ? KEY_LABEL_PROPERTY : KEY_ID_PROPERTY;
        String keyLabel = hasText(pkcs11.getKeyLabel()) ? pkcs11.getKeyLabel() : properties.getKeyId();
        if (!hasText(keyLabel)) {
            throw new KmsConfigurationException(KEY_LABEL_PROPERTY,
                    KEY_LABEL_PROPERTY + " is required when security.kms.provider=pkcs11.",
                    "Set " + KEY_LABEL_PROPERTY + " to the label (CKA_LABEL) of the AES key on the token.");
        }

        String signingKeyLabelProperty = SIGNING_KEY_LABEL_PROPERTY;
        String signingKeyLabel = pkcs11.getSigningKeyLabel();
        if (!hasText(signingKeyLabel)) {
            signingKeyLabelProperty = hasText(properties.getSigningKeyId()) ? SIGNING_KEY_ID_PROPERTY
                    : keyLabelProperty;
            signingKeyLabel = hasText(properties.getSigningKeyId()) ? properties.getSigningKeyId() : keyLabel;
        }

        String environmentPin = environment.apply(PIN_ENVIRONMENT_VARIABLE);
        char[] pin = null;
        String pinSource = "none";
        if (environmentPin != null && !environmentPin.isEmpty()) {
            pin = environmentPin.toCharArray();
            pinSource = PIN_ENVIRONMENT_VARIABLE;
        }
        else if (pkcs11.getPin() != null && !pkcs11.getPin().isEmpty()) {
            pin = pkcs11.getPin().toCharArray();
            pinSource = PIN_PROPERTY;
        }
        return new Pkcs11Settings(modulePath, pkcs11.getSlotId(), pkcs11.getSlotListIndex(), pin, pinSource,
                keyLabel.trim(), keyLabelProperty, signingKeyLabel.trim(), signingKeyLabelProperty, List.of());
    }

    /**
     * Returns a copy with further SunPKCS11 configuration lines.
     */
    Pkcs11Settings withExtraConfig(List<String> lines) {
        return new Pkcs11Settings(this.modulePath, this.slotId, this.slotListIndex, this.pin, this.pinSource,
                this.keyLabel, this.keyLabelProperty, this.signingKeyLabel, this.signingKeyLabelProperty, lines);
    }

    /**
     * Returns the slot as written in messages and logs, for example {@code slot-id 1774888979}.
     */
    String slotDescription() {
        return (this.slotId != null) ? "slot-id " + this.slotId : "slot-list-index " + this.slotListIndex;
    }

    /**
     * Returns the property that selects the slot.
     */
    String slotProperty() {
        return (this.slotId != null) ? SLOT_ID_PROPERTY : SLOT_LIST_INDEX_PROPERTY;
    }

    private static String requireModule(String modulePath) {
        if (!hasText(modulePath)) {
            throw new KmsConfigurationException(MODULE_PATH_PROPERTY,
                    MODULE_PATH_PROPERTY + " is required when security.kms.provider=pkcs11.",
                    "Set " + MODULE_PATH_PROPERTY
                            + " to the path of the HSM vendor's PKCS#11 library, for example /usr/lib/softhsm/libsofthsm2.so.");
        }
        String trimmed = modulePath.trim();
        Path path;
        try {
            path = Path.of(trimmed);
        }
        catch (InvalidPathException ex) {
            throw new KmsConfigurationException(MODULE_PATH_PROPERTY,
                    MODULE_PATH_PROPERTY + " '" + trimmed + "' is not a valid path: " + ex.getReason() + ".",
                    "Set " + MODULE_PATH_PROPERTY + " to the absolute path of the PKCS#11 library.", ex);
        }
        // SunPKCS11 also accepts a bare file name that the OS loader searches for, so only a path is checked.
        if ((path.isAbsolute() || path.getNameCount() > 1) && !Files.isRegularFile(path)) {
            throw new KmsConfigurationException(MODULE_PATH_PROPERTY,
                    "The PKCS#11 library " + trimmed + " (" + MODULE_PATH_PROPERTY + ") does not exist or is not a file.",
                    "Install the HSM vendor's PKCS#11 library (for SoftHSM2: apt-get install softhsm2) or correct "
                            + MODULE_PATH_PROPERTY + ".");
        }
        return trimmed;
    }

    private static void validateSlot(KmsProperties.Pkcs11 pkcs11) {
        if (pkcs11.getSlotId() != null && pkcs11.getSlotId() < 0) {
            throw new KmsConfigurationException(SLOT_ID_PROPERTY,
                    SLOT_ID_PROPERTY + " must be 0 or more, but was " + pkcs11.getSlotId() + ".",
                    "Set " + SLOT_ID_PROPERTY + " to the token's slot id (softhsm2-util --show-slots lists them), "
                            + "or leave it empty to select the slot by " + SLOT_LIST_INDEX_PROPERTY + ".");
        }
        if (pkcs11.getSlotId() != null && pkcs11.getSlotId() > Integer.MAX_VALUE) {
            // SunPKCS11's configuration parser reads the slot as a Java int.
            throw new KmsConfigurationException(SLOT_ID_PROPERTY,
                    SLOT_ID_PROPERTY + " " + pkcs11.getSlotId() + " is above 2147483647, the largest slot id that "
                            + "the JDK's SunPKCS11 provider accepts.",
                    "Leave " + SLOT_ID_PROPERTY + " empty and select the slot by " + SLOT_LIST_INDEX_PROPERTY + ".");
        }
        if (pkcs11.getSlotListIndex() < 0) {
            throw new KmsConfigurationException(SLOT_LIST_INDEX_PROPERTY,
                    SLOT_LIST_INDEX_PROPERTY + " must be 0 or more, but was " + pkcs11.getSlotListIndex() + ".",
                    "Set " + SLOT_LIST_INDEX_PROPERTY + " to the position of the token's slot in the module's slot "
                            + "list (0 is the first).");
        }
    }

    private static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }

    @Override
    public String toString() {
        return "Pkcs11Settings[modulePath=%s, %s, pinSource=%s, keyLabel=%s, signingKeyLabel=%s]".formatted(
                this.modulePath, slotDescription(), this.pinSource, this.keyLabel, this.signingKeyLabel);
    }
}
