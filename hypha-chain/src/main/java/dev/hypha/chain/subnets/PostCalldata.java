package dev.hypha.chain.subnets;

import dev.hypha.chain.ChainErrors;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * The leaves of a {@code SubnetEpochs.post(uint256,uint256,Leaf[])} call, read back from its transaction's input:
 * the contract keeps only their Merkle root, so what each UID got (incentive, dividends) is in the calldata alone.
 * Decoded by hand (a fixed layout of 32-byte words) with every length and value bound checked, because the input
 * comes from whoever sent the transaction.
 */
public final class PostCalldata {
    /** The function's selector: keccak256 of its signature, first four bytes. */
    public static final String SELECTOR = Numeric.toHexString(Arrays.copyOf(Hash.sha3(
            "post(uint256,uint256,(uint16,address,int64,int64,int64,int64,int64,int64,uint64,uint64,bytes32,bytes32)[])"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 4));
    /** Words per leaf (a static struct of 12 fields). */
    private static final int WORDS = 12;
    /** SubnetRegistry's UIDs are uint16; a post has at most that many leaves. */
    private static final int MAX_LEAVES = 65_536;

    /** A decoded post: the subnet, the epoch and its leaves. */
    public record Post(long netuid, long epoch, List<SubnetLeaf> leaves) {}

    private PostCalldata() {}

    /** Decodes {@code input} (0x-prefixed hex); a call that is not {@code post} or is malformed is a chain error naming why. */
    public static Post decode(String input) {
        if (input == null || !input.toLowerCase(java.util.Locale.ROOT).startsWith(SELECTOR)) {
            throw ChainErrors.chain("not a SubnetEpochs.post call (selector " + SELECTOR + ")");
        }
        byte[] data = Numeric.hexStringToByteArray(input.substring(SELECTOR.length()));
        if (data.length < 4 * 32 || data.length % 32 != 0) {
            throw ChainErrors.chain("post calldata of " + data.length + " bytes is not ABI words");
        }
        long netuid = u64(data, 0, "netuid");
        long epoch = u64(data, 1, "epoch");
        BigInteger offset = word(data, 2);
        if (!offset.equals(BigInteger.valueOf(96))) {
            throw ChainErrors.chain("post calldata: leaves at offset " + offset + ", expected 96");
        }
        BigInteger n = word(data, 3);
        if (n.compareTo(BigInteger.valueOf(MAX_LEAVES)) > 0
                || (long) data.length != 4L * 32 + n.longValueExact() * WORDS * 32) {
            throw ChainErrors.chain("post calldata: " + n + " leaves do not fit " + data.length + " bytes");
        }
        List<SubnetLeaf> leaves = new ArrayList<>(n.intValueExact());
        for (int i = 0; i < n.intValueExact(); i++) {
            int base = 4 + i * WORDS;
            BigInteger uid = word(data, base);
            BigInteger account = word(data, base + 1);
            if (uid.bitLength() > 16 || account.bitLength() > 160) {
                throw ChainErrors.chain("post calldata: leaf " + i + " has no uint16 uid or no address");
            }
            leaves.add(new SubnetLeaf(uid.intValue(), Numeric.toHexStringWithPrefixZeroPadded(account, 40),
                    i64(data, base + 2, i), i64(data, base + 3, i), i64(data, base + 4, i), i64(data, base + 5, i),
                    i64(data, base + 6, i), i64(data, base + 7, i), u64(data, base + 8, "leaf " + i),
                    u64(data, base + 9, "leaf " + i), Arrays.copyOfRange(data, (base + 10) * 32, (base + 11) * 32),
                    Arrays.copyOfRange(data, (base + 11) * 32, (base + 12) * 32)));
        }
        return new Post(netuid, epoch, List.copyOf(leaves));
    }

    private static long u64(byte[] data, int index, String what) {
        BigInteger v = word(data, index);
        if (v.bitLength() > 64) {
            throw ChainErrors.chain("post calldata: " + what + " is above u64: " + v);
        }
        return v.longValue(); // u64 bits; SubnetLeaf keeps emissions as raw bits (UidInput.unsigned reads them back)
    }

    /** An ABI int64: sign-extended to 256 bits, so the top 192 bits are all equal to bit 63. */
    private static long i64(byte[] data, int index, int leaf) {
        BigInteger v = new BigInteger(Arrays.copyOfRange(data, index * 32, index * 32 + 32)); // two's complement
        if (v.bitLength() > 63) {
            throw ChainErrors.chain("post calldata: leaf " + leaf + " has a value outside int64: " + v);
        }
        return v.longValue();
    }

    private static BigInteger word(byte[] data, int index) {
        return new BigInteger(1, Arrays.copyOfRange(data, index * 32, index * 32 + 32));
    }
}
