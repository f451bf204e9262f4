package io.lango.kms.benchmarks;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

import io.lango.kms.CryptoProvider;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.composite.CompositeCryptoProvider;
import io.lango.kms.envelope.EnvelopeEncryptor;
import io.lango.kms.registry.PropertiesKeyRegistry;
import io.lango.kms.support.KmsProviderContext;
import io.lango.kms.support.KmsProviderFactory;
import io.lango.kms.testsupport.aws.MotoServer;

/**
 * Encrypt plus decrypt of 1 KiB through the AWS KMS provider against a moto server on 127.0.0.1: direct KMS
 * encryption, envelope encryption without a cache, and envelope encryption with the data-key cache.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Daws.disableEc2Metadata=true" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AwsEnvelopeBenchmark {

    private MotoServer moto;

    private CryptoProvider backend;

    private EnvelopeEncryptor uncached;

    private EnvelopeEncryptor cached;

    private CompositeCryptoProvider direct;

    private CompositeCryptoProvider envelope;

    private CompositeCryptoProvider envelopeCached;

    private byte[] payload;

    @Setup
    public void setUp() {
        this.moto = MotoServer.start();
        this.payload = new byte[1024];
        new SecureRandom().nextBytes(this.payload);
        KmsProperties properties = properties(createKey());
        this.backend = KmsProviderFactory.create("aws-kms", new KmsProviderContext(properties, (name) -> null,
                new StaticCredentialsLookup(), AwsEnvelopeBenchmark.class.getClassLoader()));
        this.uncached = new EnvelopeEncryptor(properties.getEnvelope());
        KmsProperties.Envelope cacheSettings = new KmsProperties.Envelope();
        cacheSettings.getCache().setEnabled(true);
        this.cached = new EnvelopeEncryptor(cacheSettings);
        this.direct = composite(properties, this.uncached, false);
        this.envelope = composite(properties, this.uncached, true);
        this.envelopeCached = composite(properties, this.cached, true);
    }

    @TearDown
    public void tearDown() {
        this.cached.close();
        this.uncached.close();
        this.backend.close();
        this.moto.close();
    }

    @Benchmark
    public byte[] directKms() {
        return this.direct.decrypt("", this.direct.encrypt("", this.payload));
    }

    @Benchmark
    public byte[] envelopeWithoutCache() {
        return this.envelope.decrypt("", this.envelope.encrypt("", this.payload));
    }

    @Benchmark
    public byte[] envelopeWithCache() {
        return this.envelopeCached.decrypt("", this.envelopeCached.encrypt("", this.payload));
    }

    private CompositeCryptoProvider composite(KmsProperties properties, EnvelopeEncryptor encryptor,
            boolean envelopeEncrypt) {
        return new CompositeCryptoProvider(this.backend, null, () -> true, new PropertiesKeyRegistry(properties),
                encryptor, envelopeEncrypt);
    }

    private String createKey() {
        try (KmsClient client = KmsClient.builder()
            .endpointOverride(this.moto.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials())
            .build()) {
            return client.createKey((request) -> request.description("benchmark")).keyMetadata().keyId();
        }
    }

    private KmsProperties properties(String keyId) {
        KmsProperties properties = new KmsProperties();
        properties.setProvider("aws-kms");
        properties.setRegion("us-east-1");
        properties.setEndpoint(this.moto.endpoint().toString());
        properties.setKeyId(keyId);
        properties.setMaxRetries(0);
        return properties;
    }

    private static AwsCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    }

    /** Supplies static test credentials as if an application had an AwsCredentialsProvider bean. */
    private static final class StaticCredentialsLookup implements KmsProviderContext.BeanLookup {

        @Override
        public <T> Optional<T> find(Class<T> type) {
            if (type == AwsCredentialsProvider.class) {
                return Optional.of(type.cast(credentials()));
            }
            return Optional.empty();
        }
    }
}
