package io.lango.kms.support;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import io.lango.kms.autoconfigure.KmsProperties;

/**
 * Inputs that a {@link KmsBackend} uses to create its provider: the properties, the environment, and the application's
 * beans (for example an SDK credentials bean from a Spring Cloud starter).
 *
 * @param properties the bound {@code security.kms} properties
 * @param environment reads an environment variable, {@code System::getenv} outside tests
 * @param beans finds an application bean of a type, empty when there is none or more than one
 * @param classLoader the class loader that SDK classes are loaded from
 */
public record KmsProviderContext(KmsProperties properties, Function<String, String> environment, BeanLookup beans,
        ClassLoader classLoader) {

    public KmsProviderContext {
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(beans, "beans");
        Objects.requireNonNull(classLoader, "classLoader");
    }

    /**
     * Creates a context with the process environment, no beans and this class's class loader.
     */
    public static KmsProviderContext of(KmsProperties properties) {
        return new KmsProviderContext(properties, System::getenv, BeanLookup.NONE,
                KmsProviderContext.class.getClassLoader());
    }

    /**
     * Finds an application bean of a type.
     */
    public interface BeanLookup {

        /** Lookup that finds no beans. */
        BeanLookup NONE = new BeanLookup() {

            @Override
            public <T> Optional<T> find(Class<T> type) {
                return Optional.empty();
            }
        };

        /**
         * Returns the single bean of {@code type}, or empty when there is none or more than one.
         */
        <T> Optional<T> find(Class<T> type);
    }
}
