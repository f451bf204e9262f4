package io.lango.kms.azure;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import reactor.core.publisher.Mono;

/**
 * Credential for tests: returns a fixed token, or throws a given failure, without any network request, and records
 * the scopes it was asked for.
 */
final class TestTokenCredential implements TokenCredential {

    static final String TOKEN = "test-token";

    private final RuntimeException failure;

    private final AtomicInteger requests = new AtomicInteger();

    private final List<List<String>> scopes = new CopyOnWriteArrayList<>();

    private TestTokenCredential(RuntimeException failure) {
        this.failure = failure;
    }

    static TestTokenCredential returningToken() {
        return new TestTokenCredential(null);
    }

    static TestTokenCredential failingWith(RuntimeException failure) {
        return new TestTokenCredential(failure);
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.fromSupplier(() -> getTokenSync(request));
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        this.requests.incrementAndGet();
        this.scopes.add(List.copyOf(request.getScopes()));
        if (this.failure != null) {
            throw this.failure;
        }
        return new AccessToken(TOKEN, OffsetDateTime.now().plusHours(1));
    }

    int requests() {
        return this.requests.get();
    }

    List<List<String>> scopes() {
        return this.scopes;
    }
}
