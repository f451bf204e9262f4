package io.lango.kms.azure;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Map;

import com.azure.security.keyvault.keys.cryptography.CryptographyClient;
import com.azure.security.keyvault.keys.models.JsonWebKey;
import com.azure.security.keyvault.keys.models.KeyCurveName;
import com.azure.security.keyvault.keys.models.KeyType;
import com.azure.security.keyvault.keys.models.KeyVaultKey;

/**
 * One key version fetched from Key Vault: its full identifier, type and public key, and the client that runs
 * operations on exactly that version.
 *
 * @param keyIdentifier the versioned identifier {@code https://<vault>/keys/<name>/<version>}
 * @param keyType the JSON Web Key type: RSA, RSA-HSM, EC, EC-HSM or oct
 * @param curve the curve of an EC key, else null
 * @param modulusBytes the RSA modulus length in bytes, else 0
 * @param publicKey the public key, or null for a symmetric key
 * @param client the client bound to this key version
 */
record ResolvedKey(String keyIdentifier, KeyType keyType, KeyCurveName curve, int modulusBytes, PublicKey publicKey,
        CryptographyClient client) {

    /** JCA names of the curves Key Vault offers. */
    private static final Map<KeyCurveName, String> JCA_CURVES = Map.of(KeyCurveName.P_256, "secp256r1",
            KeyCurveName.P_384, "secp384r1", KeyCurveName.P_521, "secp521r1", KeyCurveName.P_256K, "secp256k1");

    /**
     * Creates the record from a fetched key.
     *
     * @throws GeneralSecurityException if the JCA cannot rebuild the public key from its JSON Web Key members
     */
    static ResolvedKey of(KeyVaultKey key, CryptographyClient client) throws GeneralSecurityException {
        JsonWebKey jwk = key.getKey();
        KeyType keyType = jwk.getKeyType();
        if (isRsa(keyType)) {
            byte[] modulus = jwk.getN();
            int modulusBytes = (new BigInteger(1, modulus).bitLength() + 7) / 8;
            PublicKey publicKey = KeyFactory.getInstance("RSA")
                .generatePublic(new RSAPublicKeySpec(new BigInteger(1, modulus), new BigInteger(1, jwk.getE())));
            return new ResolvedKey(key.getId(), keyType, null, modulusBytes, publicKey, client);
        }
        if (isEc(keyType)) {
            return new ResolvedKey(key.getId(), keyType, jwk.getCurveName(), 0, ecPublicKey(jwk), client);
        }
        return new ResolvedKey(key.getId(), keyType, null, 0, null, client);
    }

    private static PublicKey ecPublicKey(JsonWebKey jwk) throws GeneralSecurityException {
        String curve = JCA_CURVES.get(jwk.getCurveName());
        if (curve == null) {
            throw new GeneralSecurityException("EC curve %s is not supported".formatted(jwk.getCurveName()));
        }
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec(curve));
        ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
        ECPoint point = new ECPoint(new BigInteger(1, jwk.getX()), new BigInteger(1, jwk.getY()));
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, spec));
    }

    static boolean isRsa(KeyType keyType) {
        return KeyType.RSA.equals(keyType) || KeyType.RSA_HSM.equals(keyType);
    }

    static boolean isEc(KeyType keyType) {
        return KeyType.EC.equals(keyType) || KeyType.EC_HSM.equals(keyType);
    }

    boolean isRsa() {
        return isRsa(this.keyType);
    }

    boolean isP256() {
        return isEc(this.keyType) && KeyCurveName.P_256.equals(this.curve);
    }

    /**
     * Returns a short description such as {@code RSA 2048-bit} or {@code EC P-384}, for messages.
     */
    String describe() {
        if (isRsa()) {
            return "%s %d-bit".formatted(this.keyType, this.modulusBytes * 8);
        }
        return (this.curve != null) ? this.keyType + " " + this.curve : String.valueOf(this.keyType);
    }
}
