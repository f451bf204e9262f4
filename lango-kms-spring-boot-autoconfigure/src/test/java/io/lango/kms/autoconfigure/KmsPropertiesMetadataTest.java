package io.lango.kms.autoconfigure;

import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class KmsPropertiesMetadataTest {

    private static final List<String> DOCUMENTED = List.of("security.kms.provider", "security.kms.region",
            "security.kms.key-id", "security.kms.signing-key-id", "security.kms.endpoint",
            "security.kms.fallback-to-local", "security.kms.timeout-per-operation", "security.kms.max-retries",
            "security.kms.health-cache-ttl", "security.kms.azure.vault-url", "security.kms.azure.key-version",
            "security.kms.pkcs11.module-path", "security.kms.pkcs11.slot-id", "security.kms.pkcs11.pin",
            "security.kms.pkcs11.key-label", "security.kms.local.key-store", "security.kms.local.key-store-password",
            "security.kms.keys");

    @Test
    void everyPropertyHasGeneratedDescription() throws Exception {
        Map<String, JsonNode> properties = readGeneratedMetadata();

        for (String name : DOCUMENTED) {
            assertThat(properties).as("metadata for %s", name).containsKey(name);
            assertThat(properties.get(name).path("description").asString()).as("description of %s", name)
                .isNotBlank();
        }
    }

    @Test
    void defaultsAppearInMetadata() throws Exception {
        Map<String, JsonNode> properties = readGeneratedMetadata();

        assertThat(properties.get("security.kms.provider").path("defaultValue").asString()).isEqualTo("local");
        assertThat(properties.get("security.kms.fallback-to-local").path("defaultValue").asBoolean()).isTrue();
        assertThat(properties.get("security.kms.timeout-per-operation").path("defaultValue").asString())
            .isEqualTo("5s");
        assertThat(properties.get("security.kms.max-retries").path("defaultValue").asInt()).isEqualTo(3);
        assertThat(properties.get("security.kms.health-cache-ttl").path("defaultValue").asString()).isEqualTo("30s");
    }

    private static Map<String, JsonNode> readGeneratedMetadata() throws Exception {
        try (InputStream in = KmsProperties.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated configuration metadata").isNotNull();
            JsonNode root = JsonMapper.builder().build().readTree(in);
            Map<String, JsonNode> byName = new HashMap<>();
            root.path("properties").forEach((property) -> byName.put(property.path("name").asString(), property));
            return byName;
        }
    }
}
