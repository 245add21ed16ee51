package dev.hypha.core.crypto;

import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * A secp256k1 signature in Ethereum's form: {@code r}, {@code s} and the recovery byte {@code v} (27 or 28). Only the
 * canonical low-s form exists as a value (EIP-2; OpenZeppelin's ECDSA.recover rejects the rest), so a signature that
 * passes here also passes on-chain, and one message cannot be signed two ways (no malleability).
 *
 * @param v 27 or 28
 * @param r 0 &lt; r &lt; n
 * @param s 0 &lt; s &lt;= n/2
 */
public record Signature(int v, BigInteger r, BigInteger s) {
    /** Length of the packed {@code r || s || v} form. */
    public static final int LENGTH = 65;
    /** The secp256k1 group order n. */
    public static final BigInteger CURVE_ORDER = Sign.CURVE_PARAMS.getN();
    private static final BigInteger HALF_ORDER = CURVE_ORDER.shiftRight(1);

    public Signature {
        if (v != 27 && v != 28) {
            throw HyphaException.input("signature recovery byte v must be 27 or 28 (or 0 or 1), got " + v);
        }
        if (r == null || r.signum() <= 0 || r.compareTo(CURVE_ORDER) >= 0) {
            throw HyphaException.input("signature r is out of range (expected 0 < r < secp256k1 order)");
        }
        if (s == null || s.signum() <= 0 || s.compareTo(CURVE_ORDER) >= 0) {
            throw HyphaException.input("signature s is out of range (expected 0 < s < secp256k1 order)");
        }
        if (s.compareTo(HALF_ORDER) > 0) {
            throw HyphaException.input("malleable signature rejected: s is in the upper half of the curve order "
                    + "(EIP-2 requires low-s; re-sign with a library that normalises s)");
        }
    }

    /**
     * Reads the 65-byte {@code r || s || v} form. {@code v} may be 27/28 or 0/1 (both are in use).
     *
     * @throws HyphaException (INPUT) naming the length when it is not 65 bytes, or the bad component
     */
    public static Signature fromBytes(byte[] packed) {
        if (packed == null || packed.length != LENGTH) {
            throw HyphaException.input("a signature is 65 bytes (r, s, v), got "
                    + (packed == null ? "none" : packed.length + " bytes"));
        }
        BigInteger r = Numeric.toBigInt(packed, 0, 32);
        BigInteger s = Numeric.toBigInt(packed, 32, 32);
        int v = packed[64] & 0xff;
        return new Signature(v < 27 ? v + 27 : v, r, s);
    }

    /** Reads 0x + 130 hex digits. */
    public static Signature fromHex(String hex) {
        return fromBytes(Hex.decode(hex));
    }

    /** Converts web3j's signature data (which may carry high s from foreign signers; that is rejected). */
    public static Signature of(Sign.SignatureData data) {
        byte[] v = data.getV();
        if (v.length != 1) {
            throw HyphaException.input("signature v must be one byte, got " + v.length);
        }
        return new Signature(v[0] & 0xff, Numeric.toBigInt(data.getR()), Numeric.toBigInt(data.getS()));
    }

    /** The 65-byte {@code r || s || v} form that Solidity's ECDSA.recover(bytes32, bytes) takes. */
    public byte[] toBytes() {
        byte[] packed = new byte[LENGTH];
        System.arraycopy(Numeric.toBytesPadded(r, 32), 0, packed, 0, 32);
        System.arraycopy(Numeric.toBytesPadded(s, 32), 0, packed, 32, 32);
        packed[64] = (byte) v;
        return packed;
    }

    /** 0x + 130 hex digits. */
    public String toHex() {
        return Hex.encode(toBytes());
    }

    /** web3j's representation, for web3j APIs. */
    public Sign.SignatureData toSignatureData() {
        return new Sign.SignatureData((byte) v, Numeric.toBytesPadded(r, 32), Numeric.toBytesPadded(s, 32));
    }

    @Override
    public String toString() {
        return toHex();
    }
}
