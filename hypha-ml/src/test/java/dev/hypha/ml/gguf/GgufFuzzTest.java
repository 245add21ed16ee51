package dev.hypha.ml.gguf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Tag;

/**
 * Jazzer fuzz test of the GGUF reader: any byte string either parses (and then every value and tensor is readable)
 * or fails with {@link GgufFormatException}; anything else (index errors, out-of-memory, arithmetic overflow) is a bug.
 *
 * <p>In the normal build this runs in regression mode over the seeds in
 * {@code src/test/resources/dev/hypha/ml/gguf/GgufFuzzTestInputs/parse}. To fuzz for real:
 * {@code JAZZER_FUZZ=1 ./mvnw -pl hypha-ml -am verify -Dhypha.test.excludedGroups=none -Dgroups=slow -Dtest=GgufFuzzTest
 * -Dsurefire.failIfNoSpecifiedTests=false}
 * (add {@code -Djazzer.max_duration=10m} or similar); findings land in that inputs directory.
 *
 * <p>Tagged slow (excluded from the default suite, see the command above): Jazzer 0.24 cannot instrument
 * Java 25 class files ("Unsupported class file major version 69"), so it gets no coverage feedback on JDK 25 and
 * spends ~30 s on failed instrumentation. Hostile input is covered in the default suite by the jqwik properties of
 * {@link GgufHostileInputTest} (truncated and byte-mutated valid files).
 */
@Tag("slow")
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
