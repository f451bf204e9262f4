package io.lango.kms.support;

import java.lang.reflect.InvocationTargetException;
import java.util.EnumMap;
import java.util.Map;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsConfigurationException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;

/**
 * Creates the {@link CryptoProvider} for a provider name, wrapped with {@link KmsRetry}.
 *
 * <p>Each cloud SDK is an optional dependency. A backend class is loaded only after its SDK's marker class is
 * found, so selecting a backend whose SDK is absent fails with a message naming the missing artifact and the
 * sample app's Maven profile that adds it.
 */
public final class KmsProviderFactory {

    private static final String PROVIDER_PROPERTY = "security.kms.provider";

    private static final Map<KmsProviderName, BackendDescriptor> BACKENDS = new EnumMap<>(KmsProviderName.class);

    static {
        register(new BackendDescriptor(KmsProviderName.LOCAL, null, null, null,
                "io.lango.kms.local.LocalKmsBackend"));
        register(new BackendDescriptor(KmsProviderName.AWS_KMS, "software.amazon.awssdk.services.kms.KmsClient",
                "software.amazon.awssdk:kms", "kms-aws", "io.lango.kms.aws.AwsKmsBackend"));
        register(new BackendDescriptor(KmsProviderName.GCP_KMS,
                "com.google.cloud.kms.v1.KeyManagementServiceClient", "com.google.cloud:google-cloud-kms", "kms-gcp",
                "io.lango.kms.gcp.GcpKmsBackend"));
        register(new BackendDescriptor(KmsProviderName.AZURE_KV,
                "com.azure.security.keyvault.keys.cryptography.CryptographyClient",
                "com.azure:azure-security-keyvault-keys", "kms-azure", "io.lango.kms.azure.AzureKeyVaultBackend"));
        register(new BackendDescriptor(KmsProviderName.PKCS11, "sun.security.pkcs11.SunPKCS11",
                "the JDK module jdk.crypto.cryptoki", "kms-pkcs11", "io.lango.kms.pkcs11.Pkcs11Backend"));
    }

    private KmsProviderFactory() {
    }

    private static void register(BackendDescriptor descriptor) {
        BACKENDS.put(descriptor.name(), descriptor);
    }

    /**
     * Creates the provider named {@code name} from {@code properties}, with the process environment and no
     * application beans.
     */
    public static RetryingCryptoProvider create(String name, KmsProperties properties) {
        return create(name, KmsProviderContext.of(properties));
    }

    /**
     * Creates the provider named {@code name}, retried up to {@code security.kms.max-retries} times.
     */
    public static RetryingCryptoProvider create(String name, KmsProviderContext context) {
        CryptoProvider provider = createBackend(resolveName(name), context);
        return new RetryingCryptoProvider(provider, new KmsRetry(context.properties().getMaxRetries()));
    }

    /**
     * Resolves a {@code security.kms.provider} value, or throws an error that lists the supported names.
     */
    public static KmsProviderName resolveName(String name) {
        return KmsProviderName.fromConfigName(name)
            .orElseThrow(() -> new KmsConfigurationException(PROVIDER_PROPERTY,
                    "Unknown KMS provider '%s'. Supported providers: %s.".formatted(name,
                            String.join(", ", KmsProviderName.configNames())),
                    "Set %s to one of: %s.".formatted(PROVIDER_PROPERTY,
                            String.join(", ", KmsProviderName.configNames()))));
    }

    private static CryptoProvider createBackend(KmsProviderName name, KmsProviderContext context) {
        BackendDescriptor descriptor = BACKENDS.get(name);
        checkSdkPresent(descriptor, context.classLoader());
        return instantiate(descriptor, context.classLoader()).create(context);
    }

    private static void checkSdkPresent(BackendDescriptor descriptor, ClassLoader classLoader) {
        if (descriptor.sdkClass() == null || isPresent(descriptor.sdkClass(), classLoader)) {
            return;
        }
        throw new KmsConfigurationException(PROVIDER_PROPERTY,
                "KMS provider '%s' is not available: %s is not on the class path (class %s was not found)."
                    .formatted(descriptor.name().configName(), descriptor.artifact(), descriptor.sdkClass()),
                "Add %s to the application's dependencies; the sample app adds it with the Maven profile %s (mvn -P %s)."
                    .formatted(descriptor.artifact(), descriptor.mavenProfile(), descriptor.mavenProfile()));
    }

    private static boolean isPresent(String className, ClassLoader classLoader) {
        try {
            Class.forName(className, false, classLoader);
            return true;
        }
        catch (ClassNotFoundException | LinkageError ex) {
            return false;
        }
    }

    private static KmsBackend instantiate(BackendDescriptor descriptor, ClassLoader classLoader) {
        try {
            Class<?> type = Class.forName(descriptor.backendClass(), true, classLoader);
            return (KmsBackend) type.getDeclaredConstructor().newInstance();
        }
        catch (ClassNotFoundException | NoSuchMethodException | InstantiationException | IllegalAccessException ex) {
            throw new IllegalStateException("KMS backend class %s for provider '%s' could not be loaded"
                .formatted(descriptor.backendClass(), descriptor.name().configName()), ex);
        }
        catch (InvocationTargetException ex) {
            throw new IllegalStateException("KMS backend class %s for provider '%s' failed in its constructor"
                .formatted(descriptor.backendClass(), descriptor.name().configName()), ex.getCause());
        }
    }

    /**
     * Location of a backend's SDK marker class and implementation class; {@code sdkClass} is null when the
     * backend needs no SDK.
     */
    private record BackendDescriptor(KmsProviderName name, String sdkClass, String artifact, String mavenProfile,
            String backendClass) {
    }
}
