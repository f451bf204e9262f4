package io.lango.kms.aws;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.aws.AwsErrorClassifier.Classification;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Classification of SDK exceptions that the error stub cannot produce over HTTP: responses whose Date header is far
 * off (the JDK's HTTP server always sends its own), unknown hosts (resolving one would leave 127.0.0.1), and
 * exceptions the SDK raises itself.
 */
class AwsErrorClassifierTest {

    @Test
    void skewedSignatureErrorIsUnavailable() {
        AwsServiceException error = serviceError("InvalidSignatureException", 400, Instant.now().plus(Duration.ofMinutes(20)));

        Classification classification = AwsErrorClassifier.classify("encrypt", error);

        assertThat(classification.kind()).isEqualTo(KmsErrorKind.UNAVAILABLE);
        assertThat(classification.detail()).contains("InvalidSignatureException", "local clock differs");
    }

    @Test
    void signatureErrorIsAccessDenied() {
        AwsServiceException error = serviceError("InvalidSignatureException", 400, Instant.now());

        Classification classification = AwsErrorClassifier.classify("sign", error);

        assertThat(classification.kind()).isEqualTo(KmsErrorKind.ACCESS_DENIED);
        assertThat(classification.detail()).contains("kms:Sign");
    }

    @Test
    void skewedForbiddenIsUnavailable() {
        AwsServiceException error = serviceError("SomeAuthError", 403, Instant.now().minus(Duration.ofHours(1)));

        assertThat(AwsErrorClassifier.classify("decrypt", error).kind()).isEqualTo(KmsErrorKind.UNAVAILABLE);
    }

    @Test
    void unknownHostIsUnavailable() {
        SdkClientException error = SdkClientException.create("Unable to execute HTTP request",
                new UnknownHostException("kms.xx-nowhere-1.amazonaws.com"));

        Classification classification = AwsErrorClassifier.classify("encrypt", error);

        assertThat(classification.kind()).isEqualTo(KmsErrorKind.UNAVAILABLE);
        assertThat(classification.detail()).contains("unknown host", "kms.xx-nowhere-1.amazonaws.com");
    }

    @Test
    void connectionRefusedIsUnavailable() {
        SdkClientException error = SdkClientException.create("Unable to execute HTTP request",
                new ConnectException("Connection refused"));

        Classification classification = AwsErrorClassifier.classify("encrypt", error);

        assertThat(classification.kind()).isEqualTo(KmsErrorKind.UNAVAILABLE);
        assertThat(classification.detail()).contains("connection failed", "Connection refused");
    }

    @Test
    void attemptTimeoutIsUnavailable() {
        Classification classification = AwsErrorClassifier.classify("sign", ApiCallAttemptTimeoutException.create(300));

        assertThat(classification.kind()).isEqualTo(KmsErrorKind.UNAVAILABLE);
        assertThat(classification.detail()).contains("timed out", "security.kms.timeout-per-operation");
    }

    @Test
    void wrappedCredentialsFailureIsAccessDenied() {
        SdkClientException error = SdkClientException.create("Unable to load credentials",
                new AwsCredentialsGuard.CredentialsUnavailableException(new IllegalStateException("no profile")));

        Classification classification = AwsErrorClassifier.classify("encrypt", error);

        assertThat(classification.kind()).isEqualTo(KmsErrorKind.ACCESS_DENIED);
        assertThat(classification.detail()).contains("no AWS credentials", "no profile");
    }

    @Test
    void otherClientErrorIsUnavailable() {
        SdkClientException error = SdkClientException.create("Unable to unmarshall response");

        Classification classification = AwsErrorClassifier.classify("decrypt", error);

        assertThat(classification.kind()).isEqualTo(KmsErrorKind.UNAVAILABLE);
        assertThat(classification.detail()).contains("Unable to unmarshall response");
    }

    private static AwsServiceException serviceError(String code, int status, Instant serverTime) {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(serverTime.atOffset(ZoneOffset.UTC));
        SdkHttpResponse response = SdkHttpResponse.builder().statusCode(status).putHeader("Date", date).build();
        return AwsServiceException.builder()
            .statusCode(status)
            .requestId("req-1")
            .awsErrorDetails(AwsErrorDetails.builder()
                .errorCode(code)
                .errorMessage("scripted")
                .sdkHttpResponse(response)
                .build())
            .build();
    }
}
