package io.lango.kms.testsupport.aws;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The successful path of {@link AwsKmsErrorStub}: Encrypt, Decrypt, Sign and GetPublicKey with one AES-256 key and
 * one ECDSA P-256 key pair made at start, whatever key id a request names.
 *
 * <p>Ciphertext is a 12-byte IV followed by the AES-GCM output. Sign follows AWS KMS {@code ECDSA_SHA_256}: a RAW
 * message is hashed with SHA-256 here, a DIGEST message is the 32-byte SHA-256 digest itself; both give a DER
 * signature.
 */
public final class AwsKmsStubOperations {

    private static final int IV_LENGTH = 12;

    private static final int TAG_BITS = 128;

    private static final int SHA256_LENGTH = 32;

    private final SecureRandom random = new SecureRandom();

    private final SecretKey encryptionKey;

    private final KeyPair signingKey;

    AwsKmsStubOperations() {
        try {
            KeyGenerator aes = KeyGenerator.getInstance("AES");
            aes.init(256, this.random);
            this.encryptionKey = aes.generateKey();
            KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
            ec.initialize(new ECGenParameterSpec("secp256r1"), this.random);
            this.signingKey = ec.generateKeyPair();
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("AES-256 and EC P-256 are required of the JDK", ex);
        }
    }

    /**
     * Returns the public key that verifies the stub's signatures.
     */
    public PublicKey signingPublicKey() {
        return this.signingKey.getPublic();
    }

    /**
     * Returns an AWS JSON error body, {@code {"__type": code, "message": message}}.
     */
    public static String error(String errorCode, String message) {
        ObjectNode node = JsonMapper.shared().createObjectNode();
        node.put("__type", errorCode);
        node.put("message", (message != null) ? message : errorCode);
        return node.toString();
    }

    Response execute(String operation, String region, JsonNode body) {
        try {
            return switch (operation) {
                case "Encrypt" -> encrypt(region, body);
                case "Decrypt" -> decrypt(region, body);
                case "Sign" -> sign(region, body);
                case "GetPublicKey" -> getPublicKey(region, body);
                default -> new Response(400, error("UnknownOperationException",
                        "the AWS KMS stub does not implement " + operation));
            };
        }
        catch (IllegalArgumentException ex) {
            return new Response(400, error("ValidationException", ex.getMessage()));
        }
    }

    private Response encrypt(String region, JsonNode body) {
        byte[] plaintext = blob(body, "Plaintext");
        byte[] iv = new byte[IV_LENGTH];
        this.random.nextBytes(iv);
        byte[] sealed = aesGcm(Cipher.ENCRYPT_MODE, iv, plaintext, 0, plaintext.length);
        byte[] ciphertext = Arrays.copyOf(iv, IV_LENGTH + sealed.length);
        System.arraycopy(sealed, 0, ciphertext, IV_LENGTH, sealed.length);
        ObjectNode result = keyResult(region, body);
        result.put("CiphertextBlob", Base64.getEncoder().encodeToString(ciphertext));
        result.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        return new Response(200, result.toString());
    }

    private Response decrypt(String region, JsonNode body) {
        byte[] ciphertext = blob(body, "CiphertextBlob");
        byte[] plaintext = (ciphertext.length > IV_LENGTH)
                ? aesGcm(Cipher.DECRYPT_MODE, Arrays.copyOf(ciphertext, IV_LENGTH), ciphertext, IV_LENGTH,
                        ciphertext.length - IV_LENGTH)
                : null;
        if (plaintext == null) {
            return new Response(400, error("InvalidCiphertextException", "the ciphertext is invalid"));
        }
        ObjectNode result = keyResult(region, body);
        result.put("Plaintext", Base64.getEncoder().encodeToString(plaintext));
        result.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        return new Response(200, result.toString());
    }

    private Response sign(String region, JsonNode body) {
        byte[] message = blob(body, "Message");
        boolean digest = "DIGEST".equals(text(body, "MessageType"));
        if (digest && message.length != SHA256_LENGTH) {
            throw new IllegalArgumentException("a DIGEST message for ECDSA_SHA_256 must be 32 bytes");
        }
        try {
            Signature signer = Signature.getInstance(digest ? "NONEwithECDSA" : "SHA256withECDSA");
            signer.initSign(this.signingKey.getPrivate(), this.random);
            signer.update(message);
            ObjectNode result = keyResult(region, body);
            result.put("Signature", Base64.getEncoder().encodeToString(signer.sign()));
            result.put("SigningAlgorithm", "ECDSA_SHA_256");
            return new Response(200, result.toString());
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("ECDSA signing failed in the stub", ex);
        }
    }

    private Response getPublicKey(String region, JsonNode body) {
        ObjectNode result = keyResult(region, body);
        result.put("PublicKey", Base64.getEncoder().encodeToString(this.signingKey.getPublic().getEncoded()));
        result.put("KeySpec", "ECC_NIST_P256");
        result.put("KeyUsage", "SIGN_VERIFY");
        result.putArray("SigningAlgorithms").add("ECDSA_SHA_256");
        return new Response(200, result.toString());
    }

    /**
     * Returns AES-GCM output, or null when decryption fails its tag check.
     */
    private byte[] aesGcm(int mode, byte[] iv, byte[] input, int offset, int length) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, this.encryptionKey, new GCMParameterSpec(TAG_BITS, iv));
            return cipher.doFinal(input, offset, length);
        }
        catch (GeneralSecurityException ex) {
            if (mode == Cipher.DECRYPT_MODE) {
                return null;
            }
            throw new IllegalStateException("AES-GCM encryption failed in the stub", ex);
        }
    }

    private static ObjectNode keyResult(String region, JsonNode body) {
        String keyId = text(body, "KeyId");
        ObjectNode result = JsonMapper.shared().createObjectNode();
        result.put("KeyId", (keyId != null && keyId.startsWith("arn:")) ? keyId
                : "arn:aws:kms:%s:%s:key/%s".formatted(region, AwsKmsErrorStub.ACCOUNT_ID, keyId));
        return result;
    }

    private static byte[] blob(JsonNode body, String field) {
        String value = text(body, field);
        if (value == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        return Base64.getDecoder().decode(value);
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return (value != null && !value.isNull()) ? value.asString() : null;
    }

    /**
     * Status and JSON body of a response.
     */
    record Response(int status, String json) {
    }
}
