package io.lango.kms.support;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;

/**
 * SHA-256 digests and local verification of DER-encoded ECDSA signatures over SHA-256, shared by the providers.
 */
public final class EcdsaSha256 {

    private EcdsaSha256() {
    }

    /**
     * Returns the SHA-256 digest of {@code payload}.
     */
    public static byte[] digest(byte[] payload) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(payload);
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is missing, although every Java platform must provide it", ex);
        }
    }

    /**
     * Verifies a DER signature over SHA-256 of {@code payload} with plain JCA; a signature that is not valid DER
     * returns false, because it cannot match.
     *
     * @throws GeneralSecurityException when {@code publicKey} cannot verify ECDSA signatures
     */
    public static boolean verify(PublicKey publicKey, byte[] payload, byte[] signature)
            throws GeneralSecurityException {
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(publicKey);
        verifier.update(payload);
        try {
            return verifier.verify(signature);
        }
        catch (SignatureException ex) {
            return false;
        }
    }
}
