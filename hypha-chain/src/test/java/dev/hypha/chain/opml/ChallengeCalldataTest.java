package dev.hypha.chain.opml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.crypto.Address;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Bytes32;

/**
 * The challenge's calldata reads back as the receipt, signature and tokens it was encoded from (web3j's ABI encoder,
 * as {@code OpmlVerifierClient.challenge} sends it), and input that is not such a call is refused by name.
 */
class ChallengeCalldataTest {
    private static final byte[] PROMPT = {'h', 'i'};
    private static final byte[] OUTPUT = {'!', (byte) 0xE9};

    private static OpmlCommitment commitment() {
        byte[] signature = new byte[65];
        Arrays.fill(signature, (byte) 7);
        OpmlReceipt r = OpmlReceipt.of(Address.parse("0x00000000000000000000000000000000000000aa"), fill(1), PROMPT,
                OUTPUT, -2L, fill(2), fill(3)); // seed 2^64 - 2: the top bit survives
        return new OpmlCommitment(r, signature, PROMPT, OUTPUT);
    }

    private static byte[] fill(int b) {
        byte[] w = new byte[32];
        Arrays.fill(w, (byte) b);
        return w;
    }

    private static String encoded(OpmlCommitment c) {
        return FunctionEncoder.encode(new Function("challenge", List.of(c.receipt().abi(),
                new DynamicBytes(c.signature()), new DynamicBytes(c.prompt()), new DynamicBytes(c.output()),
                new Bytes32(fill(9))), List.of()));
    }

    @Test
    void readsBackWhatWasEncoded() {
        OpmlCommitment c = commitment();
        OpmlCommitment back = ChallengeCalldata.decode(encoded(c));
        assertThat(back.receipt().digest(31337, Address.parse("0x00000000000000000000000000000000000000bb")))
                .isEqualTo(c.receipt().digest(31337, Address.parse("0x00000000000000000000000000000000000000bb")));
        assertThat(back.signature()).isEqualTo(c.signature());
        assertThat(back.prompt()).isEqualTo(PROMPT);
        assertThat(back.output()).isEqualTo(OUTPUT);
        assertThat(back.receipt().seed()).isEqualTo(-2L);
    }

    @Test
    void refusesAnotherCallOrMalformedInputByName() {
        String ok = encoded(commitment());
        assertThatThrownBy(() -> ChallengeCalldata.decode("0x12345678" + ok.substring(10)))
                .hasMessageContaining("not an OpmlVerifier.challenge call");
        assertThatThrownBy(() -> ChallengeCalldata.decode(ok.substring(0, ok.length() - 64)))
                .isInstanceOf(IllegalArgumentException.class);
        // the signature's offset (head word 9) pointing past the end
        int word9 = 10 + 9 * 64;
        String far = ok.substring(0, word9) + "00".repeat(30) + "ff00" + ok.substring(word9 + 64);
        assertThatThrownBy(() -> ChallengeCalldata.decode(far)).hasMessageContaining("signature at offset");
        // a prompt that is not the receipt's (its hash differs): refused by the commitment's own check
        String otherPrompt = ok.replace("6869" + "00".repeat(30), "6868" + "00".repeat(30));
        assertThatThrownBy(() -> ChallengeCalldata.decode(otherPrompt)).hasMessageContaining("prompt");
    }
}
