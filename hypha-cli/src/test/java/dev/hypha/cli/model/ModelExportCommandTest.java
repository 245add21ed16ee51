package dev.hypha.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.ml.train.LayerSyntax;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.export.OnnxExport;
import dev.hypha.ml.train.export.Safetensors;
import dev.hypha.ml.train.run.ModelFile;
import dev.hypha.ml.train.run.Trainer;
import dev.hypha.ml.train.store.ContentStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hypha model export}: a trained classifier to onnx, safetensors and gguf; a language model to gguf. */
class ModelExportCommandTest {
    @TempDir
    Path dir;
    Path home;
    ContentId classifier;

    @BeforeEach
    void storeAClassifier() {
        home = dir.resolve("home");
        Network net = Network.initialize(List.of("conv2d 1 2 3 1", "relu", "maxpool 2", "flatten", "linear 392 10").stream()
                .map(LayerSyntax::parse).toList(), new int[] {1, 28, 28}, 5);
        ContentStore store = new ContentStore(home);
        classifier = store.put(ModelFile.encode(net, 10, "spec", List.of(), List.of()));
        store.setRef(Trainer.MODELS, "small-cnn", classifier);
    }

    @Test
    void exportsAClassifierInEachFormat() throws Exception {
        Path onnx = dir.resolve("small.onnx");
        ModelCli run = ModelCli.run(home, "model", "export", "small-cnn", "--format", "onnx", "--out", onnx.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Exported classifier small-cnn (" + classifier + "), 3950 parameters as onnx to " + onnx, "verified");
        assertThat(OnnxExport.parse(Files.readAllBytes(onnx)).getGraph().getInitializerCount()).isEqualTo(4);

        Path st = dir.resolve("small.safetensors");
        run = ModelCli.run(home, "model", "export", classifier.toString(), "--format", "safetensors", "--out", st.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Safetensors.decode(Files.readAllBytes(st), "st").tensors()).extracting(Safetensors.Entry::name)
                .containsExactlyInAnyOrder("layers.0.weight", "layers.0.bias", "layers.4.weight", "layers.4.bias");

        Path gguf = dir.resolve("small.gguf");
        run = ModelCli.run(home, "model", "export", "small-cnn", "--format", "gguf", "--out", gguf.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(ContentIds.of(gguf)).as("the stored model file itself").isEqualTo(classifier);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(gguf))).isEqualTo("rw-r--r--");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary files left").noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void exportsALanguageModelsStoredFile() throws Exception {
        Path model = TinyModelFile.write(dir.resolve("tiny.gguf"), 1);
        assertThat(ModelCli.run(home, "model", "import", model.toString(), "--name", "tiny:q8").exitCode()).isZero();
        Path out = dir.resolve("out.gguf");
        ModelCli run = ModelCli.run(home, "model", "export", "tiny:q8", "--format", "gguf", "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Exported language model tiny:q8 (" + ContentIds.of(model) + ") as gguf");
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(model));

        ModelCli refused = ModelCli.run(home, "model", "export", "tiny:q8", "--format", "onnx", "--out", dir.resolve("x.onnx").toString());
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.errorLine()).isEqualTo("'tiny:q8' is a language model; export it with --format gguf");
    }

    @Test
    void namesWhatIsMissing() throws Exception {
        ModelCli run = ModelCli.run(home, "model", "export", "nothing", "--format", "onnx", "--out", dir.resolve("x.onnx").toString());
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.errorLine()).startsWith("no model named 'nothing' in ").contains("hypha train SPEC.toml");
        run = ModelCli.run(home, "model", "export", "small-cnn", "--format", "onnx", "--out", dir.resolve("no/such/x.onnx").toString());
        assertThat(run.errorLine()).contains("does not exist");
        Path existing = Files.writeString(dir.resolve("keep.onnx"), "old");
        run = ModelCli.run(home, "model", "export", "small-cnn", "--format", "pdf", "--out", existing.toString());
        assertThat(run.exitCode()).isNotZero();
        assertThat(Files.readString(existing)).isEqualTo("old");
    }
}
