package io.lango.kms.testsupport.aws;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * HTTP stand-in for AWS KMS on 127.0.0.1 that speaks the KMS JSON protocol (AWS JSON 1.1) and returns scripted
 * errors, for the cases moto cannot produce: disabled keys, key states, key usage, throttling and outages.
 *
 * <p>Each request takes the next scripted step: an error ({@code {"__type": code, "message": ...}} with an HTTP
 * status) or a delay. When no step is left, the request succeeds through {@link AwsKmsStubOperations}, which does
 * real AES-GCM and ECDSA P-256 on keys made at start. Every request is counted and recorded with its operation,
 * the region of its signature, and its JSON body.
 */
public final class AwsKmsErrorStub implements AutoCloseable {

    /** Account id in the key ARNs that successful responses return. */
    public static final String ACCOUNT_ID = "111122223333";

    static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    /** SigV4 scope in the Authorization header: {@code Credential=<access key>/<date>/<region>/kms/aws4_request}. */
    private static final Pattern CREDENTIAL_SCOPE = Pattern.compile("Credential=([^/]+)/\\d{8}/([^/]+)/kms/");

    private final HttpServer server;

    private final ExecutorService executor;

    private final AwsKmsStubOperations operations = new AwsKmsStubOperations();

    private final Deque<Step> steps = new ArrayDeque<>();

    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();

    private final AtomicLong requestIds = new AtomicLong();

    private AwsKmsErrorStub(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts a stub on a free port of 127.0.0.1.
     */
    public static AwsKmsErrorStub start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ExecutorService executor = Executors.newCachedThreadPool((task) -> {
                Thread thread = new Thread(task, "aws-kms-stub");
                thread.setDaemon(true);
                return thread;
            });
            AwsKmsErrorStub stub = new AwsKmsErrorStub(server, executor);
            server.createContext("/", stub::handle);
            server.setExecutor(executor);
            server.start();
            return stub;
        }
        catch (IOException ex) {
            throw new IllegalStateException("Could not start the AWS KMS stub on 127.0.0.1", ex);
        }
    }

    /**
     * Returns the endpoint to give SDK clients, {@code http://127.0.0.1:<port>}.
     */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + this.server.getAddress().getPort());
    }

    /**
     * Makes the next {@code times} requests fail with HTTP {@code status} and the AWS error {@code errorCode}.
     */
    public AwsKmsErrorStub failNext(int times, int status, String errorCode, String message) {
        Objects.requireNonNull(errorCode, "errorCode");
        return addSteps(times, new Step(status, errorCode, message, Duration.ZERO));
    }

    /**
     * Makes the next {@code times} requests wait {@code delay} before they succeed.
     */
    public AwsKmsErrorStub delayNext(int times, Duration delay) {
        return addSteps(times, new Step(0, null, null, delay));
    }

    /**
     * Returns how many requests arrived since start or the last {@link #reset()}.
     */
    public int requestCount() {
        return this.requests.size();
    }

    /**
     * Returns the requests that arrived since start or the last {@link #reset()}, oldest first.
     */
    public List<RecordedRequest> requests() {
        return List.copyOf(this.requests);
    }

    /**
     * Returns the operations that succeed when no step is scripted, with their keys.
     */
    public AwsKmsStubOperations operations() {
        return this.operations;
    }

    /**
     * Forgets the scripted steps and the recorded requests; the keys stay.
     */
    public void reset() {
        synchronized (this.steps) {
            this.steps.clear();
        }
        this.requests.clear();
    }

    @Override
    public void close() {
        this.server.stop(0);
        this.executor.shutdownNow();
    }

    private AwsKmsErrorStub addSteps(int times, Step step) {
        synchronized (this.steps) {
            for (int i = 0; i < times; i++) {
                this.steps.addLast(step);
            }
        }
        return this;
    }

    private Step nextStep() {
        synchronized (this.steps) {
            return this.steps.pollFirst();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            RecordedRequest request = record(exchange);
            Step step = nextStep();
            if (step != null && !step.delay().isZero()) {
                sleep(step.delay());
            }
            if (step != null && step.errorCode() != null) {
                respond(exchange, step.status(), AwsKmsStubOperations.error(step.errorCode(), step.message()));
                return;
            }
            AwsKmsStubOperations.Response response = this.operations.execute(request.operation(), request.region(),
                    request.body());
            respond(exchange, response.status(), response.json());
        }
    }

    private RecordedRequest record(HttpExchange exchange) throws IOException {
        JsonNode body = readBody(exchange.getRequestBody());
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        String operation = (target != null) ? target.substring(target.indexOf('.') + 1) : "";
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        Matcher scope = CREDENTIAL_SCOPE.matcher((authorization != null) ? authorization : "");
        boolean signed = scope.find();
        RecordedRequest request = new RecordedRequest(operation, signed ? scope.group(2) : null,
                signed ? scope.group(1) : null, exchange.getRequestHeaders().getFirst("X-Amz-Date"), body);
        this.requests.add(request);
        return request;
    }

    private static JsonNode readBody(InputStream input) throws IOException {
        String text = new String(input.readAllBytes(), StandardCharsets.UTF_8);
        return JsonMapper.shared().readTree(text.isBlank() ? "{}" : text);
    }

    private void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.getResponseHeaders().set("x-amzn-RequestId", "stub-" + this.requestIds.incrementAndGet());
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream output = exchange.getResponseBody()) {
            output.write(bytes);
        }
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One scripted outcome: an error when {@code errorCode} is set, after waiting {@code delay}.
     */
    private record Step(int status, String errorCode, String message, Duration delay) {
    }

    /**
     * A request that reached the stub.
     *
     * @param operation the KMS operation from the {@code X-Amz-Target} header, for example {@code Encrypt}
     * @param region the region in the request's SigV4 credential scope, or null when unsigned
     * @param accessKeyId the access key id that signed the request, or null when unsigned
     * @param amzDate the signing time from the {@code X-Amz-Date} header, {@code yyyyMMdd'T'HHmmss'Z'} in UTC
     * @param body the JSON request body
     */
    public record RecordedRequest(String operation, String region, String accessKeyId, String amzDate,
            JsonNode body) {

        /**
         * Returns the text of a top-level field of the body, or null when it is absent.
         */
        public String field(String name) {
            JsonNode value = this.body.get(name);
            return (value != null && !value.isNull()) ? value.asString() : null;
        }
    }
}
