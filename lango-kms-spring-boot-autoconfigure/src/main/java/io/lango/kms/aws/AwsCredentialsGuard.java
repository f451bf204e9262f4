package io.lango.kms.aws;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

/**
 * {@link AwsCredentialsProvider} that marks every failure of the provider it wraps with
 * {@link CredentialsUnavailableException}.
 *
 * <p>The SDK reports a failed credential lookup as a plain {@code SdkClientException}, the same type it uses for
 * network errors. The marker lets {@link AwsErrorClassifier} report the failure as access denied by type, not by
 * parsing the SDK's message.
 */
final class AwsCredentialsGuard implements AwsCredentialsProvider {

    private final AwsCredentialsProvider delegate;

    AwsCredentialsGuard(AwsCredentialsProvider delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public AwsCredentials resolveCredentials() {
        try {
            return this.delegate.resolveCredentials();
        }
        catch (RuntimeException ex) {
            throw new CredentialsUnavailableException(ex);
        }
    }

    @Override
    public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(ResolveIdentityRequest request) {
        CompletableFuture<AwsCredentialsIdentity> result = new CompletableFuture<>();
        try {
            this.delegate.resolveIdentity(request).whenComplete((identity, error) -> {
                if (error == null) {
                    result.complete(identity);
                }
                else {
                    result.completeExceptionally(new CredentialsUnavailableException(unwrap(error)));
                }
            });
        }
        catch (RuntimeException ex) {
            result.completeExceptionally(new CredentialsUnavailableException(ex));
        }
        return result;
    }

    @Override
    public String toString() {
        return this.delegate.toString();
    }

    private static Throwable unwrap(Throwable error) {
        if ((error instanceof CompletionException || error instanceof ExecutionException) && error.getCause() != null) {
            return error.getCause();
        }
        return error;
    }

    /**
     * Failure of the credentials provider to return credentials.
     */
    static final class CredentialsUnavailableException extends RuntimeException {

        CredentialsUnavailableException(Throwable cause) {
            super("AWS credentials lookup failed: " + cause.getMessage(), cause);
        }
    }
}
