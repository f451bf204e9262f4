package io.lango.kms.pkcs11;

import java.nio.charset.StandardCharsets;
import java.security.Security;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Configuration;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsConfigurationException;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.autoconfigure.KmsAutoConfiguration;
import io.lango.kms.autoconfigure.KmsBackends;
import io.lango.kms.support.KmsHealthChecker;
import io.lango.kms.testsupport.pkcs11.SoftHsmExtension;
import io.lango.kms.testsupport.pkcs11.SoftHsmToken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Login, logout and JCA registration of PKCS#11 providers over their lifetime, alone, side by side on one slot, and
 * inside Spring contexts.
 */
@ExtendWith(SoftHsmExtension.class)
class Pkcs11LifecycleTest {

    private static final byte[] PAYLOAD = "lifecycle".getBytes(StandardCharsets.US_ASCII);

    private static SoftHsmToken token;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KmsAutoConfiguration.class));

    @BeforeAll
    static void token(SoftHsmToken softHsmToken) {
        token = softHsmToken;
    }

    @AfterEach
    void everyProviderClosed() {
        // Each test closes what it opened, so the next one starts logged out.
        assertThat(Pkcs11Tokens.isLoggedIn(token)).isFalse();
    }

    @Test
    void closeRemovesProviderAndLogsOut() {
        Pkcs11CryptoProvider provider = Pkcs11Tokens.provider(token);
        String name = provider.jcaProviderName();
        assertThat(Security.getProvider(name)).isNotNull();
        assertThat(Pkcs11Tokens.isLoggedIn(token)).isTrue();

        provider.close();

        assertThat(Security.getProvider(name)).isNull();
        assertThat(Pkcs11Tokens.isLoggedIn(token)).isFalse();
    }

    @Test
    void operationsAfterCloseFailAsUnavailable() {
        Pkcs11CryptoProvider provider = Pkcs11Tokens.provider(token);
        provider.close();
        provider.close();

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.encrypt("", PAYLOAD))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE))
            .withMessageContaining("closed");
    }

    @Test
    void secondProviderLogsInAgainAfterFirstClosed() {
        byte[] ciphertext;
        try (Pkcs11CryptoProvider first = Pkcs11Tokens.provider(token)) {
            ciphertext = first.encrypt("", PAYLOAD);
        }
        assertThat(Pkcs11Tokens.isLoggedIn(token)).isFalse();

        try (Pkcs11CryptoProvider second = Pkcs11Tokens.provider(token)) {
            assertThat(second.decrypt("", ciphertext)).isEqualTo(PAYLOAD);
            assertThat(second.verify("", PAYLOAD, second.sign("", PAYLOAD))).isTrue();
        }
    }

    @Test
    void closingOneProviderKeepsOtherLoggedIn() {
        Pkcs11CryptoProvider first = Pkcs11Tokens.provider(token);
        try (Pkcs11CryptoProvider second = Pkcs11Tokens.provider(token)) {
            byte[] signature = second.sign("", PAYLOAD);

            first.close();

            assertThat(Security.getProvider(second.jcaProviderName())).isNotNull();
            assertThat(Pkcs11Tokens.isLoggedIn(token)).isTrue();
            assertThat(second.verify("", PAYLOAD, signature)).isTrue();
            assertThat(second.decrypt("", second.encrypt("", PAYLOAD))).isEqualTo(PAYLOAD);
        }
        finally {
            first.close();
        }
    }

    @Test
    void logoutFromOutsideIsRepaired() throws Exception {
        try (Pkcs11CryptoProvider provider = Pkcs11Tokens.provider(token)) {
            byte[] ciphertext = provider.encrypt("", PAYLOAD);

            Pkcs11Tokens.logOutFromOutside(token);
            assertThat(Pkcs11Tokens.isLoggedIn(token)).isFalse();

            // The cached key handles died with the login; the provider logs in again and repeats the operation.
            assertThat(provider.decrypt("", ciphertext)).isEqualTo(PAYLOAD);
            assertThat(provider.verify("", PAYLOAD, provider.sign("", PAYLOAD))).isTrue();
            assertThat(Pkcs11Tokens.isLoggedIn(token)).isTrue();
        }
    }

    @Test
    void deletedKeyIsReportedAsInvalidKey() {
        token.generateAesKey("lifecycle-test-deleted", 256);
        try (Pkcs11CryptoProvider provider = Pkcs11Tokens.provider(token)) {
            byte[] ciphertext = provider.encrypt("lifecycle-test-deleted", PAYLOAD);

            token.deleteEntry("lifecycle-test-deleted");

            assertThatExceptionOfType(KmsException.class)
                .isThrownBy(() -> provider.decrypt("lifecycle-test-deleted", ciphertext))
                .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY))
                .satisfies((ex) -> assertThat(ex.getKeyId()).isEqualTo("lifecycle-test-deleted"));
            assertThat(provider.decrypt("", provider.encrypt("", PAYLOAD))).isEqualTo(PAYLOAD);
        }
    }

    @Test
    void contextsStartOneAfterAnother() {
        byte[][] ciphertext = new byte[1][];
        this.contextRunner.withPropertyValues(properties()).run((context) -> {
            assertThat(context).hasNotFailed();
            ciphertext[0] = context.getBean(CryptoProvider.class).encrypt("", PAYLOAD);
        });
        assertThat(Pkcs11Tokens.isLoggedIn(token)).isFalse();

        this.contextRunner.withPropertyValues(properties()).run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(CryptoProvider.class).decrypt("", ciphertext[0])).isEqualTo(PAYLOAD);
            assertThat(context.getBean(KmsHealthChecker.class).isConnected()).isTrue();
        });
    }

    @Test
    void laterContextKeepsWorkingAfterEarlierCloses() {
        ConfigurableApplicationContext first = startContext();
        try {
            byte[] ciphertext = first.getBean(CryptoProvider.class).encrypt("", PAYLOAD);
            String firstName = jcaProviderName(first);

            this.contextRunner.withPropertyValues(properties()).run((second) -> {
                assertThat(second).hasNotFailed();

                first.close();

                assertThat(Security.getProvider(firstName)).isNull();
                assertThat(Security.getProvider(jcaProviderName(second))).isNotNull();
                CryptoProvider provider = second.getBean(CryptoProvider.class);
                assertThat(provider.decrypt("", ciphertext)).isEqualTo(PAYLOAD);
                assertThat(provider.verify("", PAYLOAD, provider.sign("", PAYLOAD))).isTrue();
            });
        }
        finally {
            first.close();
        }
    }

    @Test
    void contextWithWrongPinFailsToStart() {
        this.contextRunner.withPropertyValues(properties())
            .withPropertyValues("security.kms.pkcs11.pin=wrong-context-pin-3141")
            .run((context) -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("CKR_PIN_INCORRECT");
                KmsConfigurationException failure = findCause(context.getStartupFailure(),
                        KmsConfigurationException.class);
                assertThat(failure.getProperty()).isEqualTo("security.kms.pkcs11.pin");
                assertThat(failure).hasMessageNotContaining("wrong-context-pin-3141");
                assertThat(findCause(failure, KmsException.class).getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED);
            });
    }

    private static <T extends Throwable> T findCause(Throwable error, Class<T> type) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in the cause chain of " + error);
    }

    private static ConfigurableApplicationContext startContext() {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        TestPropertyValues.of(properties()).applyTo(context);
        context.register(KmsConfiguration.class);
        context.refresh();
        return context;
    }

    private static String jcaProviderName(ApplicationContext context) {
        return ((Pkcs11CryptoProvider) context.getBean(KmsBackends.class).primary().unwrap()).jcaProviderName();
    }

    private static String[] properties() {
        Map<String, String> properties = token.springProperties();
        return java.util.stream.Stream
            .concat(properties.entrySet().stream().map((entry) -> entry.getKey() + "=" + entry.getValue()),
                    java.util.stream.Stream.of("security.kms.fallback-to-local=false"))
            .toArray(String[]::new);
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(KmsAutoConfiguration.class)
    static class KmsConfiguration {

    }
}
