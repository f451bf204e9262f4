package io.lango.kms.sample;

import java.io.IOException;

import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;

/**
 * Keeps component scanning from picking up test classes in contexts that a test starts itself with
 * {@code SpringApplication}, as Spring Boot's test framework does for {@code @SpringBootTest} contexts.
 *
 * <p>Without it, a {@code @TestConfiguration} nested in any test under {@code io.lango.kms.sample}, such as a
 * backend's profile test, would join every such context.
 */
public class TestClassExclusion implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    /** Command-line argument that adds this initializer to a {@code SpringApplication} run. */
    public static final String ARGUMENT = "--context.initializer.classes=" + TestClassExclusion.class.getName();

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        context.getBeanFactory().registerSingleton(TestClassExclusion.class.getName(), new Filter());
    }

    /**
     * Excludes {@code @TestConfiguration} and {@code @TestComponent} classes, and every class declared in a class
     * whose name ends with Test, Tests or IT.
     */
    static final class Filter extends TypeExcludeFilter {

        @Override
        public boolean match(MetadataReader metadataReader, MetadataReaderFactory metadataReaderFactory)
                throws IOException {
            AnnotationMetadata metadata = metadataReader.getAnnotationMetadata();
            if (metadata.hasAnnotation(TestConfiguration.class.getName())
                    || metadata.hasAnnotation(TestComponent.class.getName())) {
                return true;
            }
            String className = metadata.getClassName();
            int nested = className.indexOf('$');
            String outermost = (nested >= 0) ? className.substring(0, nested) : className;
            return outermost.endsWith("Test") || outermost.endsWith("Tests") || outermost.endsWith("IT");
        }

        @Override
        public boolean equals(Object other) {
            return other != null && other.getClass() == getClass();
        }

        @Override
        public int hashCode() {
            return Filter.class.hashCode();
        }
    }
}
