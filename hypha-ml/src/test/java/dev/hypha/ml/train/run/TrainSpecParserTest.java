package dev.hypha.ml.train.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TrainSpecParserTest {
    private static final String GOOD = SyntheticImages.spec("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e", 100, 10);

    private static TrainSpec parse(String toml) {
        return TrainSpecParser.parse("spec.toml", toml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsEveryField() {
        TrainSpec s = parse(GOOD);
        assertThat(s.name()).isEqualTo("probe");
        assertThat(s.steps()).isEqualTo(100);
        assertThat(s.batch()).isEqualTo(16);
        assertThat(s.checkpointEvery()).isEqualTo(10);
        assertThat(s.layers()).hasSize(9);
        assertThat(s.optimizer().kind()).isEqualTo("adamw");
        assertThat(s.optimizer().clipNorm()).isEqualTo(1f);
        assertThat(s.optimizer().beta2()).isEqualTo(0.999f);
        assertThat(s.split()).isEqualTo("train");
    }

    @Test
    void anInitModelIsAContentIdAndAWrittenSpecReadsBackAsItself() {
        assertThat(parse(GOOD).hasInit()).isFalse();
        String cid = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";
        TrainSpec withInit = parse(GOOD.replace("batch = 16", "batch = 16\ninit = \"" + cid + "\""));
        assertThat(withInit.init()).isEqualTo(cid);
        assertThatThrownBy(() -> parse(GOOD.replace("batch = 16", "batch = 16\ninit = \"weights.gguf\"")))
                .hasMessageContaining("init must be the content id of a model file");
        TrainSpec back = TrainSpecParser.parse("written", TrainSpecWriter.toml(withInit));
        assertThat(back.init()).isEqualTo(cid);
        assertThat(back.optimizer()).isEqualTo(withInit.optimizer());
        assertThat(back.seed()).isEqualTo(withInit.seed());
        // Seeds of 19 digits and the ends of the range read back exactly (jackson-dataformat-toml 2.20.1 kept
        // only the last 10 digits of a 19-digit integer: 1324428862160115095 read as 2160115095).
        for (long seed : new long[] {1324428862160115095L, Long.MAX_VALUE, Long.MIN_VALUE, -1324428862160115095L}) {
            TrainSpec big = new TrainSpec(withInit.name(), withInit.dataset(), withInit.split(), seed,
                    withInit.steps(), withInit.batch(), withInit.checkpointEvery(), withInit.layers(), withInit.optimizer(), 0, cid);
            assertThat(TrainSpecParser.parse("written", TrainSpecWriter.toml(big)).seed()).isEqualTo(seed);
        }
    }

    @Test
    void aSealedDatasetIsNamedByItsAssetId() {
        assertThat(parse(GOOD).dataAsset()).isZero();
        assertThat(parse(GOOD.replace("batch = 16", "batch = 16\ndata_asset = 7")).dataAsset()).isEqualTo(7);
        assertThatThrownBy(() -> parse(GOOD.replace("batch = 16", "batch = 16\ndata_asset = 0")))
                .hasMessageContaining("'data_asset' must be a whole number from 1");
        assertThatThrownBy(() -> parse(GOOD.replace("batch = 16", "batch = 16\ndata_asset = \"7\"")))
                .hasMessageContaining("'data_asset'");
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> parse(GOOD.replace("batch = 16", "bach = 16")))
                .hasMessageContaining("spec.toml: unknown key 'bach'");
        assertThatThrownBy(() -> parse(GOOD.replace("clip_norm", "clipnorm"))).hasMessageContaining("unknown key 'optimizer.clipnorm'");
        assertThatThrownBy(() -> parse(GOOD.replace("batch = 16", "batch = 0"))).hasMessageContaining("'batch' must be a whole number from 1");
        assertThatThrownBy(() -> parse(GOOD.replace("steps = 100", "steps = \"many\""))).hasMessageContaining("'steps'");
        assertThatThrownBy(() -> parse(GOOD.replace("\"adamw\"", "\"lion\""))).hasMessageContaining("\"adamw\" or \"sgd\"");
        assertThatThrownBy(() -> parse(GOOD.replace("\"gelu\"", "\"swish\""))).hasMessageContaining("unknown layer 'swish'");
        assertThatThrownBy(() -> parse(GOOD.replace("warmup_steps = 3", "warmup_steps = 300"))).hasMessageContaining("'warmup_steps'");
        assertThatThrownBy(() -> parse("name = [")).hasMessageContaining("is not valid TOML");
        assertThatThrownBy(() -> parse(GOOD.replace("name = \"probe\"", "name = \"../x\""))).hasMessageContaining("name '../x'");
    }
}
