package io.lango.kms.local;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Builds a minimal self-signed X.509 v3 certificate for an EC key pair, because a PKCS12 key store stores a private
 * key only together with a certificate and the JDK has no public API that makes one.
 *
 * <p>The certificate only carries the public key; nothing trusts it. Its DER layout follows RFC 5280, section 4.1.
 */
final class SelfSignedCertificate {

    /** DER of the OID 1.2.840.10045.4.3.2, ecdsa-with-SHA256 (RFC 5758). */
    private static final byte[] ECDSA_WITH_SHA256 = { 0x06, 0x08, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x04,
            0x03, 0x02 };

    /** DER of the OID 2.5.4.3, commonName. */
    private static final byte[] COMMON_NAME = { 0x06, 0x03, 0x55, 0x04, 0x03 };

    private static final int YEARS_VALID = 100;

    private SelfSignedCertificate() {
    }

    /**
     * Creates a certificate for {@code keyPair} with subject and issuer {@code CN=<commonName>}, signed with
     * SHA256withECDSA.
     */
    static X509Certificate create(KeyPair keyPair, String commonName) throws GeneralSecurityException {
        byte[] algorithm = sequence(ECDSA_WITH_SHA256);
        byte[] name = distinguishedName(commonName);
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).withNano(0);
        byte[] tbs = sequence(version3(), serialNumber(), algorithm, name,
                sequence(time(now.minusMinutes(5)), time(now.plusYears(YEARS_VALID))), name,
                keyPair.getPublic().getEncoded());

        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keyPair.getPrivate());
        signer.update(tbs);
        byte[] certificate = sequence(tbs, algorithm, bitString(signer.sign()));

        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(certificate));
    }

    private static byte[] version3() {
        return tagged(0xA0, tagged(0x02, new byte[] { 2 }));
    }

    private static byte[] serialNumber() {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        return tagged(0x02, new BigInteger(1, random).toByteArray());
    }

    private static byte[] distinguishedName(String commonName) {
        byte[] value = tagged(0x0C, commonName.getBytes(StandardCharsets.UTF_8));
        byte[] attribute = sequence(COMMON_NAME, value);
        return sequence(tagged(0x31, attribute));
    }

    /** Encodes UTCTime before 2050 and GeneralizedTime from 2050, as RFC 5280 requires. */
    private static byte[] time(ZonedDateTime time) {
        if (time.getYear() < 2050) {
            String text = time.format(DateTimeFormatter.ofPattern("yyMMddHHmmss")) + "Z";
            return tagged(0x17, text.getBytes(StandardCharsets.US_ASCII));
        }
        String text = time.format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss")) + "Z";
        return tagged(0x18, text.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] bitString(byte[] bits) {
        byte[] content = new byte[bits.length + 1];
        System.arraycopy(bits, 0, content, 1, bits.length);
        return tagged(0x03, content);
    }

    private static byte[] sequence(byte[]... elements) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] element : elements) {
            content.writeBytes(element);
        }
        return tagged(0x30, content.toByteArray());
    }

    private static byte[] tagged(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        writeLength(out, content.length);
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
            return;
        }
        byte[] bytes = BigInteger.valueOf(length).toByteArray();
        int start = (bytes[0] == 0) ? 1 : 0;
        out.write(0x80 | (bytes.length - start));
        out.write(bytes, start, bytes.length - start);
    }
}
