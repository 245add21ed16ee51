package dev.hypha.ml.gguf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Tag;

/**
 * Jazzer fuzz test of the GGUF reader: any byte string either parses (and then every value and tensor is readable)
 * or fails with {@link GgufFormatException}; anything else (index errors, out-of-memory, arithmetic overflow) is a bug.
 *
 * <p>In the normal build this replays the seeds in
 * {@code src/test/resources/dev/hypha/ml/gguf/GgufFuzzTestInputs/parse} (tag {@code fuzz}, part of the default suite).
 * To fuzz for real (coverage-guided; Jazzer 0.30 instruments Java 25 classes):
 * {@code JAZZER_FUZZ=1 scripts/test-slow.sh -pl hypha-ml -am -Dgroups=fuzz -Dtest=GgufFuzzTest -Djazzer.max_duration=10m};
 * findings land in that inputs directory and replay in every later run. Hostile input is also covered by the jqwik
 * properties of {@link GgufHostileInputTest} (truncated and byte-mutated valid files).
 */
@Tag("fuzz")
class GgufFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        GgufFile g;
        try {
            g = GgufFile.parse(data, "fuzz");
        } catch (GgufFormatException expected) {
            return;
        }
        try (g) {
            touch(g);
        }
    }

    /** Reads everything a parsed file exposes; none of it may throw. */
    static void touch(GgufFile g) {
        for (var e : g.metadata().entrySet()) {
            touch(e.getValue());
        }
        for (GgufTensor t : g.tensors()) {
            if (t.data().byteSize() > 0) {
                t.data().get(ValueLayout.JAVA_BYTE, t.data().byteSize() - 1);
            }
            t.elementCount();
        }
        g.alignment();
    }

    private static void touch(GgufValue v) {
        if (v instanceof GgufValue.Array a) {
            for (GgufValue e : a.elements()) {
                touch(e);
            }
        } else {
            v.toString();
        }
    }
}
