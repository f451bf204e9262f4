package io.lango.kms.support;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.FilteredClassLoader;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsConfigurationException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.local.LocalCryptoProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class KmsProviderFactoryTest {

    @Test
    void unknownNameListsSupportedProviders() {
        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> KmsProviderFactory.create("vault", new KmsProperties()))
            .satisfies((ex) -> {
                assertThat(ex.getMessage()).contains("'vault'");
                assertThat(ex.getMessage()).contains("local, aws-kms, gcp-kms, azure-kv, pkcs11");
                assertThat(ex.getProperty()).isEqualTo("security.kms.provider");
                assertThat(ex.getAction()).contains("security.kms.provider");
            });
    }

    @Test
    void localProviderIsCreatedWithRetries() {
        RetryingCryptoProvider provider = KmsProviderFactory.create("local", new KmsProperties());

        assertThat(provider.providerName()).isEqualTo(KmsProviderName.LOCAL);
        assertThat(provider.unwrap()).isInstanceOf(LocalCryptoProvider.class);
        byte[] ciphertext = provider.encrypt("default", new byte[] { 1, 2, 3 });
        assertThat(provider.decrypt("default", ciphertext)).containsExactly(1, 2, 3);
    }

    @Test
    void providerNameIgnoresCaseAndSpaces() {
        assertThat(KmsProviderFactory.resolveName(" AWS-KMS ")).isEqualTo(KmsProviderName.AWS_KMS);
    }

    @ParameterizedTest
    @CsvSource({ "aws-kms, software.amazon.awssdk.services.kms, software.amazon.awssdk:kms, kms-aws",
            "gcp-kms, com.google.cloud.kms, com.google.cloud:google-cloud-kms, kms-gcp",
            "azure-kv, com.azure.security.keyvault.keys, com.azure:azure-security-keyvault-keys, kms-azure",
            "pkcs11, sun.security.pkcs11, jdk.crypto.cryptoki, kms-pkcs11" })
    void absentSdkNamesArtifactAndProfile(String name, String hiddenPackage, String artifact, String profile) {
        FilteredClassLoader classLoader = new FilteredClassLoader(hiddenPackage);
        KmsProviderContext context = new KmsProviderContext(new KmsProperties(), (variable) -> null,
                KmsProviderContext.BeanLookup.NONE, classLoader);

        assertThatExceptionOfType(KmsConfigurationException.class)
            .isThrownBy(() -> KmsProviderFactory.create(name, context))
            .satisfies((ex) -> {
                assertThat(ex.getMessage()).contains("'" + name + "'");
                assertThat(ex.getMessage()).contains(artifact);
                assertThat(ex.getAction()).contains(artifact);
                assertThat(ex.getAction()).contains("-P " + profile);
            });
    }

    @Test
    void beanLookupNoneFindsNothing() {
        Optional<CryptoProvider> found = KmsProviderContext.BeanLookup.NONE.find(CryptoProvider.class);

        assertThat(found).isEmpty();
    }
}
