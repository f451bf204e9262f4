package io.lango.kms.sample.web;

import java.util.Objects;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.lango.kms.CryptoProvider;

/**
 * REST API over the application's {@link CryptoProvider}. Binary values travel as base64 strings, and a missing or
 * blank {@code keyId} selects the configured default key.
 */
@RestController
@RequestMapping(path = "/api", produces = "application/json")
public class CryptoController {

    private final CryptoProvider cryptoProvider;

    public CryptoController(CryptoProvider cryptoProvider) {
        this.cryptoProvider = Objects.requireNonNull(cryptoProvider, "cryptoProvider");
    }

    @PostMapping("/encrypt")
    public EncryptResponse encrypt(@RequestBody EncryptRequest request) {
        byte[] plaintext = Base64Fields.decode("plaintext", request.plaintext());
        byte[] aad = optionalField("aad", request.aad());
        byte[] ciphertext = this.cryptoProvider.encrypt(keyId(request.keyId()), plaintext, aad);
        return new EncryptResponse(Base64Fields.encode(ciphertext));
    }

    @PostMapping("/decrypt")
    public DecryptResponse decrypt(@RequestBody DecryptRequest request) {
        byte[] ciphertext = Base64Fields.decode("ciphertext", request.ciphertext());
        byte[] aad = optionalField("aad", request.aad());
        byte[] plaintext = this.cryptoProvider.decrypt(keyId(request.keyId()), ciphertext, aad);
        return new DecryptResponse(Base64Fields.encode(plaintext));
    }

    @PostMapping("/sign")
    public SignResponse sign(@RequestBody SignRequest request) {
        byte[] payload = Base64Fields.decode("payload", request.payload());
        byte[] signature = this.cryptoProvider.sign(keyId(request.keyId()), payload);
        return new SignResponse(Base64Fields.encode(signature));
    }

    @PostMapping("/verify")
    public VerifyResponse verify(@RequestBody VerifyRequest request) {
        byte[] payload = Base64Fields.decode("payload", request.payload());
        byte[] signature = Base64Fields.decode("signature", request.signature());
        return new VerifyResponse(this.cryptoProvider.verify(keyId(request.keyId()), payload, signature));
    }

    /**
     * Returns the signing key's public key as base64 of its DER X.509 SubjectPublicKeyInfo.
     */
    @GetMapping("/public-key")
    public PublicKeyResponse publicKey(@RequestParam(name = "keyId", required = false) String keyId) {
        return new PublicKeyResponse(Base64Fields.encode(this.cryptoProvider.publicKey(keyId(keyId)).getEncoded()));
    }

    private static byte[] optionalField(String field, String value) {
        return (value != null) ? Base64Fields.decode(field, value) : null;
    }

    /**
     * Replaces a missing key id with an empty string: the providers treat null, blank, "default" and "local" alike,
     * and an empty string keeps error messages short.
     */
    private static String keyId(String keyId) {
        return (keyId != null) ? keyId : "";
    }

    /**
     * Body of {@code POST /api/encrypt}.
     *
     * @param keyId key name, or null for the default encryption key
     * @param plaintext base64 of the bytes to encrypt
     * @param aad base64 of associated data that decrypt must be given again, or null for none
     */
    public record EncryptRequest(String keyId, String plaintext, String aad) {
    }

    /**
     * Response of {@code POST /api/encrypt}.
     *
     * @param ciphertext base64 of the ciphertext, including the header that names the provider
     */
    public record EncryptResponse(String ciphertext) {
    }

    /**
     * Body of {@code POST /api/decrypt}.
     *
     * @param keyId key name, or null for the default encryption key
     * @param ciphertext base64 of a ciphertext returned by {@code /api/encrypt}
     * @param aad base64 of the associated data given to encrypt, or null for none
     */
    public record DecryptRequest(String keyId, String ciphertext, String aad) {
    }

    /**
     * Response of {@code POST /api/decrypt}.
     *
     * @param plaintext base64 of the decrypted bytes
     */
    public record DecryptResponse(String plaintext) {
    }

    /**
     * Body of {@code POST /api/sign}.
     *
     * @param keyId key name, or null for the default signing key
     * @param payload base64 of the bytes to sign
     */
    public record SignRequest(String keyId, String payload) {
    }

    /**
     * Response of {@code POST /api/sign}.
     *
     * @param signature base64 of the DER-encoded ECDSA P-256 signature over SHA-256 of the payload
     */
    public record SignResponse(String signature) {
    }

    /**
     * Body of {@code POST /api/verify}.
     *
     * @param keyId key name, or null for the default signing key
     * @param payload base64 of the signed bytes
     * @param signature base64 of the DER-encoded signature
     */
    public record VerifyRequest(String keyId, String payload, String signature) {
    }

    /**
     * Response of {@code POST /api/verify}.
     *
     * @param valid whether the signature matches the payload and key
     */
    public record VerifyResponse(boolean valid) {
    }

    /**
     * Response of {@code GET /api/public-key}.
     *
     * @param publicKey base64 of the DER X.509 SubjectPublicKeyInfo
     */
    public record PublicKeyResponse(String publicKey) {
    }
}
