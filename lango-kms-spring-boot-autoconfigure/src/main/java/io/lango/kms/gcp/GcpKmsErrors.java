package io.lango.kms.gcp;

import java.time.Duration;
import java.util.List;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.ErrorDetails;
import com.google.api.gax.rpc.StatusCode;
import com.google.auth.Retryable;
import com.google.rpc.BadRequest;

import io.grpc.Status;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;

/**
 * Classifies the client's {@link ApiException}s into {@link KmsErrorKind}s by gRPC status code.
 */
final class GcpKmsErrors {

    /**
     * Description of the UNAVAILABLE status that grpc-auth's {@code GoogleAuthLibraryCallCredentials} (grpc-java
     * 1.83) fails a call with when the credentials throw an exception that google-auth marks retryable
     * ({@link Retryable}), for example when the token endpoint cannot be reached. Other credential failures give
     * UNAUTHENTICATED.
     */
    static final String CREDENTIALS_FAILURE = "Credentials failed to obtain metadata";

    private static final String ENCRYPTER_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter";

    private static final String SIGNER_ROLE = "roles/cloudkms.signerVerifier";

    private GcpKmsErrors() {
    }

    /**
     * Converts a failed call of {@code operation} on {@code keyName} into a {@link KmsException} whose detail names
     * the status code, the server's message and what to check.
     */
    static KmsException toKmsException(String operation, String keyName, ApiException error,
            Duration timeoutPerOperation) {
        StatusCode.Code code = error.getStatusCode().getCode();
        Status status = Status.fromThrowable(error);
        String serverMessage = "Cloud KMS returned %s: %s".formatted(code, describe(status, error));
        if (isCredentialsFailure(code, status)) {
            String detail = ("the credentials could not produce request metadata (%s: %s); check Application "
                    + "Default Credentials or the CredentialsProvider bean").formatted(status.getDescription(),
                            describe(status.getCause()));
            return failure(operation, keyName, KmsErrorKind.ACCESS_DENIED, detail, error);
        }
        return switch (code) {
            case PERMISSION_DENIED, UNAUTHENTICATED -> failure(operation, keyName, KmsErrorKind.ACCESS_DENIED,
                    serverMessage + "; check that the credentials hold " + roleFor(operation) + " on the key", error);
            case NOT_FOUND -> failure(operation, keyName, KmsErrorKind.INVALID_KEY,
                    serverMessage + "; check the key name", error);
            case INVALID_ARGUMENT -> failure(operation, keyName, invalidArgumentKind(operation, error), serverMessage,
                    error);
            case FAILED_PRECONDITION -> failure(operation, keyName, KmsErrorKind.KEY_DISABLED,
                    serverMessage + "; enable the key version, or check that the Cloud KMS API is enabled", error);
            case RESOURCE_EXHAUSTED -> failure(operation, keyName, KmsErrorKind.THROTTLED, serverMessage, error);
            case DEADLINE_EXCEEDED -> failure(operation, keyName, KmsErrorKind.UNAVAILABLE,
                    "timed out after %s (security.kms.timeout-per-operation); %s".formatted(timeoutPerOperation,
                            serverMessage), error);
            case UNIMPLEMENTED -> failure(operation, keyName, KmsErrorKind.UNAVAILABLE,
                    serverMessage + "; check that security.kms.endpoint points to Cloud KMS", error);
            case OUT_OF_RANGE, ALREADY_EXISTS -> failure(operation, keyName, KmsErrorKind.INVALID_INPUT,
                    serverMessage, error);
            // UNAVAILABLE, INTERNAL, UNKNOWN, ABORTED, CANCELLED and DATA_LOSS are server or transport failures.
            default -> failure(operation, keyName, KmsErrorKind.UNAVAILABLE, serverMessage, error);
        };
    }

    /**
     * Returns true when the client's credentials failed before the request was sent. grpc-auth reports that as
     * UNAVAILABLE with {@link #CREDENTIALS_FAILURE} and a google-auth {@link Retryable} cause, which a transport
     * failure never has, or as UNAUTHENTICATED with a local cause, which a server's status never carries.
     */
    private static boolean isCredentialsFailure(StatusCode.Code code, Status status) {
        if (code == StatusCode.Code.UNAVAILABLE) {
            return CREDENTIALS_FAILURE.equals(status.getDescription()) && status.getCause() instanceof Retryable;
        }
        return code == StatusCode.Code.UNAUTHENTICATED && status.getCause() != null;
    }

    /**
     * Classifies INVALID_ARGUMENT by the request field that the BadRequest details name: a mismatched request
     * checksum is INTEGRITY (Google recommends a limited number of retries), a payload field is the caller's
     * input, and the name field is the key. Without details, Decrypt's argument is the ciphertext and the other
     * methods' is the key.
     */
    private static KmsErrorKind invalidArgumentKind(String operation, ApiException error) {
        List<String> fields = violatedFields(error.getErrorDetails());
        if (fields.stream().anyMatch((field) -> field.endsWith("_crc32c"))) {
            return KmsErrorKind.INTEGRITY;
        }
        if (fields.stream().anyMatch((field) -> field.startsWith("ciphertext"))) {
            return KmsErrorKind.INVALID_CIPHERTEXT;
        }
        if (fields.stream().anyMatch(GcpKmsErrors::isPayloadField)) {
            return KmsErrorKind.INVALID_INPUT;
        }
        if (fields.isEmpty() && KmsOperations.DECRYPT.equals(operation)) {
            return KmsErrorKind.INVALID_CIPHERTEXT;
        }
        return KmsErrorKind.INVALID_KEY;
    }

    private static List<String> violatedFields(ErrorDetails details) {
        BadRequest badRequest = (details != null) ? details.getBadRequest() : null;
        if (badRequest == null) {
            return List.of();
        }
        return badRequest.getFieldViolationsList().stream().map(BadRequest.FieldViolation::getField).toList();
    }

    private static boolean isPayloadField(String field) {
        return field.startsWith("plaintext") || field.startsWith("additional_authenticated_data")
                || field.startsWith("digest") || field.startsWith("data");
    }

    /**
     * Returns the status description, followed by the local cause for a failure on the client side, such as a
     * refused connection.
     */
    private static String describe(Status status, ApiException error) {
        String description = (status.getDescription() != null) ? status.getDescription() : error.getMessage();
        return (status.getCause() != null) ? description + " (" + describe(status.getCause()) + ")" : description;
    }

    private static String describe(Throwable cause) {
        return (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getName();
    }

    private static String roleFor(String operation) {
        return switch (operation) {
            case KmsOperations.ENCRYPT, KmsOperations.DECRYPT -> ENCRYPTER_ROLE;
            default -> SIGNER_ROLE;
        };
    }

    private static KmsException failure(String operation, String keyName, KmsErrorKind kind, String detail,
            Throwable cause) {
        return new KmsException(KmsProviderName.GCP_KMS, operation, keyName, kind, detail, cause);
    }
}
