package io.lango.kms.testsupport.azure;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Self-signed TLS server certificate for the stand-in, made fresh at every start, with the subject alternative
 * names {@code 127.0.0.1} and {@code localhost} so hostname verification passes for both.
 */
final class StandInCertificate {

    private static final String ALIAS = "key-vault-stand-in";

    /** Password of the in-memory key store; it never leaves the process. */
    private static final char[] KEY_STORE_PASSWORD = "stand-in".toCharArray();

    private static final Duration VALIDITY = Duration.ofDays(30);

    private final KeyPair keyPair;

    private final X509Certificate certificate;

    private StandInCertificate(KeyPair keyPair, X509Certificate certificate) {
        this.keyPair = keyPair;
        this.certificate = certificate;
    }

    /**
     * Creates an ECDSA P-256 key pair and a certificate for it, valid from one hour ago for 30 days.
     */
    static StandInCertificate create() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keyPair = generator.generateKeyPair();
            return new StandInCertificate(keyPair, selfSign(keyPair));
        }
        catch (GeneralSecurityException | IOException | OperatorCreationException ex) {
            throw new IllegalStateException("Could not create the stand-in's TLS certificate", ex);
        }
    }

    private static X509Certificate selfSign(KeyPair keyPair)
            throws IOException, OperatorCreationException, GeneralSecurityException {
        X500Name name = new X500Name("CN=Lango KMS Key Vault stand-in");
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(64, new SecureRandom());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial,
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), name, keyPair.getPublic());
        GeneralNames alternativeNames = new GeneralNames(
                new GeneralName[] { new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost") });
        builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));

        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    X509Certificate certificate() {
        return this.certificate;
    }

    /**
     * Returns a server-side TLS context that presents this certificate.
     */
    SSLContext serverContext() throws GeneralSecurityException, IOException {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry(ALIAS, this.keyPair.getPrivate(), KEY_STORE_PASSWORD,
                new Certificate[] { this.certificate });
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keyStore, KEY_STORE_PASSWORD);

        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return context;
    }

    /**
     * Returns a trust manager factory that trusts this certificate and nothing else.
     */
    TrustManagerFactory trustManagerFactory() throws GeneralSecurityException, IOException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trustStore());
        return factory;
    }

    /**
     * Returns a PKCS12 key store holding only this certificate as a trusted entry.
     */
    KeyStore trustStore() throws GeneralSecurityException, IOException {
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry(ALIAS, this.certificate);
        return trustStore;
    }

    void writeTrustStore(Path path, char[] password) throws GeneralSecurityException, IOException {
        try (OutputStream out = Files.newOutputStream(path)) {
            trustStore().store(out, password);
        }
    }

    void writePem(Path path) throws GeneralSecurityException, IOException {
        Base64.Encoder encoder = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        try (Writer writer = Files.newBufferedWriter(path, StandardCharsets.US_ASCII)) {
            writer.write("-----BEGIN CERTIFICATE-----\n");
            writer.write(encoder.encodeToString(this.certificate.getEncoded()));
            writer.write("\n-----END CERTIFICATE-----\n");
        }
    }
}
