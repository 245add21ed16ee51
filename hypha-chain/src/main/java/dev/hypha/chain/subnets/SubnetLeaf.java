package dev.hypha.chain.subnets;

import java.math.BigInteger;
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
 * @param runningHash keccak256(abi.encode(int64[] R_uid)): every validator's dividend row sum over UIDs 0..uid
 *     ({@link YumaPost#running(int)})
 */
public record SubnetLeaf(int uid, String account, long consensus, long rank, long rankPrefix, long incentive,
        long dividends, long combinedPrefix, long minerEmission, long validatorEmission, byte[] bondsHash,
        byte[] runningHash) {

    /** The all-zero leaf a challenge sends where a neighbour does not exist (the contract ignores it). */
    public static final SubnetLeaf ZERO = new SubnetLeaf(0, "0x0000000000000000000000000000000000000000", 0, 0, 0, 0,
            0, 0, 0, 0, new byte[32], new byte[32]);

    public StaticStruct toStruct() {
        return new StaticStruct(new Uint16(uid), new Address(account), new Int64(consensus), new Int64(rank),
                new Int64(rankPrefix), new Int64(incentive), new Int64(dividends), new Int64(combinedPrefix),
                new Uint64(UidInput.unsigned(minerEmission)), new Uint64(UidInput.unsigned(validatorEmission)),
                new Bytes32(bondsHash), new Bytes32(runningHash));
    }

    /** keccak256(keccak256(abi.encode(leaf))), as SubnetEpochs.leafHash. */
    public byte[] hash() {
        return Hash.sha3(Hash.sha3(Numeric.hexStringToByteArray(TypeEncoder.encode(toStruct()))));
    }

    /** What the UID's account claims once the epoch is final, in wei. */
    public BigInteger claimWei() {
        return UidInput.unsigned(minerEmission).add(UidInput.unsigned(validatorEmission)).multiply(BigInteger.TEN.pow(9));
    }

    /** Whether every field equals {@code other}'s (records compare byte arrays by reference). */
    public boolean sameAs(SubnetLeaf other) {
        return Arrays.equals(hash(), other.hash());
    }

    /** A copy with one output changed (for tests and for showing what a challenge catches). */
    public SubnetLeaf withIncentive(long value) {
        return new SubnetLeaf(uid, account, consensus, rank, rankPrefix, value, dividends, combinedPrefix, minerEmission,
                validatorEmission, bondsHash, runningHash);
    }
}
