package io.lango.kms.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.lango.kms.testsupport.gcp.GcpKmsStandInMain;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app with the {@code gcp} profile against the Cloud KMS stand-in, started as its own process with the
 * documented main class, passes the same REST and Actuator checks as the local run.
 *
 * <p>The profile's key names are the stand-in's defaults, so only the endpoint is overridden, with the free port
 * that the stand-in picked.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("gcp")
@DirtiesContext
class GcpProfileTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path directory;

    private static Process standIn;

    private static Path standInLog;

    private static int standInPort;

    @LocalServerPort
    private int port;

    @BeforeAll
    static void startStandIn() throws Exception {
        Path portFile = directory.resolve("gcp-kms-stand-in.port");
        standInLog = directory.resolve("gcp-kms-stand-in.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Surefire runs tests from a manifest-only jar; this property carries the real test class path.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        standIn = new ProcessBuilder(List.of(java, "-cp", classPath, GcpKmsStandInMain.class.getName(), "--port", "0",
                "--port-file", portFile.toString()))
            .redirectErrorStream(true)
            .redirectOutput(standInLog.toFile())
            .start();
        standInPort = awaitPort(portFile);
    }

    @AfterAll
    static void stopStandIn() throws InterruptedException {
        if (standIn == null) {
            return;
        }
        standIn.destroy();
        if (!standIn.waitFor(30, TimeUnit.SECONDS)) {
            standIn.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @DynamicPropertySource
    static void standInEndpoint(DynamicPropertyRegistry registry) {
        registry.add("security.kms.endpoint", () -> "http://127.0.0.1:" + standInPort);
        FallbackKeyStore.register(registry);
    }

    @Test
    void restApiAndActuatorPassSharedChecks() {
        SampleAppChecks.assertRestAndActuator("http://127.0.0.1:" + this.port, "gcp-kms");
    }

    @Test
    void standInPrintsTheProfileSettings() throws IOException {
        String log = Files.readString(standInLog, StandardCharsets.UTF_8);

        assertThat(log).contains("security.kms.key-id=" + GcpKmsStandInMain.DEFAULT_ENCRYPTION_KEY);
        assertThat(log).contains("security.kms.signing-key-id=" + GcpKmsStandInMain.DEFAULT_SIGNING_KEY
                + "/cryptoKeyVersions/1");
    }

    private static int awaitPort(Path portFile) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (Files.exists(portFile)) {
                return Integer.parseInt(Files.readString(portFile, StandardCharsets.US_ASCII).trim());
            }
            if (!standIn.isAlive()) {
                throw new IllegalStateException("The Cloud KMS stand-in exited with code %d:%n%s"
                    .formatted(standIn.exitValue(), Files.readString(standInLog, StandardCharsets.UTF_8)));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("The Cloud KMS stand-in did not write its port within %s:%n%s"
            .formatted(START_TIMEOUT, Files.readString(standInLog, StandardCharsets.UTF_8)));
    }
}
