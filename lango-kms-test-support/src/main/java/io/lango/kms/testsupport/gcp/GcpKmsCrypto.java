package io.lango.kms.testsupport.gcp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Base64;
import java.util.zip.CRC32C;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

import com.google.cloud.kms.v1.CryptoKey.CryptoKeyPurpose;
import com.google.protobuf.ByteString;

import io.grpc.Status;

/**
 * Cryptography of the stand-in: AES-256-GCM ciphertext that names its key version, ECDSA P-256 signatures over a
 * given SHA-256 digest, PEM public keys and CRC32C checksums.
 *
 * <p>Ciphertext is the 4-byte big-endian version number, a random 12-byte IV, then the GCM output with a 16-byte
 * tag; the request's additional authenticated data is the GCM AAD. Real Cloud KMS ciphertext is opaque and differs.
 */
final class GcpKmsCrypto {

    private static final int VERSION_LENGTH = 4;

    private static final int IV_LENGTH = 12;

    private static final int TAG_BITS = 128;

    private static final int MIN_CIPHERTEXT_LENGTH = VERSION_LENGTH + IV_LENGTH + TAG_BITS / 8;

    private final SecureRandom random = new SecureRandom();

    /**
     * Returns the CRC32C (Castagnoli) checksum that Cloud KMS puts in its {@code *_crc32c} fields.
     */
    static long crc32c(ByteString data) {
        CRC32C crc = new CRC32C();
        crc.update(data.asReadOnlyByteBuffer());
        return crc.getValue();
    }

    static long crc32c(String text) {
        return crc32c(ByteString.copyFromUtf8(text));
    }

    ByteString encrypt(GcpKmsKeys.Version version, ByteString plaintext, ByteString aad) {
        byte[] iv = new byte[IV_LENGTH];
        this.random.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, version.secretKey, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad.toByteArray());
            byte[] sealed = cipher.doFinal(plaintext.toByteArray());
            ByteBuffer output = ByteBuffer.allocate(VERSION_LENGTH + IV_LENGTH + sealed.length);
            output.putInt(version.number).put(iv).put(sealed);
            return ByteString.copyFrom(output.array());
        }
        catch (GeneralSecurityException ex) {
            throw Status.INTERNAL.withDescription("AES-GCM encryption failed").withCause(ex).asRuntimeException();
        }
    }

    ByteString decrypt(GcpKmsKeys.CryptoKey cryptoKey, ByteString ciphertext, ByteString aad) {
        if (ciphertext.size() < MIN_CIPHERTEXT_LENGTH) {
            throw invalidCiphertext();
        }
        ByteBuffer input = ciphertext.asReadOnlyByteBuffer();
        GcpKmsKeys.Version version = versionOf(cryptoKey, input.getInt());
        byte[] iv = new byte[IV_LENGTH];
        input.get(iv);
        byte[] sealed = new byte[input.remaining()];
        input.get(sealed);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, version.secretKey, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad.toByteArray());
            return ByteString.copyFrom(cipher.doFinal(sealed));
        }
        catch (AEADBadTagException ex) {
            throw invalidCiphertext();
        }
        catch (GeneralSecurityException ex) {
            throw Status.INTERNAL.withDescription("AES-GCM decryption failed").withCause(ex).asRuntimeException();
        }
    }

    /**
     * Signs a SHA-256 digest with NONEwithECDSA, which signs the given bytes as the hash, so the DER result
     * verifies with SHA256withECDSA over the original data.
     */
    ByteString sign(GcpKmsKeys.Version version, ByteString sha256Digest) {
        try {
            Signature signer = Signature.getInstance("NONEwithECDSA");
            signer.initSign(version.keyPair.getPrivate(), this.random);
            signer.update(sha256Digest.toByteArray());
            return ByteString.copyFrom(signer.sign());
        }
        catch (GeneralSecurityException ex) {
            throw Status.INTERNAL.withDescription("ECDSA signing failed").withCause(ex).asRuntimeException();
        }
    }

    static String pem(GcpKmsKeys.Version version) {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(version.keyPair.getPublic().getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n";
    }

    private static GcpKmsKeys.Version versionOf(GcpKmsKeys.CryptoKey cryptoKey, int number) {
        GcpKmsKeys.Version version;
        try {
            version = cryptoKey.version(number);
        }
        catch (RuntimeException ex) {
            throw invalidCiphertext();
        }
        if (version.cryptoKey.purpose != CryptoKeyPurpose.ENCRYPT_DECRYPT) {
            throw invalidCiphertext();
        }
        if (!version.enabled) {
            throw Status.FAILED_PRECONDITION
                .withDescription(version.name + " is not enabled, current state is: DISABLED.")
                .asRuntimeException();
        }
        return version;
    }

    private static RuntimeException invalidCiphertext() {
        return GcpKmsStatus.invalidArgument("ciphertext", "Decryption failed: the ciphertext is invalid.");
    }
}
