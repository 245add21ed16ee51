package dev.hypha.incentives.yuma;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.incentives.fixed.I32F32;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * subtensor's tests/epoch_logs.rs, replayed from state files: the Rust tests run one epoch and look for exact
 * vectors in the trace log; here the same vectors are taken from {@link EpochTrace} under the same names and
 * compared exactly (decimals in the file are exact binary fractions, so no tolerance is involved).
 */
class SubtensorEpochLogsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {
        "test_simple", "test_inactive_mask_zeroes_active_stake", "test_validator_permit_masks_active_stake",
        "yuma_emergency_mode", "epoch_uses_active_stake_when_nonzero_active", "epoch_topk_validator_permits",
        "epoch_yuma3_bonds_pipeline", "epoch_original_yuma_bonds_pipeline",
        "test_validators_weight_two_distinct_servers", "test_validator_splits_weight_across_two_servers",
    })
    void replaysExactly(String name) throws IOException {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/yuma/epoch_logs/" + name + ".json")) {
            doc = MAPPER.readTree(in);
        }
        EpochState state = new EpochStateJson().read(MAPPER.writeValueAsString(doc.get("state")));
        Map<String, Object> trace = new HashMap<>();
        EpochResult result = YumaEpoch.run(state, trace::put);
        JsonNode expect = doc.get("expect");

        for (Iterator<Map.Entry<String, JsonNode>> it = expect.path("trace").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            assertThat(trace).as(name).containsKey(e.getKey());
            assertThat(render(trace.get(e.getKey()))).as(name + ": " + e.getKey()).isEqualTo(render(e.getValue()));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = expect.path("trace_prefix").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            long[] v = (long[]) trace.get(e.getKey());
            assertThat(I32F32.toPlainString(v[0])).as(name + ": " + e.getKey()).startsWith(e.getValue().asText());
        }
        for (JsonNode step : expect.path("trace_present")) assertThat(trace).as(name).containsKey(step.asText());
        for (JsonNode step : expect.path("trace_absent")) assertThat(trace).as(name).doesNotContainKey(step.asText());
        if (expect.has("emission")) {
            for (int i = 0; i < expect.get("emission").size(); i++) {
                assertThat(result.emission()[i]).as(name + ": emission[" + i + "]").isEqualTo(expect.get("emission").get(i).asLong());
            }
        }
    }

    /** One canonical text for a traced value and for the expectation it is compared with. */
    private static String render(Object value) {
        StringBuilder s = new StringBuilder();
        switch (value) {
            case long[] v -> {
                for (long x : v) s.append(I32F32.toPlainString(x)).append(' ');
            }
            case boolean[] v -> {
                for (boolean x : v) s.append(x).append(' ');
            }
            case SparseMatrix m -> {
                for (int i = 0; i < m.rows(); i++) {
                    s.append('[');
                    for (int k = 0; k < m.cols(i).length; k++) {
                        s.append(m.cols(i)[k]).append(':').append(I32F32.toPlainString(m.vals(i)[k])).append(' ');
                    }
                    s.append(']');
                }
            }
            case JsonNode n -> renderJson(n, s);
            default -> throw new IllegalArgumentException("untraceable " + value);
        }
        return s.toString();
    }

    private static void renderJson(JsonNode n, StringBuilder s) {
        if (n.isArray() && n.size() > 0 && n.get(0).isArray() || n.isArray() && n.size() > 0 && n.get(n.size() - 1).isArray()) {
            for (JsonNode row : n) { // sparse matrix: rows of [col, "value"]
                s.append('[');
                for (JsonNode pair : row) {
                    s.append(pair.get(0).asInt()).append(':')
                            .append(new BigDecimal(pair.get(1).asText()).stripTrailingZeros().toPlainString()).append(' ');
                }
                s.append(']');
            }
            return;
        }
        for (JsonNode x : n) {
            if (x.isBoolean()) s.append(x.asBoolean()).append(' ');
            else s.append(new BigDecimal(x.asText()).stripTrailingZeros().toPlainString()).append(' ');
        }
    }
}
