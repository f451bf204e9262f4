package io.lango.kms.testsupport.gcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.google.protobuf.Message;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

/**
 * Google Cloud KMS stand-in: a plaintext gRPC server on 127.0.0.1 that serves
 * {@code google.cloud.kms.v1.KeyManagementService} (Encrypt, Decrypt, AsymmetricSign, GetPublicKey) with real
 * AES-256-GCM and ECDSA P-256 keys held in memory.
 *
 * <p>It checks every request CRC32C field and fills every response one, as Cloud KMS does, and can inject a status
 * code for the next N calls, delay responses, or corrupt one response. The real {@code KeyManagementServiceClient}
 * reaches it with a plaintext channel to {@link #address()} and no credentials. Other methods of the service return
 * UNIMPLEMENTED.
 */
public final class GcpKmsStandIn implements AutoCloseable {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    private final GcpKmsKeys keys = new GcpKmsKeys();

    private final GcpKmsFaults faults = new GcpKmsFaults();

    private final ScheduledExecutorService scheduler;

    private final GcpKmsService service;

    private final AtomicReference<String> lastAuthorization = new AtomicReference<>();

    private final Server server;

    private GcpKmsStandIn(int port) throws IOException {
        this.scheduler = Executors.newSingleThreadScheduledExecutor((runnable) -> {
            Thread thread = new Thread(runnable, "gcp-kms-stand-in-delay");
            thread.setDaemon(true);
            return thread;
        });
        this.service = new GcpKmsService(this.keys, this.faults, this.scheduler);
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(loopback(), port))
            .addService(ServerInterceptors.intercept(this.service.definition(), new AuthorizationRecorder()))
            .build()
            .start();
    }

    /**
     * Starts a stand-in on a free port of 127.0.0.1.
     */
    public static GcpKmsStandIn start() {
        return start(0);
    }

    /**
     * Starts a stand-in on {@code port} of 127.0.0.1, or on a free port when {@code port} is 0.
     */
    public static GcpKmsStandIn start(int port) {
        try {
            return new GcpKmsStandIn(port);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not start the Cloud KMS stand-in on 127.0.0.1:" + port, ex);
        }
    }

    /**
     * Returns the port the server listens on.
     */
    public int port() {
        return this.server.getPort();
    }

    /**
     * Returns {@code 127.0.0.1:<port>}, the gRPC target of a plaintext channel.
     */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /**
     * Returns {@code http://127.0.0.1:<port>}, the form of {@code security.kms.endpoint} that selects a plaintext
     * channel.
     */
    public String endpoint() {
        return "http://" + address();
    }

    /**
     * Creates an ENCRYPT_DECRYPT CryptoKey with an enabled primary version, unless it exists, and returns its name.
     */
    public String createEncryptionKey(String cryptoKeyName) {
        return this.keys.createEncryptionKey(cryptoKeyName);
    }

    /**
     * Creates an ASYMMETRIC_SIGN CryptoKey with one EC_SIGN_P256_SHA256 version, unless it exists, and returns the
     * name of version 1.
     */
    public String createSigningKey(String cryptoKeyName) {
        return this.keys.createSigningKey(cryptoKeyName);
    }

    /**
     * Adds a version to a CryptoKey and returns its name. For an encryption key the new version becomes primary.
     * Ciphertext made with older versions still decrypts.
     */
    public String addKeyVersion(String cryptoKeyName) {
        return this.keys.addVersion(cryptoKeyName);
    }

    /**
     * Disables a CryptoKeyVersion, so every request that uses it fails with FAILED_PRECONDITION.
     */
    public void disableKeyVersion(String versionName) {
        this.keys.setEnabled(versionName, false);
    }

    /**
     * Enables a CryptoKeyVersion again.
     */
    public void enableKeyVersion(String versionName) {
        this.keys.setEnabled(versionName, true);
    }

    /**
     * Makes the next {@code times} calls of {@code method} fail with {@code code}.
     */
    public void failNext(GcpKmsMethod method, Status.Code code, int times) {
        this.faults.addFailure(method, code, times);
    }

    /**
     * Makes the next {@code times} calls of any method fail with {@code code}.
     */
    public void failNext(Status.Code code, int times) {
        this.faults.addFailure(null, code, times);
    }

    /**
     * Delays the response of the next {@code times} calls of {@code method} by {@code delay}.
     */
    public void delayNext(GcpKmsMethod method, Duration delay, int times) {
        this.faults.addDelay(method, delay, times);
    }

    /**
     * Corrupts the next {@code times} responses of the method that {@code corruption} applies to.
     */
    public void corruptNext(GcpKmsCorruption corruption, int times) {
        this.faults.addCorruption(corruption, times);
    }

    /**
     * Removes every queued failure, delay and corruption.
     */
    public void clearFaults() {
        this.faults.clear();
    }

    /**
     * Returns how many calls of {@code method} arrived, including the ones that failed.
     */
    public int requestCount(GcpKmsMethod method) {
        return this.service.requestCount(method);
    }

    /**
     * Returns the last request of {@code method}, or null when none arrived.
     */
    public Message lastRequest(GcpKmsMethod method) {
        return this.service.lastRequest(method);
    }

    /**
     * Returns the {@code authorization} header of the last call, empty when the client sent none.
     */
    public Optional<String> lastAuthorization() {
        return Optional.ofNullable(this.lastAuthorization.get());
    }

    /**
     * Resets the request counts, the last requests and the last authorization header; keys and faults stay.
     */
    public void resetCounters() {
        this.service.resetCounters();
        this.lastAuthorization.set(null);
    }

    /**
     * Stops the server, cancelling calls in progress, and waits up to 5 seconds for it to terminate.
     */
    @Override
    public void close() {
        this.server.shutdownNow();
        this.scheduler.shutdownNow();
        try {
            this.server.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Blocks until the server stops.
     */
    public void awaitTermination() throws InterruptedException {
        this.server.awaitTermination();
    }

    private static InetAddress loopback() throws UnknownHostException {
        return InetAddress.getByAddress("127.0.0.1", new byte[] { 127, 0, 0, 1 });
    }

    /**
     * Stores the {@code authorization} header of each call, so tests can see which credentials the client used.
     */
    private final class AuthorizationRecorder implements ServerInterceptor {

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            lastAuthorization.set(headers.get(AUTHORIZATION));
            return next.startCall(call, headers);
        }
    }
}
