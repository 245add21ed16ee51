package dev.hypha.chain.subnets;

import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicStruct;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.utils.Numeric;

/**
 * Everything a challenge of one UID's dividends brings (SubnetEpochs.DividendsChallenge), encoded as
 * {@code abi.encode(DividendsChallenge)}: the frozen inputs (for every UID's active stake), the challenged leaf and the
 * last leaf with proofs against the post, and the last running dividends vector (the challenger's own,
 * {@link YumaPost#running(int)} of the last UID: it opens the posted last leaf when the post's running vectors are
 * honest; when they are not, the column challenge of the first wrong step wins instead).
 */
public record DividendsChallengeData(int uid, List<UidInput> inputs, List<SubnetLeaf> posted, long[] lastRunning) {

    /** The bytes SubnetEpochs.challengeDividends takes. */
    public byte[] encode() {
        EpochTree tree = new EpochTree(posted);
        int n = posted.size();
        boolean hasLast = uid + 1 < n;
        DynamicStruct c = new DynamicStruct(
                new Uint16(uid),
                new DynamicArray<>(StaticStruct.class, inputs.stream().map(UidInput::toStruct).toList()),
                posted.get(uid).toStruct(), ChallengeData.proof(tree.proof(uid)),
                (hasLast ? posted.get(n - 1) : SubnetLeaf.ZERO).toStruct(),
                ChallengeData.proof(hasLast ? tree.proof(n - 1) : List.of()),
                YumaPost.int64Array(lastRunning));
        return Numeric.hexStringToByteArray(FunctionEncoder.encodeConstructor(List.of(c)));
    }
}
