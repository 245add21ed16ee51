package dev.hypha.ml.train.export;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** onnxruntime-node (npm, pinned in package.json) run through src/test/node/onnx-run.mjs: the reference ONNX engine. */
final class OnnxRuntime {
    private OnnxRuntime() {}

    static Path repoRoot() {
        String root = System.getProperty("hypha.repo.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }

    /** Runs {@code model} on {@code input} of shape {@code dims}; returns the first output's values. */
    static float[] run(Path model, float[] input, int[] dims, Path work) throws IOException, InterruptedException {
        Path root = repoRoot();
        if (!Files.isRegularFile(root.resolve("node_modules/onnxruntime-node/package.json"))) {
            throw new IllegalStateException("onnxruntime-node is not installed in " + root.resolve("node_modules")
                    + "; run `npm ci` in the repository root (package.json pins it; .npmrc skips its download step)");
        }
        Path in = Files.createTempFile(work, "input", ".f32");
        Path out = Files.createTempFile(work, "output", ".f32");
        ByteBuffer b = ByteBuffer.allocate(input.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(input);
        Files.write(in, b.array());
        List<String> command = new ArrayList<>(List.of("node", root.resolve("hypha-ml/src/test/node/onnx-run.mjs").toString(),
                model.toString(), in.toString(), out.toString()));
        for (int d : dims) {
            command.add(Integer.toString(d));
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("HYPHA_REPO_ROOT", root.toString());
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("onnxruntime-node failed:\n" + log);
        }
        byte[] bytes = Files.readAllBytes(out);
        float[] values = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }
}
