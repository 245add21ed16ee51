package dev.hypha.chain.subnets;

import dev.hypha.chain.ChainErrors;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Int64;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * One UID's posted epoch outputs (SubnetEpochs.Leaf). Fixed-point values are I32F32 raw bits; emissions are in
 * nano-HYP (1e9 wei).
 *
 * @param rankPrefix wrapping sum of rank over UIDs 0..uid
 * @param combinedPrefix wrapping sum of saturating(incentive + dividends) over UIDs 0..uid
 * @param bondsHash keccak256(abi.encode(uint16[] bonds of every validator on this UID))
 */
public record SubnetLeaf(int uid, String account, long consensus, long rank, long rankPrefix, long incentive,
        long dividends, long combinedPrefix, long minerEmission, long validatorEmission, byte[] bondsHash) {

    public StaticStruct toStruct() {
        return new StaticStruct(new Uint16(uid), new Address(account), new Int64(consensus), new Int64(rank),
                new Int64(rankPrefix), new Int64(incentive), new Int64(dividends), new Int64(combinedPrefix),
                new Uint64(UidInput.unsigned(minerEmission)), new Uint64(UidInput.unsigned(validatorEmission)),
                new Bytes32(bondsHash));
    }

    /** keccak256(keccak256(abi.encode(leaf))), as SubnetEpochs.leafHash. */
    public byte[] hash() {
        return Hash.sha3(Hash.sha3(Numeric.hexStringToByteArray(TypeEncoder.encode(toStruct()))));
    }

    /** What the UID's account claims once the epoch is final, in wei. */
    public BigInteger claimWei() {
        return UidInput.unsigned(minerEmission).add(UidInput.unsigned(validatorEmission)).multiply(BigInteger.TEN.pow(9));
    }

    private static final int LEAF_WORDS = 11;
    /** Selector of SubnetEpochs.post(uint256,uint256,Leaf[]). */
    private static final byte[] POST_SELECTOR = Arrays.copyOf(Hash.sha3(
            "post(uint256,uint256,(uint16,address,int64,int64,int64,int64,int64,int64,uint64,uint64,bytes32)[])"
                    .getBytes(StandardCharsets.US_ASCII)), 4);

    /**
     * The leaves of a {@code SubnetEpochs.post} call's calldata. Written by hand for the same reason as
     * {@link UidInput#decodeArray}: an array of static tuples has a fixed layout (selector, netuid, epoch, offset,
     * length, 11 words per leaf); every word is range-checked, so anything else is refused rather than misread.
     */
    public static List<SubnetLeaf> decodePostCall(byte[] calldata) {
        if (calldata.length < 4 + 128 || (calldata.length - 4) % 32 != 0
                || !Arrays.equals(Arrays.copyOf(calldata, 4), POST_SELECTOR)) {
            throw ChainErrors.chain("not a SubnetEpochs.post call (" + calldata.length + " bytes)");
        }
        byte[] data = Arrays.copyOfRange(calldata, 4, calldata.length);
        if (!word(data, 2).equals(BigInteger.valueOf(96))) throw ChainErrors.chain("post call: leaves offset is not 96");
        BigInteger n = word(data, 3);
        if (n.compareTo(BigInteger.valueOf(256)) > 0 || data.length != (4 + n.intValueExact() * LEAF_WORDS) * 32) {
            throw ChainErrors.chain("post call: " + n + " leaves do not fit " + data.length + " bytes");
        }
        List<SubnetLeaf> leaves = new ArrayList<>();
        for (int i = 0; i < n.intValueExact(); i++) {
            int b = 4 + i * LEAF_WORDS;
            BigInteger uid = word(data, b);
            BigInteger account = word(data, b + 1);
            if (uid.bitLength() > 16 || account.bitLength() > 160) throw ChainErrors.chain("post call: leaf " + i + " is malformed");
            leaves.add(new SubnetLeaf(uid.intValueExact(), Numeric.toHexStringWithPrefixZeroPadded(account, 40),
                    int64(data, b + 2, i), int64(data, b + 3, i), int64(data, b + 4, i), int64(data, b + 5, i),
                    int64(data, b + 6, i), int64(data, b + 7, i), uint64(data, b + 8, i), uint64(data, b + 9, i),
                    Arrays.copyOfRange(data, (b + 10) * 32, (b + 11) * 32)));
        }
        return leaves;
    }

    private static BigInteger word(byte[] data, int index) {
        return new BigInteger(1, Arrays.copyOfRange(data, index * 32, index * 32 + 32));
    }

    private static long int64(byte[] data, int index, int leaf) {
        BigInteger signed = new BigInteger(Arrays.copyOfRange(data, index * 32, index * 32 + 32)); // two's complement
        if (signed.bitLength() > 63) throw ChainErrors.chain("post call: leaf " + leaf + " has a value outside int64");
        return signed.longValue();
    }

    private static long uint64(byte[] data, int index, int leaf) {
        BigInteger v = word(data, index);
        if (v.bitLength() > 64) throw ChainErrors.chain("post call: leaf " + leaf + " has a value above u64");
        return v.longValue();
    }

    /** Whether every field equals {@code other}'s (records compare byte arrays by reference). */
    public boolean sameAs(SubnetLeaf other) {
        return Arrays.equals(hash(), other.hash());
    }

    /** A copy with one output changed (for tests and for showing what a challenge catches). */
    public SubnetLeaf withIncentive(long value) {
        return new SubnetLeaf(uid, account, consensus, rank, rankPrefix, value, dividends, combinedPrefix, minerEmission,
                validatorEmission, bondsHash);
    }
}
