package io.lango.kms.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsProviderName;
import io.lango.kms.composite.CompositeCryptoProvider;
import io.lango.kms.local.LocalCryptoProvider;
import io.lango.kms.registry.KeyRegistry;
import io.lango.kms.support.KmsHealthChecker;

import static org.assertj.core.api.Assertions.assertThat;

class KmsAutoConfigurationTest {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KmsAutoConfiguration.class));

    @TempDir
    Path directory;

    @Test
    void noConfigurationGivesDocumentedDefaults() {
        this.contextRunner.run((context) -> {
            KmsProperties properties = context.getBean(KmsProperties.class);
            assertThat(properties.getProvider()).isEqualTo("local");
            assertThat(properties.isFallbackToLocal()).isTrue();
            assertThat(properties.getTimeoutPerOperation()).isEqualTo(Duration.ofSeconds(5));
            assertThat(properties.getMaxRetries()).isEqualTo(3);
            assertThat(properties.getHealthCacheTtl()).isEqualTo(Duration.ofSeconds(30));
        });
    }

    @Test
    void localProviderIsTheDefaultBean() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasSingleBean(CryptoProvider.class);
            assertThat(context).hasSingleBean(KmsHealthChecker.class);
            assertThat(context).hasSingleBean(KeyRegistry.class);
            CryptoProvider provider = context.getBean(CryptoProvider.class);
            assertThat(provider).isInstanceOf(CompositeCryptoProvider.class);
            assertThat(provider.providerName()).isEqualTo(KmsProviderName.LOCAL);
            assertThat(((CompositeCryptoProvider) provider).isFallbackEnabled()).isFalse();
            byte[] ciphertext = provider.encrypt("default", new byte[] { 1, 2 });
            assertThat(provider.decrypt("default", ciphertext)).containsExactly(1, 2);
        });
    }

    @Test
    void configuredKeyStoreKeepsCiphertextReadableAcrossRestarts() {
        String[] keyStore = { "security.kms.local.key-store=" + this.directory.resolve("keys.p12"),
                "security.kms.local.key-store-password=changeit" };
        byte[][] ciphertext = new byte[1][];
        this.contextRunner.withPropertyValues(keyStore)
            .run((context) -> ciphertext[0] = context.getBean(CryptoProvider.class).encrypt("", new byte[] { 42 }));

        this.contextRunner.withPropertyValues(keyStore)
            .run((context) -> assertThat(context.getBean(CryptoProvider.class).decrypt("", ciphertext[0]))
                .containsExactly(42));
    }

    @Test
    void userCryptoProviderBeanWins() {
        LocalCryptoProvider custom = new LocalCryptoProvider(
                io.lango.kms.local.LocalKeyStore.load(new KmsProperties(), (variable) -> null));
        this.contextRunner.withBean("customProvider", CryptoProvider.class, () -> custom)
            .run((context) -> assertThat(context.getBean(CryptoProvider.class)).isSameAs(custom));
    }

    @Test
    void disabledPropertyCreatesNoBeans() {
        this.contextRunner.withPropertyValues("security.kms.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(CryptoProvider.class));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "security.kms.max-retries=-1 | security.kms.max-retries | must be 0 or more, but was -1 | Set security.kms.max-retries to 0",
            "security.kms.timeout-per-operation=0s | security.kms.timeout-per-operation | must be a positive duration | such as 5s",
            "security.kms.timeout-per-operation=-2s | security.kms.timeout-per-operation | must be a positive duration | such as 5s",
            "security.kms.health-cache-ttl=-1s | security.kms.health-cache-ttl | must be 0 or more | such as 30s",
            "security.kms.provider=vault | security.kms.provider | Unknown KMS provider 'vault' | one of: local, aws-kms, gcp-kms, azure-kv, pkcs11",
            "security.kms.provider=azure-kv | security.kms.azure.vault-url | is required when security.kms.provider=azure-kv | vault.azure.net",
            "security.kms.provider=pkcs11 | security.kms.pkcs11.module-path | is required when security.kms.provider=pkcs11 | libsofthsm2.so",
            "security.kms.provider=aws-kms | security.kms.key-id | is required when security.kms.provider=aws-kms | default encryption key",
            "security.kms.keys[0].name=default | security.kms.keys[0].name | reserved for the default key | Choose another name" })
    void invalidPropertyFailsStartupWithAnalysis(String property, String name, String description, String action) {
        this.contextRunner.withPropertyValues(property).run((context) -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new KmsConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).as("analysis of %s", property).isNotNull();
            assertThat(analysis.getDescription()).contains("'" + name + "'");
            assertThat(analysis.getDescription()).contains(description);
            assertThat(analysis.getAction()).contains(action);
        });
    }

    @Test
    void fallbackWithoutKeyStoreFailsStartup() {
        this.contextRunner.withPropertyValues("security.kms.provider=aws-kms", "security.kms.key-id=alias/app",
                "security.kms.region=us-east-1", "security.kms.endpoint=http://127.0.0.1:9")
            .run((context) -> {
                FailureAnalysis analysis = new KmsConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
                assertThat(analysis.getDescription()).contains("'security.kms.local.key-store'");
                assertThat(analysis.getDescription()).contains("could not be decrypted after a restart");
                assertThat(analysis.getAction()).contains("security.kms.fallback-to-local=false");
            });
    }

    @Test
    void fallbackDisabledNeedsNoKeyStore() {
        this.contextRunner
            .withPropertyValues("security.kms.provider=aws-kms", "security.kms.key-id=alias/app",
                    "security.kms.region=us-east-1", "security.kms.endpoint=http://127.0.0.1:9",
                    "security.kms.fallback-to-local=false")
            .run((context) -> assertThat(context).hasNotFailed());
    }

    @Test
    void duplicateKeyNamesFailStartup() {
        this.contextRunner
            .withPropertyValues("security.kms.keys[0].name=orders", "security.kms.keys[1].name=Orders")
            .run((context) -> {
                FailureAnalysis analysis = new KmsConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
                assertThat(analysis.getDescription()).contains("security.kms.keys[1].name");
                assertThat(analysis.getDescription()).contains("more than one encryption key");
            });
    }

    @ParameterizedTest
    @CsvSource({ "aws-kms, software.amazon.awssdk, software.amazon.awssdk:kms, kms-aws",
            "gcp-kms, com.google.cloud.kms, com.google.cloud:google-cloud-kms, kms-gcp" })
    void absentSdkFailsStartupWithAnalysis(String provider, String hidden, String artifact, String profile) {
        this.contextRunner.withClassLoader(new FilteredClassLoader(hidden))
            .withPropertyValues("security.kms.provider=" + provider, "security.kms.key-id=key")
            .run((context) -> {
                FailureAnalysis analysis = new KmsConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
                assertThat(analysis.getDescription()).contains(provider).contains(artifact);
                assertThat(analysis.getAction()).contains("-P " + profile);
            });
    }

    @Test
    void analyzerIsRegisteredForBootStartup() throws Exception {
        var resources = getClass().getClassLoader().getResources("META-INF/spring.factories");
        StringBuilder all = new StringBuilder();
        while (resources.hasMoreElements()) {
            try (var in = resources.nextElement().openStream()) {
                all.append(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        assertThat(all).contains(KmsConfigurationFailureAnalyzer.class.getName());
    }
}
