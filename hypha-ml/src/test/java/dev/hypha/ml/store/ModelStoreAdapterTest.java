package dev.hypha.ml.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.GgufModelSource;
import dev.hypha.ml.llm.LoraTarget;
import dev.hypha.ml.serve.LoadedModel;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.train.Decoder;
import dev.hypha.ml.train.FrozenBase;
import dev.hypha.ml.train.LoraAdapterGguf;
import dev.hypha.ml.train.LoraSettings;
import dev.hypha.ml.train.LoraWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stored base plus a LoRA adapter: both blobs by content id, checked, served with the adapter, collected when unused. */
class ModelStoreAdapterTest {
    static final Path HYPHA_TINY = Path.of("..", "hypha-node/src/main/resources/dev/hypha/node/devnet/hypha-tiny.gguf");
    static final ModelName BASE = ModelName.parse("hypha-tiny");
    static final ModelName TUNED = ModelName.parse("hypha-tiny-tuned");

    @TempDir
    Path dir;
    ModelStore store;
    Path adapter;

    @BeforeEach
    void setUp() {
        store = new ModelStore(dir.resolve("home"), Clock.fixed(Instant.parse("2026-12-07T00:00:00Z"), ZoneOffset.UTC));
        store.importModel(HYPHA_TINY, BASE, ImportProgress.NONE);
        adapter = dir.resolve("adapter.gguf");
        try (GgufFile g = GgufFile.open(HYPHA_TINY)) {
            Decoder base = FrozenBase.load(new GgufModelSource(g));
            LoraWeights w = LoraWeights.initialize(base.config(), new LoraSettings(4, 8f, EnumSet.of(LoraTarget.Q, LoraTarget.V)), 3);
            SplittableRandom r = new SplittableRandom(4);
            w.pairs().values().forEach(p -> {
                float[] b = p.b().data();
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (r.nextGaussian() * 0.1);
                }
            });
            LoraAdapterGguf.write(w, base.config().architecture(), "test", adapter);
        }
    }

    @Test
    void aModelCreatedWithAnAdapterNamesBothBlobsAndServesTheAdapter() throws Exception {
        ModelManifest base = store.show(BASE);
        ModelManifest tuned = store.createWithAdapter(TUNED, BASE, adapter).manifest();
        assertThat(tuned.cid()).isEqualTo(base.cid());
        assertThat(tuned.adapter()).isPresent();
        assertThat(ManifestCodec.read(ManifestCodec.write(tuned), "x")).isEqualTo(tuned);
        Path blob = store.resolveAdapterVerified(TUNED).orElseThrow();
        assertThat(Files.readAllBytes(blob)).isEqualTo(Files.readAllBytes(adapter));
        assertThat(store.resolveAdapterVerified(BASE)).isEmpty();

        Model.Options options = new Model.Options(1, true, 8);
        float[] plain;
        float[] adapted;
        try (LoadedModel m = LoadedModel.load(store, BASE, options)) {
            assertThat(m.model().adapter()).isNull();
            plain = m.model().newSession(16).process(new int[] {1, 2, 3});
        }
        try (LoadedModel m = LoadedModel.load(store, TUNED, options)) {
            assertThat(m.model().adapter()).isNotNull();
            adapted = m.model().newSession(16).process(new int[] {1, 2, 3});
        }
        assertThat(adapted).isNotEqualTo(plain);

        store.remove(BASE); // the tuned model still names the base's blob
        assertThat(store.resolve(TUNED)).exists();
        store.remove(TUNED);
        assertThat(blob).doesNotExist();
        assertThat(store.blobPath(base.cid())).doesNotExist();
    }

    @Test
    void anAdapterThatDoesNotFitIsRefusedBeforeAnythingIsStored() throws Exception {
        Path notAnAdapter = HYPHA_TINY;
        assertThatThrownBy(() -> store.createWithAdapter(TUNED, BASE, notAnAdapter))
                .isInstanceOfSatisfying(ModelStoreException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INPUT))
                .hasMessageContaining("general.type");
        assertThatThrownBy(() -> store.createWithAdapter(TUNED, ModelName.parse("nope"), adapter))
                .isInstanceOfSatisfying(ModelStoreException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND));
        assertThat(store.find(TUNED)).isEmpty();
    }

    @Test
    void aDamagedAdapterBlobIsRefusedAtLoad() throws Exception {
        store.createWithAdapter(TUNED, BASE, adapter);
        Path blob = store.blobPath(store.show(TUNED).adapter().orElseThrow().cid());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length - 1] ^= 1;
        Files.write(blob, bytes);
        assertThatThrownBy(() -> LoadedModel.load(store, TUNED, new Model.Options(1, true, 8)))
                .hasMessageContaining("adapter file of model 'hypha-tiny-tuned:latest'").hasMessageContaining("damaged");
    }
}
