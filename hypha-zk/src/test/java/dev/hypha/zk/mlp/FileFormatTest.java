package dev.hypha.zk.mlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The proof and int8 model files: round trips, and hostile headers rejected with a named reason before any large
 * allocation. {@link #writeSeeds} regenerates the fuzz seeds when run with -Dhypha.zk.writeSeeds=DIR.
 */
class FileFormatTest {
    static MlpProver.Result smallProof() {
        SplittableRandom rng = new SplittableRandom(11);
        Int8Mlp model = RandomMlps.random(rng, new int[] {10, 6, 3}, true);
        return MlpProver.prove(model, "bafkreitest", RandomMlps.image(rng, 10), s -> { });
    }

    @Test
    void int8ModelFilesRoundTripAndRejectTrailingBytes() {
        Int8Mlp model = RandomMlps.random(new SplittableRandom(4), new int[] {7, 5, 2}, false);
        Int8MlpFile file = new Int8MlpFile(model, "bafkreisource", "dataset:train[0:1000]");
        byte[] bytes = file.encode();
        Int8MlpFile back = Int8MlpFile.decode(bytes);
        assertThat(back.encode()).isEqualTo(bytes);
        assertThat(back.source()).isEqualTo("bafkreisource");
        assertThatThrownBy(() -> Int8MlpFile.decode(Arrays.copyOf(bytes, bytes.length + 1)))
                .hasMessageContaining("1 bytes follow the last layer");
        assertThatThrownBy(() -> Int8MlpFile.decode(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hostileProofHeadersAreNamed() {
        byte[] bytes = new MlpProofFile(smallProof().statement(), smallProof().proof()).encode();
        assertThatThrownBy(() -> MlpProofFile.decode("hello, not a proof".getBytes())).hasMessageContaining("not a Hypha proof file");
        byte[] version = bytes.clone();
        version[9] = 1; // the format before the on-chain row split (docs/ZK.md)
        assertThatThrownBy(() -> MlpProofFile.decode(version)).hasMessageContaining("version 1 is not supported");
        // the first layer's side set to 2^31 − 1: refused by the shape check, nothing allocated for it
        int layersAt = 8 + 3 + 2 + "bafkreitest".length() + 32;
        byte[] huge = bytes.clone();
        ByteBuffer.wrap(huge).putInt(layersAt + 1, Integer.MAX_VALUE);
        assertThatThrownBy(() -> MlpProofFile.decode(huge)).hasMessageContaining("a layer has 1..16384 inputs");
        // a large but allowed shape: the body's size no longer matches, named without reading it
        byte[] wide = bytes.clone();
        ByteBuffer.wrap(wide).putInt(layersAt + 1, 4096);
        assertThatThrownBy(() -> MlpProofFile.decode(wide)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MlpProofFile.decode(Arrays.copyOf(bytes, bytes.length - 1)))
                .hasMessageContaining("the proof body of this model has");
    }

    @Test
    void writeSeeds() throws Exception {
        String dir = System.getProperty("hypha.zk.writeSeeds");
        if (dir == null) {
            return;
        }
        MlpProver.Result r = smallProof();
        byte[] proof = new MlpProofFile(r.statement(), r.proof()).encode();
        Path p = Path.of(dir, "proof");
        Files.createDirectories(p);
        Files.write(p.resolve("valid"), proof);
        Files.write(p.resolve("header-only"), Arrays.copyOf(proof, 120));
        Path m = Path.of(dir, "model");
        Files.createDirectories(m);
        Files.write(m.resolve("valid"), new Int8MlpFile(RandomMlps.random(new SplittableRandom(4), new int[] {7, 5, 2},
                false), "bafkreisource", "calibration").encode());
        Files.write(m.resolve("not-a-model"), "HYPHA-I8 nope".getBytes());
    }
}
