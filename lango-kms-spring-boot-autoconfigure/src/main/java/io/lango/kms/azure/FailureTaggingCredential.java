package io.lango.kms.azure;

import java.util.Objects;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import reactor.core.publisher.Mono;

/**
 * {@link TokenCredential} that wraps every failure of its delegate in a {@link TokenAcquisitionException}, so the
 * error classification can distinguish a failed token request from a Key Vault response.
 */
final class FailureTaggingCredential implements TokenCredential {

    private final TokenCredential delegate;

    FailureTaggingCredential(TokenCredential delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.defer(() -> this.delegate.getToken(request)).onErrorMap(TokenAcquisitionException::new);
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        try {
            return this.delegate.getTokenSync(request);
        }
        catch (RuntimeException ex) {
            throw new TokenAcquisitionException(ex);
        }
    }

    TokenCredential delegate() {
        return this.delegate;
    }
}
