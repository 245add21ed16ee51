package dev.hypha.ml.train.export;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Debian's PyTorch (python3-torch, system python) running src/test/python/torch_safetensors_predict.py. */
final class PyTorch {
    private PyTorch() {}

    static final String PYTHON = "/usr/bin/python3";

    static boolean available() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static float[] predict(Path model, float[] images, int count, Path work) throws IOException, InterruptedException {
        Path in = Files.createTempFile(work, "images", ".f32");
        Path out = Files.createTempFile(work, "logits", ".f32");
        ByteBuffer b = ByteBuffer.allocate(images.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(images);
        Files.write(in, b.array());
        Path script = OnnxRuntime.repoRoot().resolve("hypha-ml/src/test/python/torch_safetensors_predict.py");
        ProcessBuilder pb = new ProcessBuilder(PYTHON, script.toString(), model.toString(), in.toString(), Integer.toString(count),
                out.toString()).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("PyTorch failed:\n" + log);
        }
        byte[] bytes = Files.readAllBytes(out);
        float[] values = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }
}
