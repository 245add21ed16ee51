package dev.hypha.node.transport;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A TLS key pair and its self-signed X.509 certificate. The certificate's own signature proves nothing to a Hypha
 * client (the TLS handshake proves possession of the key, the {@link TlsKeyBinding} extension says whose it is); it is
 * there because X.509 requires one. BouncyCastle builds the certificate; the JDK's providers do the cryptography, so no
 * security provider is installed globally.
 *
 * @param privateKey  the TLS private key (P-256), never written anywhere
 * @param certificate the self-signed certificate for its public key
 */
public record BindingCertificate(PrivateKey privateKey, X509Certificate certificate) {
    private static final SecureRandom RANDOM = new SecureRandom();

    public BindingCertificate {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(certificate, "certificate");
    }

    /** A fresh P-256 key pair: the curve every TLS 1.3 implementation supports (ecdsa_secp256r1_sha256). */
    public static KeyPair newTlsKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make P-256 keys, which every JDK 25 can", e);
        }
    }

    /**
     * A self-signed certificate for {@code tlsKey}, valid over the given window, carrying {@code bindingExtension} as
     * the value of the {@link TlsKeyBinding#OID} extension ({@code null}: no such extension). The bytes are put in as
     * given, so a test can also build certificates a client must refuse.
     */
    public static BindingCertificate selfSigned(KeyPair tlsKey, String commonName, Instant notBefore, Instant notAfter,
                                                byte[] bindingExtension) {
        X500Name name = new X500Name("CN=" + commonName.replaceAll("[,=+<>#;\"\\\\]", "_"));
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(63, RANDOM).add(BigInteger.ONE),
                Date.from(notBefore), Date.from(notAfter), name, tlsKey.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            if (bindingExtension != null) {
                builder.addExtension(TlsKeyBinding.OID, false, bindingExtension);
            }
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(tlsKey.getPrivate())));
            return new BindingCertificate(tlsKey.getPrivate(), certificate);
        } catch (CertIOException | OperatorCreationException | java.security.cert.CertificateException e) {
            throw new IllegalStateException("cannot build a self-signed P-256 certificate: " + e.getMessage(), e);
        }
    }

    /** The moment the certificate stops being valid (also its binding's end when issued by {@link BindingIssuer}). */
    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }
}
