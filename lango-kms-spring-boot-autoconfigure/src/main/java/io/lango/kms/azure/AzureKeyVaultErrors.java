package io.lango.kms.azure;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpResponse;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;

/**
 * Classifies failures of Key Vault calls into {@link KmsErrorKind} by HTTP status and Key Vault error code.
 *
 * <p>Key Vault error bodies have the form {@code {"error":{"code":"Forbidden","message":...,
 * "innererror":{"code":"KeyDisabled"}}}}. Key Vault reports a disabled key with HTTP 403 and the inner code
 * {@code KeyDisabled}, so the codes are checked before the status, whatever the status is.
 */
final class AzureKeyVaultErrors {

    // NOTE: KeyExpired and KeyNotYetValid follow the naming of KeyDisabled and of SecretExpired for secrets; they
    // were not observed from a live vault.
    private static final Set<String> KEY_UNUSABLE_CODES = Set.of("keydisabled", "keyexpired", "keynotyetvalid");

    /** Codes Key Vault sends with HTTP 429 when a vault or a request type is over its rate limit. */
    private static final Set<String> THROTTLING_CODES = Set.of("throttled", "vaultrequesttypelimitreached");

    private final Duration timeout;

    AzureKeyVaultErrors(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Converts a failure of one Key Vault call into a {@link KmsException} for {@code operation} on
     * {@code keyId}.
     */
    KmsException classify(RuntimeException error, String operation, String keyId) {
        if (error instanceof KmsException kmsException) {
            return kmsException;
        }
        TokenAcquisitionException tokenFailure = findCause(error, TokenAcquisitionException.class);
        if (tokenFailure != null) {
            return failure(operation, keyId, KmsErrorKind.ACCESS_DENIED, tokenFailure.getMessage()
                    + "; check the TokenCredential bean or the environment that DefaultAzureCredential reads", error);
        }
        HttpResponseException responseError = findCause(error, HttpResponseException.class);
        if (responseError != null && responseError.getResponse() != null) {
            return fromResponse(responseError, operation, keyId);
        }
        if (responseError instanceof ClientAuthenticationException) {
            return failure(operation, keyId, KmsErrorKind.ACCESS_DENIED,
                    "authentication failed: " + responseError.getMessage(), error);
        }
        if (findCause(error, TimeoutException.class) != null) {
            return failure(operation, keyId, KmsErrorKind.UNAVAILABLE,
                    "Key Vault request timed out after %d ms (security.kms.timeout-per-operation)"
                        .formatted(this.timeout.toMillis()),
                    error);
        }
        if (findCause(error, IOException.class) != null) {
            return failure(operation, keyId, KmsErrorKind.UNAVAILABLE,
                    "Key Vault could not be reached: " + rootMessage(error), error);
        }
        if (error instanceof UnsupportedOperationException) {
            return failure(operation, keyId, KmsErrorKind.INVALID_KEY, error.getMessage(), error);
        }
        return failure(operation, keyId, KmsErrorKind.UNAVAILABLE,
                "Key Vault call failed: " + error.getClass().getName() + ": " + rootMessage(error), error);
    }

    private KmsException fromResponse(HttpResponseException error, String operation, String keyId) {
        HttpResponse response = error.getResponse();
        int status = response.getStatusCode();
        ErrorBody body = ErrorBody.of(error.getValue());
        KmsErrorKind kind = kind(status, body, operation);
        String requestId = response.getHeaderValue("x-ms-request-id");
        String detail = "Key Vault returned HTTP %d%s: %s%s".formatted(status, body.describeCodes(),
                body.message(), (requestId != null) ? " (request id " + requestId + ")" : "");
        return failure(operation, keyId, kind, detail, error);
    }

    static KmsErrorKind kind(int status, ErrorBody body, String operation) {
        if (body.hasAnyCode(KEY_UNUSABLE_CODES)) {
            return KmsErrorKind.KEY_DISABLED;
        }
        if (status == 429 || body.hasAnyCode(THROTTLING_CODES)) {
            return KmsErrorKind.THROTTLED;
        }
        return switch (status) {
            case 401, 403 -> KmsErrorKind.ACCESS_DENIED;
            case 404, 409 -> KmsErrorKind.INVALID_KEY;
            case 400 -> KmsOperations.DECRYPT.equals(operation) ? KmsErrorKind.INVALID_CIPHERTEXT
                    : KmsErrorKind.INVALID_INPUT;
            default -> KmsErrorKind.UNAVAILABLE;
        };
    }

    private static KmsException failure(String operation, String keyId, KmsErrorKind kind, String detail,
            Throwable cause) {
        return new KmsException(KmsProviderName.AZURE_KV, operation, keyId, kind, detail, cause);
    }

    private static <T extends Throwable> T findCause(Throwable error, Class<T> type) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
    }

    /**
     * Codes and message of a Key Vault error body, as Azure Core decodes it into nested maps.
     *
     * @param codes the {@code code} of the error and of each nested {@code innererror}, outermost first
     * @param message the error message, or a placeholder when the body has none
     */
    record ErrorBody(List<String> codes, String message) {

        static ErrorBody of(Object value) {
            List<String> codes = new ArrayList<>();
            String message = "no error message";
            Object error = (value instanceof Map<?, ?> map) ? map.get("error") : null;
            if (error instanceof Map<?, ?> errorMap && errorMap.get("message") instanceof String text) {
                message = text;
            }
            while (error instanceof Map<?, ?> errorMap) {
                if (errorMap.get("code") instanceof String code) {
                    codes.add(code);
                }
                error = errorMap.get("innererror");
            }
            return new ErrorBody(List.copyOf(codes), message);
        }

        boolean hasAnyCode(Set<String> lowerCaseCodes) {
            return this.codes.stream().anyMatch((code) -> lowerCaseCodes.contains(code.toLowerCase(Locale.ROOT)));
        }

        String describeCodes() {
            return this.codes.isEmpty() ? "" : " (" + String.join("/", this.codes) + ")";
        }
    }
}
