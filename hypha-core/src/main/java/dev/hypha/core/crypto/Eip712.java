package dev.hypha.core.crypto;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.security.SignatureException;
import java.util.Objects;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Sign;

/**
 * EIP-712 hashing, signing and signer recovery over {@link TypedData}. Signing and recovery are web3j's
 * ({@link Sign}); the encoding is {@link Eip712Encoder} (see there why not web3j's). Only low-s signatures are made or
 * accepted, and signatures travel in the 65-byte form contracts take.
 */
public final class Eip712 {
    private Eip712() {}

    /** The 32-byte digest {@code keccak256(0x1901 || domainSeparator || hashStruct(message))} that gets signed. */
    public static byte[] hash(TypedData data) {
        return Eip712Encoder.digest(data);
    }

    /** The domain separator alone ({@code hashStruct(domain)}), as a contract's {@code _domainSeparatorV4()} returns it. */
    public static byte[] domainSeparator(TypedData data) {
        return Eip712Encoder.domainSeparator(data.domain());
    }

    /** {@code hashStruct(message)}: what a contract computes with {@code keccak256(abi.encode(TYPEHASH, ...))}. */
    public static byte[] hashStruct(TypedData data) {
        return Eip712Encoder.hashStruct(data.types(), data.primaryType(), data.message());
    }

    /** The EIP-712 {@code encodeType} string of a struct type, e.g. {@code Mail(Person from,...)Person(...)}. */
    public static String encodeType(TypedData data, String type) {
        if (!data.types().containsKey(type)) {
            throw HyphaException.input("EIP-712 type '" + type + "' is not among the types " + data.types().keySet());
        }
        return Eip712Encoder.encodeType(data.types(), type);
    }

    /** {@code keccak256(encodeType(type))}: the type hash a Solidity contract declares as a constant. */
    public static byte[] typeHash(TypedData data, String type) {
        return Hashes.keccak256(encodeType(data, type).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Signs the typed data's digest with the key pair. The result is always low-s. */
    public static Signature sign(TypedData data, ECKeyPair keyPair) {
        return signHash(hash(data), keyPair);
    }

    /** Signs with the account's key. */
    public static Signature sign(TypedData data, Credentials credentials) {
        return sign(data, credentials.getEcKeyPair());
    }

    /** Signs a 32-byte digest as is (no prefix); web3j's signer already normalises s to the low half. */
    public static Signature signHash(byte[] digest, ECKeyPair keyPair) {
        requireDigest(digest);
        Objects.requireNonNull(keyPair, "keyPair");
        return Signature.of(Sign.signMessage(digest, keyPair, false));
    }

    /**
     * The address whose key made the signature over this typed data.
     *
     * @throws HyphaException (AUTH) when the signature recovers to no key at all
     */
    public static Address recoverSigner(TypedData data, Signature signature) {
        return recoverFromHash(hash(data), signature);
    }

    /** The address whose key signed the 32-byte digest. */
    public static Address recoverFromHash(byte[] digest, Signature signature) {
        requireDigest(digest);
        Objects.requireNonNull(signature, "signature");
        try {
            BigInteger publicKey = Sign.signedMessageHashToKey(digest, signature.toSignatureData());
            return Address.fromPublicKey(publicKey);
        } catch (SignatureException | RuntimeException e) {
            throw new HyphaException(ErrorCategory.AUTH, "signature does not match any public key for this message", e);
        }
    }

    /** Whether {@code expectedSigner} signed exactly this typed data (same domain, chain, contract and message). */
    public static boolean verify(TypedData data, Signature signature, Address expectedSigner) {
        Objects.requireNonNull(expectedSigner, "expectedSigner");
        byte[] digest = hash(data);
        try {
            return recoverFromHash(digest, signature).equals(expectedSigner);
        } catch (HyphaException e) {
            if (e.category() == ErrorCategory.AUTH) return false;
            throw e;
        }
    }

    private static void requireDigest(byte[] digest) {
        if (digest == null || digest.length != 32) {
            throw HyphaException.input("an EIP-712 digest is 32 bytes, got " + (digest == null ? "none" : digest.length + " bytes"));
        }
    }
}
