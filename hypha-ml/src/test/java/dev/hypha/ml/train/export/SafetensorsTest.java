package dev.hypha.ml.train.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.LayerSyntax;
import dev.hypha.ml.train.Network;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The safetensors export against the format's rules, read with a plain JSON parser here (not our decoder), and our
 * decoder against damaged files. No safetensors reader is packaged for Debian 12 or pinned on npm here; PyTorch reading
 * the file by the spec is in {@link ExportAgreementTest}.
 */
class SafetensorsTest {
    static final Network CNN = Network.initialize(List.of("conv2d 1 16 3 1", "relu", "maxpool 2", "conv2d 16 32 3 1", "relu",
            "maxpool 2", "flatten", "dropout 0.25", "linear 1568 128", "relu", "linear 128 10").stream().map(LayerSyntax::parse).toList(),
            new int[] {1, 28, 28}, 3);

    @Test
    void followsTheFormatAndHoldsEveryParameterBitForBit() throws Exception {
        byte[] file = ClassifierTensors.safetensors(CNN);
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).as("header padded to 8 bytes, as the reference serializer does").isZero();
        assertThat(file[8]).isEqualTo((byte) '{');
        String headerText = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(headerText.stripTrailing().length() + (headerText.length() - headerText.stripTrailing().length())).isEqualTo((int) n);
        assertThat(headerText.substring(headerText.stripTrailing().length())).matches(" *");
        JsonNode header = new ObjectMapper().readTree(headerText);
        assertThat(header.get("__metadata__").get("hypha.layers").asText()).isEqualTo(String.join("\n",
                CNN.layers().stream().map(l -> l.describe()).toList()));
        header.get("__metadata__").properties().forEach(e -> assertThat(e.getValue().isTextual()).isTrue());

        Map<String, long[]> expectedShapes = Map.of("layers.0.weight", new long[] {16, 1, 3, 3}, "layers.0.bias", new long[] {16},
                "layers.3.weight", new long[] {32, 16, 3, 3}, "layers.3.bias", new long[] {32}, "layers.8.weight", new long[] {128, 1568},
                "layers.8.bias", new long[] {128}, "layers.10.weight", new long[] {10, 128}, "layers.10.bias", new long[] {10});
        List<long[]> spans = new ArrayList<>();
        for (int i = 0; i < CNN.parameterNames().size(); i++) {
            String name = CNN.parameterNames().get(i);
            JsonNode t = header.get(name);
            assertThat(t.get("dtype").asText()).isEqualTo("F32");
            long[] shape = new long[t.get("shape").size()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = t.get("shape").get(d).asLong();
            }
            assertThat(shape).as(name).containsExactly(expectedShapes.get(name));
            long begin = t.get("data_offsets").get(0).asLong();
            long end = t.get("data_offsets").get(1).asLong();
            spans.add(new long[] {begin, end});
            float[] values = CNN.parameters().get(i).data();
            assertThat(end - begin).isEqualTo(4L * values.length);
            ByteBuffer data = ByteBuffer.wrap(file, (int) (8 + n + begin), (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                assertThat(Float.floatToRawIntBits(data.getFloat())).isEqualTo(Float.floatToRawIntBits(v));
            }
        }
        assertThat(header.size()).isEqualTo(CNN.parameterNames().size() + 1);
        spans.sort((a, b) -> Long.compare(a[0], b[0]));
        long at = 0;
        for (long[] s : spans) {
            assertThat(s[0]).as("contiguous data_offsets").isEqualTo(at);
            at = s[1];
        }
        assertThat(8 + n + at).as("the data ends the file").isEqualTo(file.length);
    }

    @Test
    void decodesWhatItWrites() {
        byte[] file = ClassifierTensors.safetensors(CNN);
        Safetensors.Contents c = Safetensors.decode(file, "cnn");
        assertThat(c.metadata()).containsEntry("format", "hypha-classifier").containsEntry("hypha.input_shape", "1,28,28");
        for (Safetensors.Entry e : c.tensors()) {
            int i = CNN.parameterNames().indexOf(e.name());
            assertThat(c.floats(e)).isEqualTo(CNN.parameters().get(i).data());
        }
    }

    @Test
    void refusesDamagedFilesNamingTheDefect() {
        byte[] good = Safetensors.encode(List.of(new Safetensors.F32("a", new long[] {2}, new float[] {1, 2}),
                new Safetensors.F32("b", new long[] {1}, new float[] {3})), Map.of());
        assertThatThrownBy(() -> Safetensors.decode(Arrays.copyOf(good, 5), "f")).isInstanceOf(HyphaException.class)
                .hasMessageContaining("shorter than the 8-byte header length");
        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
        assertThatThrownBy(() -> Safetensors.decode(huge, "f")).hasMessageContaining("declares a header of");
        assertThatThrownBy(() -> Safetensors.decode(Arrays.copyOf(good, good.length - 1), "f")).hasMessageContaining("data is");
        assertThatThrownBy(() -> Safetensors.decode(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 12), "f")).hasMessageContaining("contiguous");
        assertThatThrownBy(() -> Safetensors.decode(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "f"))
                .hasMessageContaining("needs 8 bytes");
        assertThatThrownBy(() -> Safetensors.decode(file("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,1]}}", 1), "f"))
                .hasMessageContaining("unknown dtype Q4");
        assertThatThrownBy(() -> Safetensors.decode(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2), "f")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> Safetensors.decode(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296,4294967296],"
                + "\"data_offsets\":[0,1]}}", 1), "f")).hasMessageContaining("overflows");
        assertThatThrownBy(() -> Safetensors.decode(file("{\"__metadata__\":{\"k\":1}}", 0), "f")).hasMessageContaining("must be a string");
    }

    /** Whatever bytes arrive, decoding ends in a result or an INPUT error, never another exception. */
    @Property(tries = 300)
    void mutatedFilesGiveResultsOrInputErrors(@ForAll @IntRange(min = 0, max = 400) int position, @ForAll byte value,
            @ForAll @IntRange(min = 0, max = 420) int cut) {
        byte[] file = Safetensors.encode(List.of(new Safetensors.F32("w", new long[] {2, 3}, new float[6]),
                new Safetensors.F32("b", new long[] {2}, new float[2])), Map.of("k", "v"));
        byte[] bad = Arrays.copyOf(file, Math.min(cut, file.length));
        if (position < bad.length) {
            bad[position] = value;
        }
        try {
            Safetensors.decode(bad, "mutant");
        } catch (HyphaException e) {
            assertThat(e.getMessage()).startsWith("safetensors mutant ");
        }
    }

    private static byte[] file(String json, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }
}
