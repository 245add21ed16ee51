package dev.hypha.chain.subnets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;

/** A post's leaves read back from calldata encoded as web3j encodes the real call (what SubnetsClient.post sends). */
class PostCalldataTest {
    private static final SubnetLeaf A = new SubnetLeaf(0, "0x00000000000000000000000000000000000000aa", -5, 7, 7,
            Long.MIN_VALUE, Long.MAX_VALUE, 3, -1L, 42, filled(1), filled(3));
    private static final SubnetLeaf B = new SubnetLeaf(1, "0x00000000000000000000000000000000000000bb", 1 << 31, 0, 7,
            2_863_311_530L, 1_431_655_765L, 9, 0, 0, filled(2), filled(4));

    private static byte[] filled(int v) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }

    private static String encode(long netuid, long epoch, List<SubnetLeaf> leaves) {
        return FunctionEncoder.encode(new Function("post", List.<Type>of(new Uint256(netuid), new Uint256(epoch),
                new DynamicArray<>(StaticStruct.class, leaves.stream().map(SubnetLeaf::toStruct).toList())), List.of()));
    }

    @Test
    void decodesWhatThePostCallEncodes() {
        PostCalldata.Post post = PostCalldata.decode(encode(3, 9, List.of(A, B)));
        assertThat(post.netuid()).isEqualTo(3);
        assertThat(post.epoch()).isEqualTo(9);
        assertThat(post.leaves()).hasSize(2);
        assertThat(post.leaves().get(0)).usingRecursiveComparison().isEqualTo(A);
        assertThat(post.leaves().get(1)).usingRecursiveComparison().isEqualTo(B);
        assertThat(post.leaves().get(0).claimWei()).isEqualTo(A.claimWei()); // u64 max emission survives as raw bits
        // an empty post (web3j cannot encode an empty array of structs, so written out: netuid, epoch, offset, length)
        assertThat(PostCalldata.decode(PostCalldata.SELECTOR + "%064x%064x%064x%064x".formatted(4, 5, 96, 0)))
                .satisfies(p -> assertThat(p.leaves()).isEmpty()).satisfies(p -> assertThat(p.epoch()).isEqualTo(5));
    }

    @Test
    void refusesOtherCallsAndMalformedInput() {
        String good = encode(1, 2, List.of(A));
        assertThatThrownBy(() -> PostCalldata.decode("0xa9059cbb" + good.substring(10)))
                .isInstanceOf(ChainException.class).hasMessageContaining("not a SubnetEpochs.post call");
        assertThatThrownBy(() -> PostCalldata.decode(null)).isInstanceOf(ChainException.class);
        assertThatThrownBy(() -> PostCalldata.decode(good.substring(0, good.length() - 64)))
                .isInstanceOf(ChainException.class).hasMessageContaining("do not fit");
        // a length that claims more leaves than the bytes hold, and one beyond any uint16 UID count
        String header = good.substring(0, 10 + 3 * 64);
        String body = good.substring(10 + 4 * 64);
        assertThatThrownBy(() -> PostCalldata.decode(header + "%064x".formatted(2) + body))
                .isInstanceOf(ChainException.class).hasMessageContaining("do not fit");
        assertThatThrownBy(() -> PostCalldata.decode(header + "f".repeat(64) + body))
                .isInstanceOf(ChainException.class).hasMessageContaining("do not fit");
        // an int64 field that is not sign-extended
        String wide = good.substring(0, 10 + 6 * 64) + "0".repeat(47) + "1" + "0".repeat(16) + good.substring(10 + 7 * 64);
        assertThatThrownBy(() -> PostCalldata.decode(wide)).isInstanceOf(ChainException.class)
                .hasMessageContaining("outside int64");
    }
}
