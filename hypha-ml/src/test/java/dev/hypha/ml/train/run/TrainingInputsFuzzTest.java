package dev.hypha.ml.train.run;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.data.IdxFile;
import org.junit.jupiter.api.Tag;

/**
 * Jazzer fuzz targets for what training reads from outside: job specs (TOML), model/checkpoint files (GGUF) and IDX
 * dataset files. Any bytes either parse or fail with a {@link HyphaException} naming the input; anything else is a bug.
 *
 * <p>The normal build replays the seeds in {@code src/test/resources/dev/hypha/ml/train/run/TrainingInputsFuzzTestInputs}.
 * A real campaign: {@code JAZZER_FUZZ=1 scripts/test-slow.sh -pl hypha-ml -am -Dgroups=fuzz
 * -Dtest='TrainingInputsFuzzTest#spec' -Djazzer.max_duration=10m}.
 */
@Tag("fuzz")
class TrainingInputsFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void spec(byte[] data) {
        try {
            TrainSpecParser.parse("fuzz.toml", data);
        } catch (HyphaException expected) {
            // a named error is the right answer to bad input
        }
    }

    @FuzzTest(maxDuration = "30s")
    void model(byte[] data) {
        try {
            ModelFile.decode("fuzz.gguf", data);
        } catch (HyphaException expected) {
            // a named error is the right answer to bad input
        }
    }

    @FuzzTest(maxDuration = "30s")
    void idx(byte[] data) {
        try {
            IdxFile.parse("fuzz.idx", data);
        } catch (HyphaException expected) {
            // a named error is the right answer to bad input
        }
    }
}
