package io.lango.kms.sample.web;

import java.time.Duration;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.autoconfigure.KmsProperties;
import tools.jackson.core.JacksonException;

/**
 * Turns every error of a request into an RFC 9457 problem detail ({@code application/problem+json}) with a message
 * a client can act on, and never a stack trace.
 *
 * <p>A {@link KmsException} maps to a status by its {@link KmsErrorKind}: bad input, ciphertext or key give 400,
 * access denied 403, a disabled key 409, and an unavailable, throttling or corrupting KMS 503 with a
 * {@code Retry-After} header. The problem carries the kind, provider, operation and key id as extra members.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    /**
     * Retry-After in seconds for a throttled or corrupted request: the smallest value the header allows, because the
     * starter has already retried with back-off before the error reaches the API.
     */
    private static final long SHORT_RETRY_AFTER_SECONDS = 1;

    private final long unavailableRetryAfterSeconds;

    /**
     * Creates the handler. An unavailable KMS gets a {@code Retry-After} of {@code security.kms.health-cache-ttl}
     * (at least 1 s). The application re-probes the KMS at most that often, so while fallback is enabled,
     * ciphertext that needs the KMS cannot be decrypted sooner.
     */
    public ApiExceptionHandler(KmsProperties properties) {
        Duration ttl = properties.getHealthCacheTtl();
        this.unavailableRetryAfterSeconds = Math.max(1, (ttl != null) ? ttl.toSeconds() : 0);
    }

    @ExceptionHandler(InvalidRequestException.class)
    ResponseEntity<ProblemDetail> handleInvalidRequest(InvalidRequestException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
        problem.setTitle("Invalid request");
        problem.setProperty("field", ex.getField());
        return ResponseEntity.badRequest().body(problem);
    }

    @ExceptionHandler(KmsException.class)
    ResponseEntity<ProblemDetail> handleKmsException(KmsException ex) {
        HttpStatus status = statusFor(ex.getKind());
        if (status.is5xxServerError() || ex.getKind() == KmsErrorKind.ACCESS_DENIED
                || ex.getKind() == KmsErrorKind.KEY_DISABLED) {
            this.logger.warn("KMS request failed with " + ex.getKind() + ": " + ex.getMessage());
        }
        else if (this.logger.isDebugEnabled()) {
            this.logger.debug("KMS request rejected with " + ex.getKind() + ": " + ex.getMessage());
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, ex.getMessage());
        problem.setTitle(titleFor(ex.getKind()));
        problem.setProperty("kind", ex.getKind().name());
        problem.setProperty("provider", ex.getProvider().configName());
        problem.setProperty("operation", ex.getOperation());
        problem.setProperty("keyId", ex.getKeyId());
        ResponseEntity.BodyBuilder response = ResponseEntity.status(status);
        Long retryAfter = retryAfterSeconds(ex.getKind());
        if (retryAfter != null) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
        }
        return response.body(problem);
    }

    /**
     * Returns a 500 problem detail for any other error; the stack trace goes to the server log only.
     */
    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> handleUnexpected(Exception ex, HttpServletRequest request) {
        this.logger.error("Request " + request.getMethod() + " " + request.getRequestURI() + " failed", ex);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "The server failed to process the request; its log has the details.");
        problem.setTitle("Internal server error");
        return ResponseEntity.internalServerError().body(problem);
    }

    /**
     * Replaces Spring's default detail, which can name the controller method, with one that states what to send.
     */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String detail = (ex.getCause() instanceof JacksonException jsonError)
                ? "Request body is not valid JSON for this operation: " + jsonError.getOriginalMessage()
                : "Request body is missing or unreadable; send a JSON object with Content-Type: application/json.";
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle("Unreadable request body");
        return handleExceptionInternal(ex, problem, headers, status, request);
    }

    /**
     * Returns the HTTP status for a kind of KMS failure.
     */
    static HttpStatus statusFor(KmsErrorKind kind) {
        return switch (kind) {
            case INVALID_INPUT, INVALID_CIPHERTEXT, INVALID_KEY -> HttpStatus.BAD_REQUEST;
            case ACCESS_DENIED -> HttpStatus.FORBIDDEN;
            case KEY_DISABLED -> HttpStatus.CONFLICT;
            case UNAVAILABLE, THROTTLED, INTEGRITY -> HttpStatus.SERVICE_UNAVAILABLE;
        };
    }

    private static String titleFor(KmsErrorKind kind) {
        return switch (kind) {
            case INVALID_INPUT -> "Invalid input";
            case INVALID_CIPHERTEXT -> "Invalid ciphertext";
            case INVALID_KEY -> "Invalid key";
            case ACCESS_DENIED -> "Access denied by the KMS";
            case KEY_DISABLED -> "Key disabled";
            case UNAVAILABLE -> "KMS unavailable";
            case THROTTLED -> "KMS throttled the request";
            case INTEGRITY -> "KMS data failed its integrity check";
        };
    }

    private Long retryAfterSeconds(KmsErrorKind kind) {
        return switch (kind) {
            case UNAVAILABLE -> this.unavailableRetryAfterSeconds;
            case THROTTLED, INTEGRITY -> SHORT_RETRY_AFTER_SECONDS;
            default -> null;
        };
    }
}
