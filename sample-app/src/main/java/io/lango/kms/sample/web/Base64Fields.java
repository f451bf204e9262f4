package io.lango.kms.sample.web;

import java.util.Base64;

/**
 * Decodes and encodes the API's binary fields as standard base64 (RFC 4648, section 4, with padding).
 */
final class Base64Fields {

    private Base64Fields() {
    }

    /**
     * Decodes the required field {@code field}, or throws an {@link InvalidRequestException} that names it.
     */
    static byte[] decode(String field, String value) {
        if (value == null) {
            throw new InvalidRequestException(field,
                    "Field '%s' is missing; send it as a base64 string (an empty string is empty data).".formatted(field));
        }
        try {
            return Base64.getDecoder().decode(value);
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidRequestException(field,
                    "Field '%s' is not valid base64 (RFC 4648 standard alphabet with padding): %s".formatted(field,
                            ex.getMessage()));
        }
    }

    static String encode(byte[] value) {
        return Base64.getEncoder().encodeToString(value);
    }
}
