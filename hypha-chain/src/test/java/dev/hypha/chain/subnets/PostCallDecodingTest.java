package dev.hypha.chain.subnets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.utils.Numeric;

/**
 * {@link PostCalldata#decode} reads back exactly what {@code SubnetsClient.post} encodes (negative fixed-point
 * values and u64 emissions above 2^63 included) and refuses calldata that is not such a call, by name.
 */
class PostCallDecodingTest {
    private static byte[] postCall(List<SubnetLeaf> leaves) {
        return Numeric.hexStringToByteArray(FunctionEncoder.encode(new Function("post", List.<Type>of(new Uint256(3),
                new Uint256(7), new DynamicArray<>(StaticStruct.class, leaves.stream().map(SubnetLeaf::toStruct).toList())),
                List.of())));
    }

    private static final List<SubnetLeaf> LEAVES = List.of(
            new SubnetLeaf(0, "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", 1L << 31, -5, -5, Long.MAX_VALUE, 0, Long.MIN_VALUE,
                    -1L /* u64 max */, 12, new byte[32], filled((byte) -1)),
            new SubnetLeaf(1, "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", 0, 9, 4, 1, 2, 3, 4, 5, filled((byte) 7),
                    filled((byte) 9)));

    private static byte[] filled(byte b) {
        byte[] a = new byte[32];
        Arrays.fill(a, b);
        return a;
    }

    @Test
    void readsBackWhatWasEncoded() {
        List<SubnetLeaf> back = decode(postCall(LEAVES));
        assertThat(back).hasSize(2);
        for (int i = 0; i < 2; i++) assertThat(back.get(i).sameAs(LEAVES.get(i))).isTrue();
        assertThat(new EpochTree(back).root()).isEqualTo(new EpochTree(LEAVES).root());
    }

    @Test
    void refusesWhatIsNotAPostCall() {
        byte[] good = postCall(LEAVES);
        byte[] otherSelector = good.clone();
        otherSelector[0] ^= 1;
        assertThatThrownBy(() -> decode(otherSelector)).isInstanceOf(ChainException.class)
                .hasMessageContaining("not a SubnetEpochs.post call");
        assertThatThrownBy(() -> decode(Arrays.copyOf(good, good.length - 32)))
                .isInstanceOf(ChainException.class).hasMessageContaining("do not fit");
        byte[] huge = good.clone();
        huge[4 + 3 * 32 + 31] = (byte) 200; // the length word: 200 leaves in 2 leaves' bytes
        huge[4 + 3 * 32 + 30] = 1; // 456 leaves
        assertThatThrownBy(() -> decode(huge)).isInstanceOf(ChainException.class).hasMessageContaining("do not fit");
        byte[] badUid = good.clone();
        badUid[4 + 4 * 32] = 1; // the first leaf's uid word above u16
        assertThatThrownBy(() -> decode(badUid)).isInstanceOf(ChainException.class).hasMessageContaining("leaf 0 has no uint16 uid");
        byte[] badInt = good.clone();
        badInt[4 + (4 + 2) * 32] = 0x01; // the first leaf's consensus word: not a sign-extended int64
        assertThatThrownBy(() -> decode(badInt)).isInstanceOf(ChainException.class).hasMessageContaining("outside int64");
    }

    private static List<SubnetLeaf> decode(byte[] calldata) {
        return PostCalldata.decode(org.web3j.utils.Numeric.toHexString(calldata)).leaves();
    }
}
