package io.lango.kms.autoconfigure;

import java.util.Optional;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsProviderName;
import io.lango.kms.actuate.KmsDiagnostics;
import io.lango.kms.composite.CompositeCryptoProvider;
import io.lango.kms.local.LocalCryptoProvider;
import io.lango.kms.local.LocalKeyStore;
import io.lango.kms.autoconfigure.KmsProperties.KeyType;
import io.lango.kms.registry.KeyDescriptor;
import io.lango.kms.registry.KeyRegistry;
import io.lango.kms.registry.PropertiesKeyRegistry;
import io.lango.kms.support.KmsHealthChecker;
import io.lango.kms.support.KmsProviderContext;
import io.lango.kms.support.KmsProviderFactory;
import io.lango.kms.support.RetryingCryptoProvider;
import io.lango.kms.envelope.EnvelopeEncryptor;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Auto-configuration of the {@link CryptoProvider} bean from {@code security.kms}: the selected backend with
 * retries, the local fallback, the health checker and the key registry.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "security.kms.enabled", matchIfMissing = true)
@EnableConfigurationProperties(KmsProperties.class)
public final class KmsAutoConfiguration {

    private static final Log logger = LogFactory.getLog(KmsAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    KeyRegistry kmsKeyRegistry(KmsProperties properties) {
        return new PropertiesKeyRegistry(properties);
    }

    @Bean
    @ConditionalOnMissingBean
    KmsBackends kmsBackends(KmsProperties properties, KeyRegistry keyRegistry, ListableBeanFactory beanFactory) {
        KmsProviderName provider = KmsPropertiesValidator.validate(properties);
        KmsProviderContext context = new KmsProviderContext(properties, System::getenv,
                new BeanFactoryLookup(beanFactory), beanClassLoader(beanFactory));
        RetryingCryptoProvider primary = KmsProviderFactory.create(provider.configName(), context);
        LocalCryptoProvider fallback = null;
        try {
            KmsPropertiesValidator.validateFallbackKeyStore(provider, properties);
            if (properties.isFallbackToLocal() && provider != KmsProviderName.LOCAL) {
                fallback = new LocalCryptoProvider(LocalKeyStore.load(properties, System::getenv));
            }
        }
        catch (RuntimeException ex) {
            primary.close();
            throw ex;
        }
        logger.info("Lango KMS uses provider %s (encryption key %s, signing key %s, fallback to local keys %s)"
            .formatted(provider.configName(), defaultKeyId(keyRegistry, KeyType.ENCRYPTION),
                    defaultKeyId(keyRegistry, KeyType.SIGNING), (fallback != null) ? "enabled" : "disabled"));
        return new KmsBackends(primary, fallback);
    }

    private static String defaultKeyId(KeyRegistry keyRegistry, KeyType type) {
        return keyRegistry.find(LocalKeyStore.DEFAULT_KEY, type).map(KeyDescriptor::remoteKeyId).orElse("(none)");
    }

    private static ClassLoader beanClassLoader(ListableBeanFactory beanFactory) {
        if (beanFactory instanceof ConfigurableBeanFactory configurable && configurable.getBeanClassLoader() != null) {
            return configurable.getBeanClassLoader();
        }
        return KmsAutoConfiguration.class.getClassLoader();
    }

    @Bean
    @ConditionalOnMissingBean
    KmsHealthChecker kmsHealthChecker(KmsBackends backends, KmsProperties properties) {
        return new KmsHealthChecker(backends.primary().unwrap(), properties.getHealthCacheTtl(),
                properties.getTimeoutPerOperation());
    }

    @Bean
    @ConditionalOnMissingBean
    EnvelopeEncryptor kmsEnvelopeEncryptor(KmsProperties properties) {
        return new EnvelopeEncryptor(properties.getEnvelope());
    }

    @Bean
    @ConditionalOnMissingBean
    CryptoProvider kmsCryptoProvider(KmsBackends backends, KmsHealthChecker healthChecker, KeyRegistry keyRegistry,
            EnvelopeEncryptor envelopeEncryptor, KmsProperties properties) {
        return new CompositeCryptoProvider(backends.primary(), backends.fallback(), healthChecker, keyRegistry,
                envelopeEncryptor, properties.getEnvelope().isEnabled());
    }

    @Bean
    @ConditionalOnMissingBean
    KmsDiagnostics kmsDiagnostics(KmsProperties properties, CryptoProvider cryptoProvider,
            KmsHealthChecker healthChecker, KeyRegistry keyRegistry) {
        return new KmsDiagnostics(properties, cryptoProvider, healthChecker, keyRegistry);
    }

    /**
     * Publishes the count of operations served by the local fallback when Micrometer is present.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class KmsMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "kmsMeterBinder")
        MeterBinder kmsMeterBinder(CryptoProvider cryptoProvider) {
            return (registry) -> {
                if (cryptoProvider instanceof CompositeCryptoProvider composite) {
                    FunctionCounter.builder("lango.kms.fallback.operations", composite,
                            CompositeCryptoProvider::fallbackOperationCount)
                        .description("Operations served by the local fallback while the KMS was unreachable")
                        .register(registry);
                    registerEnvelopeCounters(registry, composite);
                }
            };
        }

        private static void registerEnvelopeCounters(MeterRegistry registry, CompositeCryptoProvider composite) {
            FunctionCounter.builder("lango.kms.envelope.kms.calls", composite,
                    (provider) -> provider.envelopeStatistics().wrapCalls())
                .tag("operation", "wrap")
                .description("Data keys wrapped by the KMS")
                .register(registry);
            FunctionCounter.builder("lango.kms.envelope.kms.calls", composite,
                    (provider) -> provider.envelopeStatistics().unwrapCalls())
                .tag("operation", "unwrap")
                .description("Data keys unwrapped by the KMS")
                .register(registry);
            FunctionCounter.builder("lango.kms.envelope.kms.calls.saved", composite,
                    (provider) -> provider.envelopeStatistics().wrapCallsSaved())
                .tag("operation", "wrap")
                .description("Encrypts served by a cached data key without a KMS call")
                .register(registry);
            FunctionCounter.builder("lango.kms.envelope.kms.calls.saved", composite,
                    (provider) -> provider.envelopeStatistics().unwrapCallsSaved())
                .tag("operation", "unwrap")
                .description("Decrypts served by a cached data key without a KMS call")
                .register(registry);
        }
    }

    /**
     * Finds the single bean of a type, such as an SDK credentials provider from a Spring Cloud starter.
     */
    private record BeanFactoryLookup(ListableBeanFactory beanFactory) implements KmsProviderContext.BeanLookup {

        @Override
        public <T> Optional<T> find(Class<T> type) {
            return Optional.ofNullable(this.beanFactory.getBeanProvider(type).getIfUnique());
        }
    }
}
