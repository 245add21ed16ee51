package dev.hypha.chain.subnets;

import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicStruct;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.utils.Numeric;

/**
 * Everything a challenge of one UID brings (SubnetEpochs.Challenge), encoded as {@code abi.encode(Challenge)}: the
 * frozen inputs, every UID's revealed weights, the challenged leaf and its neighbours with proofs against the post,
 * the previous accepted epoch's bonds column with its leaf and proof, and the running dividends vector of UID − 1
 * (the challenger's own, {@link YumaPost#running(int)}: it opens the posted leaf's hash as long as the post is honest
 * up to there, and is read only when every other output of the UID matched).
 */
public record ChallengeData(int uid, List<UidInput> inputs, List<WeightRow> rows, List<SubnetLeaf> posted,
        List<SubnetLeaf> previousEpoch, int[] previousBonds, long[] runningBefore) {

    /** The bytes SubnetEpochs.challenge takes. */
    public byte[] encode() {
        EpochTree tree = new EpochTree(posted);
        int n = posted.size();
        SubnetLeaf zero = SubnetLeaf.ZERO;
        SubnetLeaf previous = uid > 0 ? posted.get(uid - 1) : zero;
        List<byte[]> previousProof = uid > 0 ? tree.proof(uid - 1) : List.of();
        SubnetLeaf last = uid + 1 < n ? posted.get(n - 1) : zero;
        List<byte[]> lastProof = uid + 1 < n ? tree.proof(n - 1) : List.of();
        SubnetLeaf epochLeaf = zero;
        List<byte[]> epochProof = List.of();
        if (previousEpoch != null && uid < previousEpoch.size()) {
            epochLeaf = previousEpoch.get(uid);
            epochProof = new EpochTree(previousEpoch).proof(uid);
        }
        DynamicStruct c = new DynamicStruct(
                new Uint16(uid),
                new DynamicArray<>(StaticStruct.class, inputs.stream().map(UidInput::toStruct).toList()),
                new DynamicArray<>(DynamicStruct.class, rows.stream().map(WeightRow::toStruct).toList()),
                posted.get(uid).toStruct(), proof(tree.proof(uid)),
                previous.toStruct(), proof(previousProof),
                last.toStruct(), proof(lastProof),
                WeightRow.u16Array(previousBonds),
                epochLeaf.toStruct(), proof(epochProof),
                YumaPost.int64Array(uid > 0 ? runningBefore : new long[0]));
        return Numeric.hexStringToByteArray(FunctionEncoder.encodeConstructor(List.of(c)));
    }

    static DynamicArray<Bytes32> proof(List<byte[]> siblings) {
        return new DynamicArray<>(Bytes32.class, siblings.stream().map(Bytes32::new).toList());
    }
}
