package io.lango.kms;

/**
 * Invalid {@code security.kms} configuration, detected at start-up; the failure analyzer prints the property and
 * the fix.
 */
public class KmsConfigurationException extends RuntimeException {

    private final String property;

    private final String action;

    /**
     * Creates an exception for {@code property}, where {@code description} describes the problem and
     * {@code action} the fix.
     */
    public KmsConfigurationException(String property, String description, String action) {
        this(property, description, action, null);
    }

    public KmsConfigurationException(String property, String description, String action, Throwable cause) {
        super(description, cause);
        this.property = property;
        this.action = action;
    }

    /**
     * Returns the full name of the property at fault, for example {@code security.kms.max-retries}.
     */
    public String getProperty() {
        return this.property;
    }

    /**
     * Returns what the user should change.
     */
    public String getAction() {
        return this.action;
    }
}
