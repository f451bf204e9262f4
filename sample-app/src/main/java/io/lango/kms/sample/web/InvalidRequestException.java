package io.lango.kms.sample.web;

/**
 * Request whose JSON field is missing or malformed; the API answers it with a 400 problem detail naming the field.
 */
public class InvalidRequestException extends RuntimeException {

    private final String field;

    public InvalidRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    /**
     * Returns the name of the request field at fault, for example {@code plaintext}.
     */
    public String getField() {
        return this.field;
    }
}
