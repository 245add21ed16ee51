package dev.hypha.chain.opml;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * The receipt, signature and tokens of an {@code OpmlVerifier.challenge(Receipt,bytes,bytes,bytes,bytes32)} call, read
 * back from its transaction's input: the contract checked them (tokens against the receipt's hashes, signature against
 * the provider's key) but keeps only the digest, so a provider that no longer holds the answer finds everything it
 * needs to defend it here. Decoded by hand (ABI words) with every offset and length bounded, because the input comes
 * from whoever sent the transaction.
 */
public final class ChallengeCalldata {
    /** The function's selector. */
    public static final String SELECTOR = Numeric.toHexString(Arrays.copyOf(Hash.sha3(("challenge((address,bytes32,"
            + "bytes32,bytes32,uint64,uint16,uint16,bytes32,bytes32),bytes,bytes,bytes,bytes32)")
            .getBytes(StandardCharsets.US_ASCII)), 4));
    /** Head words: the receipt's 9, three offsets, the challenger's root. */
    private static final int HEAD_WORDS = 13;
    /** Longest input read (a real one is under 1 KiB: at most 32 positions of byte tokens). */
    private static final int MAX_BYTES = 1 << 16;

    private ChallengeCalldata() {}

    /**
     * Decodes {@code input} (0x-prefixed hex).
     *
     * @throws IllegalArgumentException naming what is wrong, for a call that is not {@code challenge} or is malformed
     */
    public static OpmlCommitment decode(String input) {
        if (input == null || !input.toLowerCase(Locale.ROOT).startsWith(SELECTOR)) {
            throw new IllegalArgumentException("not an OpmlVerifier.challenge call (selector " + SELECTOR + ")");
        }
        if (input.length() - SELECTOR.length() > 2 * MAX_BYTES) {
            throw new IllegalArgumentException("challenge calldata longer than " + MAX_BYTES + " bytes");
        }
        byte[] data = Numeric.hexStringToByteArray(input.substring(SELECTOR.length()));
        if (data.length < HEAD_WORDS * 32 || data.length % 32 != 0) {
            throw new IllegalArgumentException("challenge calldata of " + data.length + " bytes is not its ABI words");
        }
        BigInteger provider = word(data, 0);
        if (provider.bitLength() > 160) {
            throw new IllegalArgumentException("challenge calldata: the receipt's provider is not an address");
        }
        OpmlReceipt receipt = new OpmlReceipt(Address.parse(Numeric.toHexStringWithPrefixZeroPadded(provider, 40)),
                raw(data, 1), raw(data, 2), raw(data, 3), (long) small(data, 4, 64, "seed"),
                (int) small(data, 5, 16, "promptLength"), (int) small(data, 6, 16, "outputLength"), raw(data, 7),
                raw(data, 8));
        return new OpmlCommitment(receipt, bytesAt(data, 9, "signature"), bytesAt(data, 10, "prompt"),
                bytesAt(data, 11, "output"));
    }

    /** The {@code bytes} argument whose offset is head word {@code index}. */
    private static byte[] bytesAt(byte[] data, int index, String name) {
        long offset = small(data, index, 31, name + " offset");
        if (offset % 32 != 0 || offset < HEAD_WORDS * 32L || offset + 32 > data.length) {
            throw new IllegalArgumentException("challenge calldata: " + name + " at offset " + offset + " of "
                    + data.length + " bytes");
        }
        long length = small(data, (int) (offset / 32), 31, name + " length");
        if (offset + 32 + length > data.length) {
            throw new IllegalArgumentException("challenge calldata: " + name + " of " + length + " bytes does not fit");
        }
        return Arrays.copyOfRange(data, (int) offset + 32, (int) (offset + 32 + length));
    }

    private static long small(byte[] data, int index, int bits, String name) {
        BigInteger v = word(data, index);
        if (v.bitLength() > bits) {
            throw new IllegalArgumentException("challenge calldata: " + name + " is above " + bits + " bits: " + v);
        }
        return v.longValue(); // uint64 seeds keep their bits
    }

    private static BigInteger word(byte[] data, int index) {
        return new BigInteger(1, raw(data, index));
    }

    private static byte[] raw(byte[] data, int index) {
        return Arrays.copyOfRange(data, index * 32, index * 32 + 32);
    }
}
