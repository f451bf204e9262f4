package io.lango.kms.pkcs11;

import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conversion of DER ECDSA signatures to the fixed-length form that {@code CKM_ECDSA} verifies.
 */
class EcdsaSignatureFormatTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void sunEcSignatureConvertsToSameIntegers() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", "SunEC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        Signature signer = Signature.getInstance("SHA256withECDSA", "SunEC");
        signer.initSign(generator.generateKeyPair().getPrivate());
        signer.update(new byte[] { 1, 2, 3 });
        byte[] der = signer.sign();

        byte[] p1363 = EcdsaSignatureFormat.derToP1363(der, 32).orElseThrow();

        assertThat(p1363).hasSize(64);
        assertThat(new BigInteger(1, Arrays.copyOf(p1363, 32))).isEqualTo(integerAt(der, 0));
        assertThat(new BigInteger(1, Arrays.copyOfRange(p1363, 32, 64))).isEqualTo(integerAt(der, 1));
    }

    @Test
    void shortIntegersArePaddedToFullLength() {
        // r and s are 31 bytes each, the case that SunPKCS11's own conversion pads to 62 bytes.
        String r = "11".repeat(31);
        String s = "22".repeat(31);
        byte[] der = HEX.parseHex("3042021f" + r + "021f" + s);

        byte[] p1363 = EcdsaSignatureFormat.derToP1363(der, 32).orElseThrow();

        assertThat(HEX.formatHex(p1363)).isEqualTo("00" + r + "00" + s);
    }

    @Test
    void highBitIntegersLoseTheirSignByte() {
        String r = "80" + "11".repeat(31);
        String s = "ff" + "22".repeat(31);
        byte[] der = HEX.parseHex("3046022100" + r + "022100" + s);

        byte[] p1363 = EcdsaSignatureFormat.derToP1363(der, 32).orElseThrow();

        assertThat(HEX.formatHex(p1363)).isEqualTo(r + s);
    }

    @Test
    void malformedEncodingsAreRejected() {
        String r = "11".repeat(32);
        String s = "22".repeat(32);
        String[] invalid = {
            "",                                                 // empty
            "3100",                                             // not a SEQUENCE
            "30430220" + r + "0220" + s,                        // SEQUENCE length one byte short
            "30440220" + r + "0220" + s + "00",                 // trailing byte
            "30440320" + r + "0220" + s,                        // BIT STRING instead of INTEGER
            "30450221" + "00" + "11".repeat(32) + "0220" + s,   // leading zero without high bit
            "30440220" + "81" + "11".repeat(31) + "0220" + s,   // negative r
            "3006020100020101",                                 // r is zero
            "30460222" + "11".repeat(34) + "0220" + s,          // r longer than 32 bytes
            "3081440220" + r + "0220" + s,                      // long-form length below 128
            "3044022" + "0",                                    // truncated
        };
        for (String hex : invalid) {
            assertThat(EcdsaSignatureFormat.derToP1363(HEX.parseHex(hex), 32)).as(hex).isEmpty();
        }
    }

    private static BigInteger integerAt(byte[] der, int index) {
        int position = 2;
        for (int skip = 0; skip < index; skip++) {
            position += 2 + der[position + 1];
        }
        int length = der[position + 1];
        return new BigInteger(1, Arrays.copyOfRange(der, position + 2, position + 2 + length));
    }
}
