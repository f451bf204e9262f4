package io.lango.kms.sample;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

import io.lango.kms.sample.SampleAppClient.Reply;
import io.lango.kms.testsupport.aws.MotoServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app with Spring profile {@code aws} against moto over real HTTP: the same REST and Actuator checks as
 * the local run, with the keys named by {@code application-aws.yml}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("aws")
class AwsProfileTest {

    @RegisterExtension
    static final MotoServerExtension moto = new MotoServerExtension();

    private static final AwsCredentialsProvider TEST_CREDENTIALS = StaticCredentialsProvider
        .create(AwsBasicCredentials.create("test", "test"));

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void motoEndpoint(DynamicPropertyRegistry registry) {
        registry.add("security.kms.endpoint", () -> moto.endpoint().toString());
        registry.add("security.kms.region", () -> Region.US_EAST_1.id());
        FallbackKeyStore.register(registry);
    }

    /**
     * Creates the keys under the aliases that {@code application-aws.yml} names; moto is empty before each test.
     */
    @BeforeEach
    void createKeys() {
        try (KmsClient admin = KmsClient.builder()
            .endpointOverride(moto.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(TEST_CREDENTIALS)
            .build()) {
            String encryptionKey = admin.createKey((request) -> request.description("sample")).keyMetadata().keyId();
            String signingKey = admin
                .createKey((request) -> request.keySpec(KeySpec.ECC_NIST_P256).keyUsage(KeyUsageType.SIGN_VERIFY))
                .keyMetadata()
                .keyId();
            admin.createAlias((request) -> request.aliasName("alias/lango-sample").targetKeyId(encryptionKey));
            admin.createAlias((request) -> request.aliasName("alias/lango-sample-signing").targetKeyId(signingKey));
        }
    }

    @Test
    void restApiAndActuatorPassSharedChecks() {
        String baseUrl = "http://127.0.0.1:" + this.port;

        SampleAppChecks.assertRestAndActuator(baseUrl, "aws-kms");

        Reply status = new SampleAppClient(baseUrl).get("/actuator/kms");
        assertThat(status.json().path("region").asString()).as("region in %s", status.body()).isEqualTo("us-east-1");
        assertThat(status.json().path("keyId").asString()).isEqualTo("alias/lango-sample");
        assertThat(status.json().path("signingKeyId").asString()).isEqualTo("alias/lango-sample-signing");
        assertThat(status.json().path("connection").asString()).isEqualTo("connected");
        assertThat(status.json().path("servedBy").asString()).as("provider of the last operation")
            .isEqualTo("aws-kms");
    }

    /**
     * Signs the app's AWS requests with static test credentials, so the SDK's default chain never runs.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class TestCredentials {

        @Bean
        AwsCredentialsProvider awsCredentialsProvider() {
            return TEST_CREDENTIALS;
        }
    }
}
