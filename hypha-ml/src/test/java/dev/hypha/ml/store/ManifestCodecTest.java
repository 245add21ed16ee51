package dev.hypha.ml.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.errors.ErrorCategory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {
    private static final ModelManifest MANIFEST = new ModelManifest(ModelName.parse("tiny:q8"),
            ContentIds.of("model bytes".getBytes(StandardCharsets.UTF_8)), 1234, "gguf",
            new ModelSummary("llama", 5678, "Q8_0", new TreeMap<>(Map.of("F32", 5, "Q8_0", 14)), 2048),
            Instant.parse("2025-06-01T12:00:00Z"), "tiny.gguf");

    @Test
    void roundTripsAndHasOneByteForm() {
        byte[] json = ManifestCodec.write(MANIFEST);
        assertThat(ManifestCodec.read(json, "m.json")).isEqualTo(MANIFEST);
        assertThat(ManifestCodec.write(ManifestCodec.read(json, "m.json"))).isEqualTo(json);
        assertThat(ManifestCodec.toText(MANIFEST)).contains("\"cid\" : \"bafk");
    }

    @Test
    void eachBadFieldIsNamed() throws Exception {
        assertBad(n -> n.remove("cid"), "field 'cid' is missing");
        assertBad(n -> n.put("cid", "not-a-cid"), "m.json");
        assertBad(n -> n.put("size", -1), "field 'size' must not be negative");
        assertBad(n -> n.put("size", "12"), "field 'size' is missing or not an integer");
        assertBad(n -> n.put("format", "safetensors"), "has format 'safetensors'");
        assertBad(n -> n.put("schemaVersion", 2), "schemaVersion 2");
        assertBad(n -> n.put("name", "../../x"), "invalid model name");
        assertBad(n -> n.put("created", "yesterday"), "field 'created' is not an ISO-8601 instant");
        assertBad(n -> n.putArray("tensorTypes"), "field 'tensorTypes' must be an object");
        assertBad(n -> ((ObjectNode) n.get("tensorTypes")).put("F32", -3), "tensorTypes.F32 must be a non-negative");
    }

    @Test
    void nonObjectsAndBrokenJsonAreInputErrors() {
        for (String text : new String[] {"", "[]", "null", "42", "{", "{\"schemaVersion\":1}"}) {
            assertThatThrownBy(() -> ManifestCodec.read(text.getBytes(StandardCharsets.UTF_8), "m.json"))
                    .isInstanceOf(ModelStoreException.class)
                    .hasMessageStartingWith("model manifest m.json ")
                    .extracting(e -> ((ModelStoreException) e).category()).isEqualTo(ErrorCategory.INPUT);
        }
    }

    /** Hostile bytes never escape as anything but a store input error naming the file. */
    @Property(tries = 300)
    void arbitraryBytesGiveAManifestOrANamedInputError(@ForAll byte[] bytes) {
        try {
            ManifestCodec.read(bytes, "m.json");
        } catch (ModelStoreException e) {
            assertThat(e.category()).isEqualTo(ErrorCategory.INPUT);
            assertThat(e.getMessage()).startsWith("model manifest m.json ");
        }
    }

    private static void assertBad(java.util.function.Consumer<ObjectNode> damage, String message) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode node = (ObjectNode) json.readTree(ManifestCodec.write(MANIFEST));
        damage.accept(node);
        assertThatThrownBy(() -> ManifestCodec.read(json.writeValueAsBytes(node), "m.json"))
                .isInstanceOf(ModelStoreException.class)
                .hasMessageContaining(message);
    }
}
