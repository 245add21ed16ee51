package dev.hypha.chain.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever a chain (or a corrupt index) hands over as an InferenceRequested event's arguments, reading it either gives
 * a request within the contract's bounds or an IllegalArgumentException naming what was wrong; nothing else escapes.
 */
class InferenceRequestPropertiesTest {
    private static final List<String> FIELDS = List.of("requestId", "requester", "model", "requestHash", "input",
            "inputKind", "maxFee", "maxOutputTokens", "callback", "callbackGasLimit", "deadline");

    @Provide
    Arbitrary<String> values() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(90),
                Arbitraries.strings().withChars("0123456789").ofMinLength(1).ofMaxLength(90),
                Arbitraries.strings().withChars("0123456789abcdef").ofMaxLength(300).map(h -> "0x" + h),
                Arbitraries.of("0", "1", "2", "-1", "0x", "", "18446744073709551616", "4294967295", "2147483648"),
                Arbitraries.strings().withChars("0123456789abcdefABCDEFxX").ofMinLength(16400).ofMaxLength(17000));
    }

    @Property(tries = 400)
    void anyArgumentsGiveABoundedRequestOrANamedRefusal(@ForAll("values") String a, @ForAll("values") String b,
                                                        @ForAll("values") String c, @ForAll("values") String d) {
        List<String> pool = List.of(a, b, c, d);
        Map<String, Object> args = new LinkedHashMap<>();
        for (int i = 0; i < FIELDS.size(); i++) {
            if ((a.length() + i) % 13 != 0) { // sometimes a field is missing
                args.put(FIELDS.get(i), pool.get((i + b.length()) % pool.size()));
            }
        }
        try {
            InferenceRequest r = InferenceRequest.fromEvent(InferenceRequest.EVENT, args, 1);
            assertThat(r.input().length).isLessThanOrEqualTo(r.inputKind().maxLength());
            assertThat(r.maxFee().bitLength()).isLessThanOrEqualTo(96);
            assertThat(r.maxOutputTokens()).isGreaterThanOrEqualTo(0);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }
}
