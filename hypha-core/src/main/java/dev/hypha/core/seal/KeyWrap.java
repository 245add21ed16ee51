package dev.hypha.core.seal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.XECPublicKey;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KDF;
import javax.crypto.spec.HKDFParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A data key wrapped to one recipient (ECIES with X25519, HKDF-SHA256 and ChaCha20-Poly1305): a fresh ephemeral key
 * pair per wrap, the shared secret stretched with both public keys as salt, and the data key sealed under it with both
 * public keys as associated data, so a wrap cannot be redirected to another recipient or re-labelled.
 *
 * <pre>
 * "HKW1" | ephemeral public key (32) | ChaCha20-Poly1305(data key) (32 + 16 tag)      84 bytes
 * </pre>
 * This is what an access grant carries on chain.
 */
public final class KeyWrap {
    public static final int BYTES = 4 + 32 + DataKey.BYTES + 16;
    private static final byte[] MAGIC = {'H', 'K', 'W', '1'};
    private static final byte[] INFO = "hypha-data-key-wrap-v1".getBytes(StandardCharsets.US_ASCII);

    private KeyWrap() {}

    /** {@code key} wrapped to the recipient whose public key is {@code recipientPublic}. */
    public static byte[] wrap(DataKey key, byte[] recipientPublic) {
        try {
            KeyPair ephemeral = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            byte[] ephemeralPublic = littleEndian((XECPublicKey) ephemeral.getPublic());
            byte[] shared = RecipientKey.agree(ephemeral.getPrivate(), recipientPublic);
            byte[] sealed = aead(Cipher.ENCRYPT_MODE, shared, ephemeralPublic, recipientPublic, key.bytes());
            return ByteBuffer.allocate(BYTES).put(MAGIC).put(ephemeralPublic).put(sealed).array();
        } catch (java.security.InvalidKeyException e) {
            throw new IllegalArgumentException("not a usable X25519 public key: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 or ChaCha20-Poly1305 is unavailable in this JDK", e);
        }
    }

    /**
     * The data key in {@code wrapped}, for {@code recipient}.
     *
     * @throws SealException when it is malformed, changed, or wrapped to another key
     */
    public static DataKey unwrap(byte[] wrapped, RecipientKey recipient) {
        if (wrapped.length != BYTES || !Arrays.equals(wrapped, 0, 4, MAGIC, 0, 4)) {
            throw new SealException("not a wrapped data key (" + BYTES + " bytes starting HKW1 expected, got "
                    + wrapped.length + " bytes)");
        }
        byte[] ephemeralPublic = Arrays.copyOfRange(wrapped, 4, 36);
        try {
            byte[] shared = recipient.agree(ephemeralPublic);
            byte[] key = aead(Cipher.DECRYPT_MODE, shared, ephemeralPublic, recipient.publicKey(),
                    Arrays.copyOfRange(wrapped, 36, BYTES));
            return DataKey.of(key);
        } catch (AEADBadTagException e) {
            throw new SealException("the wrapped data key does not open with this account's key: it is meant for "
                    + "another recipient, or it was changed");
        } catch (java.security.InvalidKeyException e) {
            throw new SealException("the wrapped data key's ephemeral public key is unusable: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 or ChaCha20-Poly1305 is unavailable in this JDK", e);
        }
    }

    private static byte[] aead(int mode, byte[] shared, byte[] ephemeralPublic, byte[] recipientPublic, byte[] data)
            throws GeneralSecurityException {
        byte[] both = ByteBuffer.allocate(64).put(ephemeralPublic).put(recipientPublic).array();
        byte[] kek = KDF.getInstance("HKDF-SHA256").deriveData(HKDFParameterSpec.ofExtract().addIKM(shared)
                .addSalt(both).thenExpand(INFO, 32));
        try {
            Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
            // One key-encryption key per ephemeral key pair, used once: a zero nonce is safe.
            c.init(mode, new SecretKeySpec(kek, "ChaCha20"), new IvParameterSpec(new byte[12]));
            c.updateAAD(both);
            return c.doFinal(data);
        } finally {
            Arrays.fill(kek, (byte) 0);
            Arrays.fill(shared, (byte) 0);
        }
    }

    private static byte[] littleEndian(XECPublicKey key) {
        byte[] be = key.getU().toByteArray();
        byte[] le = new byte[32];
        for (int i = 0; i < Math.min(32, be.length); i++) {
            le[i] = be[be.length - 1 - i];
        }
        return le;
    }
}
