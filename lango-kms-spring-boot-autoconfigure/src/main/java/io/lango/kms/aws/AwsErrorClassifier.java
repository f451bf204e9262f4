package io.lango.kms.aws;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.retry.ClockSkew;
import software.amazon.awssdk.http.SdkHttpResponse;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsOperations;

/**
 * Maps AWS SDK exceptions to a {@link KmsErrorKind} by AWS error code, then by HTTP status, then by the type of
 * the client-side failure; never by message text.
 *
 * <p>The error codes are those of the AWS KMS API reference (each operation's "Errors" section) and of the AWS
 * common errors shared by all services (authentication, throttling, internal failure).
 */
final class AwsErrorClassifier {

    private static final Map<KmsErrorKind, Set<String>> KINDS_BY_CODE = Map.of(
            KmsErrorKind.ACCESS_DENIED,
            Set.of("AccessDeniedException", "AccessDenied", "UnrecognizedClientException", "InvalidClientTokenId",
                    "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature",
                    "MissingAuthenticationToken", "MissingAuthenticationTokenException", "ExpiredToken",
                    "ExpiredTokenException", "NotAuthorized", "InvalidAccessKeyId"),
            KmsErrorKind.KEY_DISABLED, Set.of("DisabledException", "KMSInvalidStateException"),
            KmsErrorKind.INVALID_KEY,
            Set.of("NotFoundException", "InvalidKeyUsageException", "InvalidArnException",
                    "InvalidAliasNameException", "UnsupportedOperationException"),
            KmsErrorKind.INVALID_CIPHERTEXT, Set.of("InvalidCiphertextException", "IncorrectKeyException"),
            KmsErrorKind.INVALID_INPUT,
            Set.of("ValidationException", "SerializationException", "InvalidGrantTokenException",
                    "InvalidParameterValue", "InvalidParameterCombination", "MissingParameter"),
            KmsErrorKind.THROTTLED,
            Set.of("ThrottlingException", "LimitExceededException", "Throttling", "TooManyRequestsException",
                    "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException"),
            KmsErrorKind.UNAVAILABLE,
            Set.of("KMSInternalException", "DependencyTimeoutException", "KeyUnavailableException",
                    "InternalFailure", "InternalError", "InternalServerError", "ServiceUnavailable",
                    "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException"));

    /** Authentication errors that AWS also returns when the request was signed with a skewed clock. */
    private static final Set<String> POSSIBLE_CLOCK_SKEW_CODES = Set.of("InvalidSignatureException",
            "SignatureDoesNotMatch", "AuthFailure");

    private AwsErrorClassifier() {
    }

    /**
     * Classifies {@code error} from a request for {@code operation} and describes it for a
     * {@link io.lango.kms.KmsException} message.
     */
    static Classification classify(String operation, RuntimeException error) {
        if (error instanceof AwsServiceException serviceError) {
            return classifyServiceError(operation, serviceError);
        }
        return classifyClientError(error);
    }

    private static Classification classifyServiceError(String operation, AwsServiceException error) {
        String code = (error.awsErrorDetails() != null) ? error.awsErrorDetails().errorCode() : null;
        String message = (error.awsErrorDetails() != null) ? error.awsErrorDetails().errorMessage() : null;
        String detail = "%s (HTTP %d, request id %s): %s".formatted((code != null) ? code : "unknown error code",
                error.statusCode(), (error.requestId() != null) ? error.requestId() : "none",
                (message != null) ? message : "no message");
        if (isClockSkew(error, code)) {
            // The SDK's client corrects its clock offset from the response's Date header after the failed attempt,
            // even with its retries off, so the next attempt can succeed.
            return new Classification(KmsErrorKind.UNAVAILABLE,
                    detail + "; the local clock differs from AWS's clock, so the request signature expired");
        }
        KmsErrorKind kind = kindOfCode(code);
        if (kind == null) {
            kind = kindOfStatus(error.statusCode());
        }
        return new Classification(kind, withHint(kind, operation, detail));
    }

    /**
     * Returns true for RequestTimeTooSkewed, RequestExpired and RequestInTheFuture. Also returns true for an
     * authentication error whose Date header is more than 4 minutes (the SDK 2.x clock-skew threshold) from the
     * local clock, because AWS rejects a signature made more than 5 minutes off.
     */
    private static boolean isClockSkew(AwsServiceException error, String code) {
        if (error.isClockSkewException()) {
            return true;
        }
        boolean authenticationError = POSSIBLE_CLOCK_SKEW_CODES.contains(code) || error.statusCode() == 401
                || error.statusCode() == 403;
        SdkHttpResponse response = (error.awsErrorDetails() != null) ? error.awsErrorDetails().sdkHttpResponse()
                : null;
        if (!authenticationError || response == null) {
            return false;
        }
        return ClockSkew.getServerTime(response)
            .map((serverTime) -> ClockSkew.isClockSkewed(Instant.now(), serverTime))
            .orElse(false);
    }

    private static KmsErrorKind kindOfCode(String code) {
        if (code == null) {
            return null;
        }
        for (Map.Entry<KmsErrorKind, Set<String>> entry : KINDS_BY_CODE.entrySet()) {
            if (entry.getValue().contains(code)) {
                return entry.getKey();
            }
        }
        return null;
    }

    private static KmsErrorKind kindOfStatus(int status) {
        if (status == 429) {
            return KmsErrorKind.THROTTLED;
        }
        if (status == 401 || status == 403) {
            return KmsErrorKind.ACCESS_DENIED;
        }
        if (status >= 500 || status <= 0) {
            return KmsErrorKind.UNAVAILABLE;
        }
        return KmsErrorKind.INVALID_INPUT;
    }

    private static String withHint(KmsErrorKind kind, String operation, String detail) {
        return switch (kind) {
            case ACCESS_DENIED -> detail + "; the caller's IAM policy and the key policy must allow "
                    + iamAction(operation) + " on this key";
            case KEY_DISABLED -> detail + "; enable the key, or cancel its scheduled deletion";
            default -> detail;
        };
    }

    /**
     * Returns the IAM action that {@code operation} needs; verify and public-key call GetPublicKey.
     */
    static String iamAction(String operation) {
        return switch (operation) {
            case KmsOperations.ENCRYPT -> "kms:Encrypt";
            case KmsOperations.DECRYPT -> "kms:Decrypt";
            case KmsOperations.SIGN -> "kms:Sign";
            default -> "kms:GetPublicKey";
        };
    }

    private static Classification classifyClientError(RuntimeException error) {
        if (hasCause(error, AwsCredentialsGuard.CredentialsUnavailableException.class)) {
            return new Classification(KmsErrorKind.ACCESS_DENIED, "no AWS credentials: " + rootMessage(error)
                    + "; configure credentials for the SDK's default chain (environment, profile, web identity,"
                    + " container or instance role) or define an AwsCredentialsProvider bean");
        }
        if (error instanceof ApiCallAttemptTimeoutException || error instanceof ApiCallTimeoutException) {
            return new Classification(KmsErrorKind.UNAVAILABLE,
                    "timed out (limit set by security.kms.timeout-per-operation): " + error.getMessage());
        }
        if (error instanceof AbortedException) {
            return new Classification(KmsErrorKind.UNAVAILABLE, "request aborted: " + error.getMessage());
        }
        return new Classification(KmsErrorKind.UNAVAILABLE, describeConnectionFailure(error));
    }

    private static String describeConnectionFailure(RuntimeException error) {
        if (hasCause(error, UnknownHostException.class)) {
            return "unknown host, check security.kms.region and security.kms.endpoint: " + rootMessage(error);
        }
        if (hasCause(error, ConnectException.class) || hasCause(error, NoRouteToHostException.class)) {
            return "connection failed: " + rootMessage(error);
        }
        if (hasCause(error, SocketTimeoutException.class)) {
            return "timed out: " + rootMessage(error);
        }
        if (hasCause(error, IOException.class)) {
            return "I/O error: " + rootMessage(error);
        }
        return "request failed in the AWS SDK: " + error.getMessage();
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (type.isInstance(current)) {
                return true;
            }
            if (current.getCause() == current) {
                return false;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + ((message != null) ? ": " + message : "");
    }

    /**
     * Result of classifying one SDK exception.
     *
     * @param kind the class of the failure
     * @param detail the error code, HTTP status, AWS request id and message, or the client-side cause
     */
    record Classification(KmsErrorKind kind, String detail) {
    }
}
