package io.lango.kms;

/**
 * Operation names used in {@link KmsException} messages, logs and metrics.
 */
public final class KmsOperations {

    public static final String SIGN = "sign";

    public static final String VERIFY = "verify";

    public static final String ENCRYPT = "encrypt";

    public static final String DECRYPT = "decrypt";

    public static final String PUBLIC_KEY = "public-key";

    public static final String START_UP = "start-up";

    private KmsOperations() {
    }
}
