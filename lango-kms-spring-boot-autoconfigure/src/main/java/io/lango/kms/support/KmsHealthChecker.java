package io.lango.kms.support;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.lango.kms.ConnectionChecker;
import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;

/**
 * {@link ConnectionChecker} that probes a provider with an encrypt/decrypt round trip of a fixed payload under the
 * default key and caches the result, true or false, for a time to live.
 *
 * <p>Only one probe runs at a time: callers that find the cache expired while a probe runs wait for its result
 * instead of starting another. Each probe is one attempt, without retries, bounded by the per-operation timeout.
 * A change of state is logged once at WARN, not on every call.
 */
public final class KmsHealthChecker implements ConnectionChecker, AutoCloseable {

    private static final Log logger = LogFactory.getLog(KmsHealthChecker.class);

    private static final byte[] PROBE_PAYLOAD = "lango-kms health probe".getBytes(StandardCharsets.US_ASCII);

    private final CryptoProvider provider;

    private final Duration cacheTtl;

    private final Duration timeout;

    private final Clock clock;

    private final ReentrantLock probeLock = new ReentrantLock();

    private final ExecutorService probeExecutor;

    private volatile ProbeResult lastResult;

    /** Whether a probe was rejected since the last successful one; read and written only under the probe lock. */
    private boolean rejectedSinceSuccess;

    /**
     * Creates a checker for {@code provider}, which must be the provider without retries.
     */
    public KmsHealthChecker(CryptoProvider provider, Duration cacheTtl, Duration timeout) {
        this(provider, cacheTtl, timeout, Clock.systemUTC());
    }

    public KmsHealthChecker(CryptoProvider provider, Duration cacheTtl, Duration timeout, Clock clock) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.cacheTtl = Objects.requireNonNull(cacheTtl, "cacheTtl");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.probeExecutor = Executors.newSingleThreadExecutor((task) -> {
            Thread thread = new Thread(task, "lango-kms-health-probe");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public boolean isConnected() {
        return currentResult().connected();
    }

    @Override
    public boolean isUnreachable() {
        return currentResult().unreachable();
    }

    /**
     * Returns the cached result, probing first when there is none or it is older than the time to live.
     */
    public ProbeResult currentResult() {
        ProbeResult cached = this.lastResult;
        if (isFresh(cached)) {
            return cached;
        }
        this.probeLock.lock();
        try {
            cached = this.lastResult;
            if (isFresh(cached)) {
                return cached;
            }
            ProbeResult result = applyRejection(probe());
            logStateChange(cached, result);
            this.lastResult = result;
            return result;
        }
        finally {
            this.probeLock.unlock();
        }
    }

    /**
     * Returns the last result without probing, or null before the first probe.
     */
    public ProbeResult lastResult() {
        return this.lastResult;
    }

    @Override
    public void close() {
        this.probeExecutor.shutdownNow();
    }

    private boolean isFresh(ProbeResult result) {
        return result != null && this.clock.instant().isBefore(result.time().plus(this.cacheTtl));
    }

    private ProbeResult probe() {
        Instant started = this.clock.instant();
        Future<byte[]> roundTrip = this.probeExecutor.submit(this::roundTrip);
        try {
            byte[] plaintext = roundTrip.get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
            boolean matches = Arrays.equals(PROBE_PAYLOAD, plaintext);
            return new ProbeResult(matches, false, false, started,
                    matches ? null : "decrypted probe payload did not match");
        }
        catch (TimeoutException ex) {
            roundTrip.cancel(true);
            return new ProbeResult(false, true, false, started,
                    "probe timed out after " + this.timeout.toMillis() + " ms");
        }
        catch (ExecutionException ex) {
            Throwable cause = ex.getCause();
            KmsErrorKind kind = (cause instanceof KmsException kmsException) ? kmsException.getKind() : null;
            boolean rejected = kind == KmsErrorKind.ACCESS_DENIED || kind == KmsErrorKind.KEY_DISABLED;
            return new ProbeResult(false, kind == KmsErrorKind.UNAVAILABLE, rejected, started,
                    String.valueOf(cause.getMessage()));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            roundTrip.cancel(true);
            return new ProbeResult(false, false, false, started, "probe was interrupted");
        }
    }

    /**
     * Keeps a KMS that rejected the probe (access denied, disabled key) from counting as merely unreachable when
     * an outage follows, because the fallback must not bypass the rejection. The next successful probe clears it.
     */
    private ProbeResult applyRejection(ProbeResult result) {
        if (result.connected()) {
            this.rejectedSinceSuccess = false;
        }
        else if (result.rejected()) {
            this.rejectedSinceSuccess = true;
        }
        else if (result.unreachable() && this.rejectedSinceSuccess) {
            return new ProbeResult(false, false, false, result.time(), result.error()
                    + " (the KMS rejected the last probe that it replied to, so the fallback stays off)");
        }
        return result;
    }

    private byte[] roundTrip() {
        byte[] ciphertext = this.provider.encrypt("", PROBE_PAYLOAD);
        return this.provider.decrypt("", ciphertext);
    }

    private void logStateChange(ProbeResult previous, ProbeResult current) {
        boolean wasConnected = previous == null || previous.connected();
        if (wasConnected && !current.connected()) {
            logger.warn("KMS %s health probe failed: %s".formatted(this.provider.providerName().configName(),
                    current.error()));
        }
        else if (previous != null && !previous.connected() && current.connected()) {
            logger.warn("KMS %s health probe succeeded again".formatted(this.provider.providerName().configName()));
        }
    }

    /**
     * Outcome of one probe.
     *
     * @param connected whether the round trip returned the probe payload
     * @param unreachable whether the probe failed because the backend could not be reached (an
     * {@code UNAVAILABLE} error or a timeout), so a fallback may serve; false for access denied, a disabled key
     * and other rejections
     * @param rejected whether the KMS replied but rejected the probe: access denied or a disabled key
     * @param time when the probe started
     * @param error why the probe failed, or null when it succeeded
     */
    public record ProbeResult(boolean connected, boolean unreachable, boolean rejected, Instant time, String error) {
    }
}
