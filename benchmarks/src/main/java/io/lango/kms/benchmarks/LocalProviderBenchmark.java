package io.lango.kms.benchmarks;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.local.LocalCryptoProvider;
import io.lango.kms.local.LocalKeyStore;

/**
 * Encrypt plus decrypt of 1 KiB: the local provider against the same AES-256-GCM work done with plain JCE, each
 * with a fresh random 12-byte IV per message.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LocalProviderBenchmark {

    private final SecureRandom random = new SecureRandom();

    private byte[] payload;

    private SecretKey key;

    private LocalCryptoProvider localProvider;

    @Setup
    public void setUp() throws Exception {
        this.payload = new byte[1024];
        this.random.nextBytes(this.payload);
        KeyGenerator generator = KeyGenerator.getInstance("AES");
        generator.init(256);
        this.key = generator.generateKey();
        this.localProvider = new LocalCryptoProvider(LocalKeyStore.load(new KmsProperties(), (name) -> null));
    }

    @Benchmark
    public byte[] rawJceAesGcm() throws Exception {
        byte[] iv = new byte[12];
        this.random.nextBytes(iv);
        Cipher encrypt = Cipher.getInstance("AES/GCM/NoPadding");
        encrypt.init(Cipher.ENCRYPT_MODE, this.key, new GCMParameterSpec(128, iv));
        byte[] sealed = encrypt.doFinal(this.payload);
        Cipher decrypt = Cipher.getInstance("AES/GCM/NoPadding");
        decrypt.init(Cipher.DECRYPT_MODE, this.key, new GCMParameterSpec(128, iv));
        return decrypt.doFinal(sealed);
    }

    @Benchmark
    public byte[] localProvider() {
        return this.localProvider.decrypt("", this.localProvider.encrypt("", this.payload));
    }
}
