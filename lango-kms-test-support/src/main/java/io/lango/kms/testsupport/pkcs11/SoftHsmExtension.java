package io.lango.kms.testsupport.pkcs11;

import java.nio.file.Path;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit extension that provides a fresh SoftHSM2 token with an AES-256 key ({@link SoftHsmToken#AES_KEY_LABEL})
 * and an EC P-256 key pair ({@link SoftHsmToken#EC_KEY_LABEL}), and deletes it after the test run.
 *
 * <p>Test methods, constructors and {@code @BeforeAll} methods get the token as a {@link SoftHsmToken} parameter;
 * code that runs outside them, such as a {@code @DynamicPropertySource} method, calls {@link #token()}.
 *
 * <p><b>One token per JVM.</b> SoftHSM2 reads its configuration file, named by the environment variable
 * {@code SOFTHSM2_CONF}, and scans the token directory in {@code C_Initialize}. The JDK's SunPKCS11 calls
 * {@code C_Initialize} once per module and JVM and never {@code C_Finalize}, so a token created after the first
 * PKCS#11 call of the JVM stays invisible to it ({@code CKR_SLOT_ID_INVALID}), and a Java process cannot change its
 * own environment. So the extension creates a single token for the whole JVM, before any test touches the module,
 * and every test class shares it: a test that needs more keys adds them under its own labels with
 * {@link SoftHsmToken#generateAesKey(String, int)} and the like, which SoftHSM2 picks up at once. Objects that
 * another process adds to an existing token are visible, unlike new tokens.
 *
 * <p>The build sets {@code SOFTHSM2_CONF} for the Surefire JVM to a path under the build directory, for example
 * {@code ${project.build.directory}/softhsm2/softhsm2.conf}. The extension writes that file, pointing it at a new
 * private temporary directory ({@code rwx------}) that contains the token, and deletes both when the JUnit run ends.
 * It never overwrites a configuration file that it did not write. Run such tests in one forked JVM per module (the
 * Surefire default); tests in other JVMs get their own token.
 */
public final class SoftHsmExtension implements BeforeAllCallback, ParameterResolver {

    /** Environment variable from which SoftHSM2 reads the path of its configuration file. */
    public static final String CONFIG_ENVIRONMENT_VARIABLE = "SOFTHSM2_CONF";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
        .create(SoftHsmExtension.class);

    private static final Object lock = new Object();

    /** Token of this JVM; guarded by {@link #lock}. */
    private static SharedToken shared;

    /** Whether this JVM ever created a token; guarded by {@link #lock}. */
    private static boolean created;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(NAMESPACE).computeIfAbsent(SharedToken.class, (key) -> createShared(),
                SharedToken.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == SoftHsmToken.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return extensionContext.getRoot()
            .getStore(NAMESPACE)
            .computeIfAbsent(SharedToken.class, (key) -> createShared(), SharedToken.class)
            .token();
    }

    /**
     * Returns the token of this JVM, created by the extension before the first test class that uses it.
     *
     * @throws IllegalStateException when no test class with this extension has started yet
     */
    public static SoftHsmToken token() {
        synchronized (lock) {
            if (shared == null) {
                throw new IllegalStateException("No SoftHSM2 token exists yet; register SoftHsmExtension on the "
                        + "test class with @ExtendWith(SoftHsmExtension.class) before other extensions");
            }
            return shared.token();
        }
    }

    private static SharedToken createShared() {
        synchronized (lock) {
            if (shared != null) {
                return shared;
            }
            if (created) {
                throw new ExtensionConfigurationException("The SoftHSM2 token of this JVM was already deleted at the "
                        + "end of an earlier JUnit run; SoftHSM2 cannot see a new token in the same JVM, so run "
                        + "the tests in a new JVM");
            }
            shared = new SharedToken(SoftHsmToken.create(configFile()));
            created = true;
            return shared;
        }
    }

    private static Path configFile() {
        String configured = System.getenv(CONFIG_ENVIRONMENT_VARIABLE);
        if (configured == null || configured.isBlank()) {
            throw new ExtensionConfigurationException(CONFIG_ENVIRONMENT_VARIABLE + " is not set for this JVM. "
                    + "SoftHSM2 reads it once per process, so set it before the JVM starts, for example in "
                    + "Surefire's <environmentVariables> as ${project.build.directory}/softhsm2/softhsm2.conf, "
                    + "or in the IDE's run configuration");
        }
        return Path.of(configured);
    }

    /**
     * The JVM's token in the root store, which JUnit closes when the run ends.
     */
    private record SharedToken(SoftHsmToken token) implements AutoCloseable {

        @Override
        public void close() {
            synchronized (lock) {
                shared = null;
            }
            this.token.close();
        }
    }
}
