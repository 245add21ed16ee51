package dev.hypha.core.seal;

import dev.hypha.core.crypto.Hex;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.KDF;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.HKDFParameterSpec;

/**
 * An account's X25519 key for receiving data keys. It is derived from the account's secp256k1 private key with
 * HKDF-SHA256 (salt "hypha", info {@value #INFO}), so backing up the account's keystore backs it up too and no second
 * key file exists; the public half ({@link #publicKey()}, 32 bytes, RFC 7748's little-endian u-coordinate) is what a
 * data owner wraps keys to. Decision: a separate curve (not ECIES on secp256k1) because X25519 is what the JDK offers
 * without hand-written curve code, and the issue asks for it.
 */
public final class RecipientKey {
    static final String INFO = "hypha-data-x25519-v1";
    public static final int PUBLIC_BYTES = 32;

    private final PrivateKey privateKey;
    private final byte[] publicKey;

    private RecipientKey(byte[] scalar) {
        try {
            this.privateKey = KeyFactory.getInstance("XDH")
                    .generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar));
            this.publicKey = agree(privateKey, basePoint());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is unavailable in this JDK", e);
        }
    }

    /** The key of the account whose secp256k1 private key is {@code accountKey}. */
    public static RecipientKey ofAccount(BigInteger accountKey) {
        byte[] ikm = new byte[32];
        byte[] k = accountKey.toByteArray();
        int copy = Math.min(k.length, 32);
        System.arraycopy(k, k.length - copy, ikm, 32 - copy, copy);
        try {
            KDF hkdf = KDF.getInstance("HKDF-SHA256");
            byte[] scalar = hkdf.deriveData(HKDFParameterSpec.ofExtract().addIKM(ikm)
                    .addSalt("hypha".getBytes(StandardCharsets.US_ASCII))
                    .thenExpand(INFO.getBytes(StandardCharsets.US_ASCII), 32));
            return new RecipientKey(scalar);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF-SHA256 is unavailable in this JDK", e);
        } finally {
            Arrays.fill(ikm, (byte) 0);
        }
    }

    /** The key whose X25519 scalar is these 32 bytes (RFC 7748; clamped by X25519 itself). */
    public static RecipientKey ofScalar(byte[] scalar) {
        if (scalar.length != 32) {
            throw new IllegalArgumentException("an X25519 scalar is 32 bytes, not " + scalar.length);
        }
        return new RecipientKey(scalar.clone());
    }

    /** The public key (32 bytes) a data owner wraps keys to. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The public key as 0x-prefixed hex. */
    public String publicKeyHex() {
        return Hex.encode(publicKey);
    }

    /** The X25519 shared secret with {@code otherPublic}. */
    byte[] agree(byte[] otherPublic) throws GeneralSecurityException {
        return agree(privateKey, otherPublic);
    }

    static byte[] agree(PrivateKey privateKey, byte[] otherPublic) throws GeneralSecurityException {
        if (otherPublic.length != PUBLIC_BYTES) {
            throw new java.security.InvalidKeyException("an X25519 public key is 32 bytes, not " + otherPublic.length);
        }
        KeyAgreement ka = KeyAgreement.getInstance("XDH");
        ka.init(privateKey);
        ka.doPhase(publicKeyOf(otherPublic), true);
        return ka.generateSecret(); // the JDK refuses an all-zero result (a small-order point), as RFC 7748 advises
    }

    static PublicKey publicKeyOf(byte[] littleEndian) throws GeneralSecurityException {
        byte[] be = new byte[littleEndian.length];
        for (int i = 0; i < be.length; i++) {
            be[i] = littleEndian[be.length - 1 - i];
        }
        be[0] &= 0x7f; // RFC 7748: the top bit of the u-coordinate is ignored
        return KeyFactory.getInstance("XDH").generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519,
                new BigInteger(1, be)));
    }

    /** u = 9, the base point: X25519(scalar, 9) is the scalar's public key. */
    private static byte[] basePoint() {
        byte[] nine = new byte[32];
        nine[0] = 9;
        return nine;
    }

    @Override
    public String toString() {
        return "RecipientKey[" + publicKeyHex() + "]";
    }
}
