package dev.hypha.chain.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Requests read from chain events are hostile input: every field is checked and bounded before use. */
class InferenceRequestTest {
    private static Map<String, Object> args() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("requestId", "7");
        a.put("requester", "0x" + "11".repeat(20));
        a.put("model", "0x" + "ab".repeat(32));
        a.put("requestHash", "0x" + "cd".repeat(32));
        a.put("input", "0x48656c6c6f");
        a.put("inputKind", "0");
        a.put("maxFee", "1000");
        a.put("maxOutputTokens", "16");
        a.put("callback", "0x" + "00".repeat(20));
        a.put("callbackGasLimit", "0");
        a.put("deadline", "1700000600");
        return a;
    }

    private static InferenceRequest parse(Map<String, Object> a) {
        return InferenceRequest.fromEvent(InferenceRequest.EVENT, a, 12);
    }

    @Test
    void aWellFormedEventGivesTheRequest() {
        InferenceRequest r = parse(args());
        assertThat(r.requestId()).isEqualTo(BigInteger.valueOf(7));
        assertThat(new String(r.input(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("Hello");
        assertThat(r.inputKind()).isEqualTo(DataKind.INLINE);
        assertThat(r.maxOutputTokens()).isEqualTo(16);
        assertThat(r.deadline()).isEqualTo(1_700_000_600L);
        assertThat(r.blockNumber()).isEqualTo(12);
    }

    @Test
    void malformedOrOutOfBoundsFieldsAreNamed() {
        Map<String, Object> a = args();
        a.put("input", "0x" + "00".repeat(8193));
        assertThatThrownBy(() -> parse(a)).hasMessageContaining("at most 8192 bytes");
        Map<String, Object> cid = args();
        cid.put("inputKind", "1");
        cid.put("input", "0x" + "61".repeat(129));
        assertThatThrownBy(() -> parse(cid)).hasMessageContaining("at most 128 bytes");
        Map<String, Object> kind = args();
        kind.put("inputKind", "9");
        assertThatThrownBy(() -> parse(kind)).hasMessageContaining("unknown data kind 9");
        Map<String, Object> fee = args();
        fee.put("maxFee", "1" + "0".repeat(40));
        assertThatThrownBy(() -> parse(fee)).hasMessageContaining("maxFee").hasMessageContaining("uint96");
        Map<String, Object> negative = args();
        negative.put("maxOutputTokens", "-1");
        assertThatThrownBy(() -> parse(negative)).hasMessageContaining("maxOutputTokens must be a decimal uint32");
        Map<String, Object> tokens = args();
        tokens.put("maxOutputTokens", "4294967295");
        assertThatThrownBy(() -> parse(tokens)).hasMessageContaining("above the contract's 4096");
        Map<String, Object> missing = args();
        missing.remove("requestHash");
        assertThatThrownBy(() -> parse(missing)).hasMessageContaining("no argument 'requestHash'");
        Map<String, Object> badHash = args();
        badHash.put("model", "0x1234");
        assertThatThrownBy(() -> parse(badHash)).hasMessageContaining("model must be 0x + 64 hex digits");
        assertThatThrownBy(() -> InferenceRequest.fromEvent("FeePaid", args(), 1)).hasMessageContaining("expected an");
    }
}
