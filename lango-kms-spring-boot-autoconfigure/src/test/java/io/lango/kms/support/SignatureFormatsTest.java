package io.lango.kms.support;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link SignatureFormats}, with hand-built vectors for the padding cases and JCA signatures for the
 * round trip.
 */
class SignatureFormatsTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void highBitOfRGetsZeroPad() {
        byte[] r = filled(0x80, 32);
        byte[] s = filled(0x11, 32);

        byte[] der = SignatureFormats.p1363ToDer(concat(r, s));

        // r needs 33 bytes (0x00 then 0x80...), s keeps 32: SEQUENCE length 2 + 33 + 2 + 32 = 69.
        assertThat(HEX.formatHex(der, 0, 5)).isEqualTo("3045022100");
        assertThat(Arrays.copyOfRange(der, 5, 37)).isEqualTo(r);
        assertThat(HEX.formatHex(der, 37, 39)).isEqualTo("0220");
        assertThat(Arrays.copyOfRange(der, 39, 71)).isEqualTo(s);
        assertThat(der).hasSize(71);
    }

    @Test
    void shortRDropsLeadingZeros() {
        byte[] r = new byte[32];
        r[30] = 0x01;
        r[31] = 0x02;
        byte[] s = filled(0x7F, 32);

        byte[] der = SignatureFormats.p1363ToDer(concat(r, s));

        assertThat(HEX.formatHex(der)).isEqualTo("3026" + "02020102" + "0220" + HEX.formatHex(s));
    }

    @Test
    void shortRWithHighBitKeepsOneZeroByte() {
        byte[] r = new byte[32];
        r[31] = (byte) 0xFF;
        byte[] s = new byte[32];
        s[31] = 0x01;

        byte[] der = SignatureFormats.p1363ToDer(concat(r, s));

        assertThat(HEX.formatHex(der)).isEqualTo("3007" + "020200ff" + "020101");
    }

    @Test
    void zeroComponentIsOneZeroByte() {
        byte[] der = SignatureFormats.p1363ToDer(new byte[64]);

        assertThat(HEX.formatHex(der)).isEqualTo("3006020100020100");
    }

    @Test
    void derToP1363RestoresPaddingOfBothCases() {
        byte[] r = new byte[32];
        r[31] = 0x05;
        byte[] s = filled(0x90, 32);
        byte[] p1363 = concat(r, s);

        assertThat(SignatureFormats.derToP1363(SignatureFormats.p1363ToDer(p1363), 32)).isEqualTo(p1363);
    }

    @Test
    void p521SignatureUsesLongFormLength() {
        byte[] p1363 = concat(filled(0x81, 66), filled(0x82, 66));

        byte[] der = SignatureFormats.p1363ToDer(p1363);

        // Each INTEGER is 2 + 67 bytes, so the SEQUENCE content is 138 bytes, written as 0x81 0x8A.
        assertThat(HEX.formatHex(der, 0, 3)).isEqualTo("30818a");
        assertThat(SignatureFormats.derToP1363(der, 66)).isEqualTo(p1363);
    }

    @Test
    void jcaSignaturesRoundTripAndVerify() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keyPair = generator.generateKeyPair();
        byte[] payload = "round trip".getBytes(StandardCharsets.UTF_8);
        int paddedR = 0;

        for (int i = 0; i < 300; i++) {
            Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
            signer.initSign(keyPair.getPrivate());
            signer.update(payload);
            byte[] p1363 = signer.sign();
            paddedR += ((p1363[0] & 0x80) != 0) ? 1 : 0;

            byte[] der = SignatureFormats.p1363ToDer(p1363);

            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(keyPair.getPublic());
            verifier.update(payload);
            assertThat(verifier.verify(der)).as("signature %d", i).isTrue();
            assertThat(SignatureFormats.derToP1363(der, 32)).isEqualTo(p1363);
        }
        // Half of all r values have the high bit set, so 300 signatures include that case (the chance they do not
        // is 2^-300). A leading zero byte occurs once in 256 on average, so the vectors above cover it instead.
        assertThat(paddedR).isPositive();
    }

    @Test
    void jcaDerConvertsToP1363ThatJcaAccepts() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keyPair = generator.generateKeyPair();
        byte[] payload = "der first".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keyPair.getPrivate());
        signer.update(payload);

        byte[] p1363 = SignatureFormats.derToP1363(signer.sign(), 32);

        Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
        verifier.initVerify(keyPair.getPublic());
        verifier.update(payload);
        assertThat(p1363).hasSize(64);
        assertThat(verifier.verify(p1363)).isTrue();
    }

    @Test
    void oddOrEmptyP1363IsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> SignatureFormats.p1363ToDer(new byte[63]))
            .withMessageContaining("63 bytes");
        assertThatIllegalArgumentException().isThrownBy(() -> SignatureFormats.p1363ToDer(new byte[0]));
        assertThatIllegalArgumentException().isThrownBy(() -> SignatureFormats.p1363ToDer(null));
    }

    @Test
    void malformedDerIsRejected() {
        String valid = "3006020101020102";
        assertThat(SignatureFormats.derToP1363(HEX.parseHex(valid), 32)).hasSize(64);

        assertThatIllegalArgumentException().isThrownBy(() -> derToP1363("3106020101020102"))
            .withMessageContaining("tag");
        assertThatIllegalArgumentException().isThrownBy(() -> derToP1363("3007020101020102"))
            .withMessageContaining("past the end");
        assertThatIllegalArgumentException().isThrownBy(() -> derToP1363("300602010102010200"))
            .withMessageContaining("after its SEQUENCE");
        assertThatIllegalArgumentException().isThrownBy(() -> derToP1363("3003020101"))
            .withMessageContaining("ends early");
        assertThatIllegalArgumentException().isThrownBy(() -> derToP1363("30060201810201ff"))
            .withMessageContaining("negative");
        assertThatIllegalArgumentException().isThrownBy(() -> derToP1363("300702020001020101"))
            .withMessageContaining("leading zero");
        assertThatIllegalArgumentException().isThrownBy(() -> derToP1363("30050200020101"))
            .withMessageContaining("empty");
        assertThatIllegalArgumentException().isThrownBy(() -> derToP1363("3081060201010201ff"))
            .withMessageContaining("shortest form");
        assertThatIllegalArgumentException().isThrownBy(() -> derToP1363("3009020101020101020101"))
            .withMessageContaining("more than r and s");
    }

    @Test
    void malformedDerTableIsRejected() {
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
            "30460222" + "11".repeat(34) + "0220" + s,          // r longer than 32 bytes
            "3081440220" + r + "0220" + s,                      // long-form length below 128
            "3044022" + "0",                                    // truncated
        };
        for (String hex : invalid) {
            assertThatIllegalArgumentException().as(hex)
                .isThrownBy(() -> SignatureFormats.derToP1363(HEX.parseHex(hex), 32));
        }
    }

    @Test
    void componentLongerThanCurveIsRejected() {
        byte[] der = SignatureFormats.p1363ToDer(concat(filled(0x01, 33), filled(0x01, 33)));

        assertThatIllegalArgumentException().isThrownBy(() -> SignatureFormats.derToP1363(der, 32))
            .withMessageContaining("r is 33 bytes");
    }

    @Test
    void derIntegersMatchBigIntegerEncoding() {
        byte[] r = filled(0xC3, 32);
        byte[] s = new byte[32];
        s[5] = 0x42;

        byte[] der = SignatureFormats.p1363ToDer(concat(r, s));

        // BigInteger.toByteArray is the minimal two's complement form that DER requires.
        byte[] expectedR = new BigInteger(1, r).toByteArray();
        byte[] expectedS = new BigInteger(1, s).toByteArray();
        assertThat(Arrays.copyOfRange(der, 4, 4 + expectedR.length)).isEqualTo(expectedR);
        assertThat(Arrays.copyOfRange(der, 6 + expectedR.length, der.length)).isEqualTo(expectedS);
    }

    private static byte[] derToP1363(String hex) {
        return SignatureFormats.derToP1363(HEX.parseHex(hex), 32);
    }

    private static byte[] filled(int value, int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] result = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, result, first.length, second.length);
        return result;
    }
}
