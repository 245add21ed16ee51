package dev.hypha.zk.mlp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hypha.zk.circuit.Rejected;
import org.junit.jupiter.api.Tag;

/**
 * Jazzer fuzz targets for the files hypha zk reads from others: proof files (decoded, then verified) and int8 model
 * files. Any bytes either decode or fail with an {@link IllegalArgumentException} naming what is wrong, and a decoded
 * proof is verified or {@link Rejected}; anything else (an index error, an out-of-memory, a hang) is a bug.
 *
 * <p>The normal build replays the seeds in {@code src/test/resources/dev/hypha/zk/mlp/ProofFilesFuzzTestInputs}
 * (a valid proof and model of a small MLP, and some truncations). A real campaign: {@code JAZZER_FUZZ=1
 * scripts/test-slow.sh -pl hypha-zk -am -Dgroups=fuzz -Dtest='ProofFilesFuzzTest#proof' -Djazzer.max_duration=10m}.
 */
@Tag("fuzz")
class ProofFilesFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void proof(byte[] data) {
        MlpProofFile file;
        try {
            file = MlpProofFile.decode(data);
        } catch (IllegalArgumentException expected) {
            return;
        }
        try {
            MlpVerifier.verify(file.statement(), file.proof());
        } catch (Rejected expected) {
            // a named rejection is the right answer to a forged proof
        }
    }

    @FuzzTest(maxDuration = "30s")
    void model(byte[] data) {
        try {
            Int8MlpFile.decode(data);
        } catch (IllegalArgumentException expected) {
            // a named error is the right answer to bad input
        }
    }
}
