package dev.hypha.ml.train.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hypha.core.cid.ContentIds;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.Forward;
import dev.hypha.ml.train.LayerSyntax;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.ModelFile;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainSpecParser;
import dev.hypha.ml.train.run.Trainer;
import dev.hypha.ml.train.run.TrainingListener;
import dev.hypha.ml.train.store.ContentStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exported classifier gives the same predictions in another engine as in ours on real Fashion-MNIST test images
 * (Debian's dataset-fashion-mnist), and logits within {@link #TOLERANCE}: the ONNX file in onnxruntime (onnxruntime-node
 * from npm), the safetensors file in PyTorch (Debian's python3-torch, src/test/python/torch_safetensors_predict.py,
 * which rebuilds the network from the file's metadata and loads the tensors with {@code load_state_dict(strict=True)}). The example
 * MLP and CNN are trained briefly (their layers and optimizer, a few dozen steps: enough to give confident, distinct
 * logits) and a third, untrained network covers the layers the examples do not use (gelu, avgpool, conv without padding).
 */
class ExportAgreementTest {
    /**
     * Largest |ours - theirs| allowed per logit, relative to max(1, |logit|). The engines sum dot products in
     * different orders (ours a fixed 16-lane tree, onnxruntime's MLAS and OpenBLAS their own blocking), so float32 rounding differs by
     * a few ulps per layer. Measured on 2000 test images: at most 1.8e-6 (MLP, CNN) and 6.6e-7 (gelu network), so 1e-5 leaves
     * a margin of five while a wrong constant or layout (GELU's 0.044715 as 0.04) is far outside it.
     */
    static final double TOLERANCE = 1e-5;
    static final int IMAGES = 2000;

    @TempDir
    static Path dir;
    static ImageSplit test;
    static ContentStore store;
    static ImageSplit train;
    static Parallel parallel;
    static FloatMatMul gemm;

    @BeforeAll
    static void data() {
        assumeTrue(Files.isDirectory(DatasetStore.DEBIAN_FASHION_MNIST), "needs Debian's dataset-fashion-mnist (scripts/setup.sh installs it)");
        store = new ContentStore(dir.resolve("home"));
        DatasetStore datasets = new DatasetStore(store);
        var id = datasets.importFashionMnist(DatasetStore.DEBIAN_FASHION_MNIST).id();
        test = datasets.load(id, "test").head(IMAGES);
        train = datasets.load(id, "train");
        parallel = new Parallel(2);
        gemm = new FloatMatMul(parallel);
    }

    @AfterAll
    static void close() {
        if (parallel != null) {
            parallel.close();
        }
    }

    static Network mlp;
    static Network cnn;

    static synchronized Network mlp() throws Exception {
        return mlp != null ? mlp : (mlp = trained("fashion-mnist-mlp.toml", 150));
    }

    static synchronized Network cnn() throws Exception {
        return cnn != null ? cnn : (cnn = trained("fashion-mnist-cnn.toml", 40));
    }

    static Network gelu() {
        List<String> lines = List.of("conv2d 1 4 5 0", "gelu", "avgpool 2", "flatten", "dropout 0.5", "linear 576 10");
        return Network.initialize(lines.stream().map(LayerSyntax::parse).toList(), new int[] {1, 28, 28}, 7);
    }

    @Test
    void exampleMlpAgreesInOnnxRuntime() throws Exception {
        agree("mlp onnx", mlp(), onnxRuntime(mlp()));
    }

    @Test
    void exampleCnnAgreesInOnnxRuntime() throws Exception {
        agree("cnn onnx", cnn(), onnxRuntime(cnn()));
    }

    @Test
    void geluAveragePoolingAndUnpaddedConvolutionAgreeInOnnxRuntime() throws Exception {
        agree("gelu onnx", gelu(), onnxRuntime(gelu()));
    }

    @Test
    void exampleMlpAgreesInPyTorch() throws Exception {
        agree("mlp safetensors", mlp(), pyTorch(mlp()));
    }

    @Test
    void exampleCnnAgreesInPyTorch() throws Exception {
        agree("cnn safetensors", cnn(), pyTorch(cnn()));
    }

    @Test
    void geluAveragePoolingAndUnpaddedConvolutionAgreeInPyTorch() throws Exception {
        agree("gelu safetensors", gelu(), pyTorch(gelu()));
    }

    private static float[] onnxRuntime(Network network) throws Exception {
        Path model = Files.createTempFile(dir, "model", ".onnx");
        Files.write(model, OnnxExport.encode(network, "test", "test"));
        return OnnxRuntime.run(model, images(), new int[] {test.count(), 1, test.height(), test.width()}, dir);
    }

    private static float[] pyTorch(Network network) throws Exception {
        assumeTrue(PyTorch.available(), "needs Debian's python3-torch (scripts/install-peers.sh installs it)");
        Path model = Files.createTempFile(dir, "model", ".safetensors");
        Files.write(model, ClassifierTensors.safetensors(network));
        return PyTorch.predict(model, images(), test.count(), dir);
    }

    private static float[] images() {
        return test.images(IntStream.range(0, test.count()).toArray());
    }

    private static Network trained(String example, int steps) throws Exception {
        String toml = Files.readString(OnnxRuntime.repoRoot().resolve("examples").resolve(example))
                .replaceAll("(?m)^steps = .*", "steps = " + steps).replaceAll("(?m)^checkpoint_every = .*", "checkpoint_every = 0")
                .replaceAll("(?m)^warmup_steps = .*", "warmup_steps = 10");
        byte[] bytes = toml.getBytes(StandardCharsets.UTF_8);
        TrainSpec spec = TrainSpecParser.parse(example, bytes);
        Trainer.Result result = new Trainer(spec, ContentIds.of(bytes), train, store, gemm).run(TrainingListener.NONE);
        return ModelFile.decode(example, store.get(result.model())).network();
    }

    private static void agree(String name, Network network, float[] theirs) {
        int[] idx = IntStream.range(0, test.count()).toArray();
        float[] ours = network.forward(Forward.evaluation(gemm), Tensor.constant(images(), idx.length, 1, test.height(), test.width())).data();

        assertThat(theirs).hasSameSizeAs(ours);
        int classes = ours.length / idx.length;
        double worst = 0;
        int correct = 0;
        for (int s = 0; s < idx.length; s++) {
            int a = argmax(ours, s * classes, classes);
            int b = argmax(theirs, s * classes, classes);
            assertThat(b).as("%s: the other engine's prediction for test image %d", name, s).isEqualTo(a);
            correct += a == (test.labels()[s] & 0xff) ? 1 : 0;
            for (int c = 0; c < classes; c++) {
                double x = ours[s * classes + c];
                worst = Math.max(worst, Math.abs(x - theirs[s * classes + c]) / Math.max(1, Math.abs(x)));
            }
        }
        System.out.printf("%s: %d images, accuracy %.3f, largest relative logit difference %.2e%n", name, idx.length,
                correct / (double) idx.length, worst);
        assertThat(worst).as("%s: largest relative logit difference", name).isLessThanOrEqualTo(TOLERANCE);
    }

    private static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[from + i] > v[from + best]) {
                best = i;
            }
        }
        return best;
    }
}
