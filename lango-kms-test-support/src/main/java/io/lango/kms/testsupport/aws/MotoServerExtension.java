package io.lango.kms.testsupport.aws;

import java.net.URI;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension that runs one {@link MotoServer} for a test class: started before all tests, reset to an empty
 * state before each test, and stopped after all tests.
 *
 * <p>Register it in a static field with {@code @RegisterExtension}. A test that stops moto to simulate an outage
 * need not restart it: the next test gets a running, empty server on the same port.
 */
public final class MotoServerExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    private MotoServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        this.server = MotoServer.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!server().isRunning()) {
            this.server.restart();
        }
        this.server.reset();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (this.server != null) {
            this.server.stop();
            this.server = null;
        }
    }

    /**
     * Returns the running server, to stop, restart or reset it.
     */
    public MotoServer server() {
        if (this.server == null) {
            throw new IllegalStateException("moto is not started: register MotoServerExtension in a static field");
        }
        return this.server;
    }

    /**
     * Returns the endpoint to give SDK clients, {@code http://127.0.0.1:<port>}.
     */
    public URI endpoint() {
        return server().endpoint();
    }
}
