package io.lango.kms.azure;

/**
 * Failure of the {@code TokenCredential} to return an access token, kept apart from Key Vault's own responses so it
 * is classified as access denied and never retried.
 */
final class TokenAcquisitionException extends RuntimeException {

    TokenAcquisitionException(Throwable cause) {
        super("the credential could not get an access token: " + cause.getMessage(), cause);
    }
}
