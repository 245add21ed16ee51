// DiLoCo (training split over workers that exchange weights every H steps) against one provider training alone, on
// Debian's Fashion-MNIST with the MLP of examples/fashion-mnist-mlp.toml: test accuracy of each, and the bytes the
// workers exchanged against what synchronous data parallelism (one gradient all-reduce per step) would send for the
// same steps. Run it through bench/diloco.sh. See bench/README.md.

import dev.hypha.core.cid.ContentId;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.DiLoCo;
import dev.hypha.ml.train.run.Evaluator;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainSpecParser;
import dev.hypha.ml.train.store.ContentStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

public class DiLoCoBench {
    public static void main(String[] args) throws Exception {
        long steps = args.length > 0 ? Long.parseLong(args[0]) : 2000;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int inner = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        Path home = Files.createTempDirectory("diloco-bench");
        ContentStore store = new ContentStore(home);
        DatasetStore datasets = new DatasetStore(store);
        ContentId dataset = datasets.importFashionMnist(DatasetStore.DEBIAN_FASHION_MNIST).id();
        String toml = Files.readString(Path.of("examples/fashion-mnist-mlp.toml"))
                .replaceAll("(?m)^dataset = .*", "dataset = \"" + dataset + "\"")
                .replaceAll("(?m)^steps = .*", "steps = " + steps)
                .replaceAll("(?m)^checkpoint_every = .*", "checkpoint_every = 0");
        TrainSpec spec = TrainSpecParser.parse("mlp", toml.getBytes(StandardCharsets.UTF_8));
        ContentId specId = store.put(toml.getBytes(StandardCharsets.UTF_8));
        ImageSplit train = datasets.load(dataset, "train");
        ImageSplit test = datasets.load(dataset, "test");
        System.out.printf("MLP 784-256-10, batch %d, %d steps per worker; DiLoCo: %d workers, H = %d, outer Nesterov "
                + "lr 0.7 momentum 0.9%n", spec.batch(), steps, workers, inner);
        try (Parallel parallel = new Parallel(Runtime.getRuntime().availableProcessors())) {
            FloatMatMul gemm = new FloatMatMul(parallel);
            // One provider alone: one worker whose outer step applies its weights as they are (plain training).
            long t0 = System.nanoTime();
            DiLoCo.Result alone = DiLoCo.train(spec, specId, new DiLoCo.Settings(1, (int) Math.min(steps, Integer.MAX_VALUE),
                    1f, 0f), train, gemm, DiLoCo.RoundListener.NONE);
            double aloneSeconds = (System.nanoTime() - t0) / 1e9;
            Evaluator.Score aloneScore = Evaluator.evaluate(alone.network(), test, gemm);
            // One provider given the same total steps as all workers together (the same compute).
            TrainSpec longer = TrainSpecParser.parse("mlp", toml.replaceAll("(?m)^steps = .*", "steps = " + steps * workers)
                    .getBytes(StandardCharsets.UTF_8));
            long tl = System.nanoTime();
            DiLoCo.Result aloneLong = DiLoCo.train(longer, specId, new DiLoCo.Settings(1,
                    (int) Math.min(steps * workers, Integer.MAX_VALUE), 1f, 0f), train, gemm, DiLoCo.RoundListener.NONE);
            double aloneLongSeconds = (System.nanoTime() - tl) / 1e9;
            Evaluator.Score aloneLongScore = Evaluator.evaluate(aloneLong.network(), test, gemm);
            long t1 = System.nanoTime();
            DiLoCo.Result split = DiLoCo.train(spec, specId, DiLoCo.Settings.of(workers, inner), train, gemm,
                    (round, done, loss, global) -> {
                        if (round % 10 == 0) {
                            System.out.printf("  round %d, step %d, mean worker loss %.4f%n", round, done, loss);
                        }
                    });
            double splitSeconds = (System.nanoTime() - t1) / 1e9;
            Evaluator.Score splitScore = Evaluator.evaluate(split.network(), test, gemm);
            System.out.printf("%-34s %9s %10s %14s%n", "run", "test acc", "seconds", "bytes sent+recv");
            System.out.printf("%-34s %8.2f%% %10.1f %14s%n", "one provider, same steps/worker", 100 * aloneScore.accuracy(),
                    aloneSeconds, "0");
            System.out.printf("%-34s %8.2f%% %10.1f %14s%n", "one provider, same total steps", 100 * aloneLongScore.accuracy(),
                    aloneLongSeconds, "0");
            System.out.printf("%-34s %8.2f%% %10.1f %14d%n", "DiLoCo " + workers + " workers (sequential here)",
                    100 * splitScore.accuracy(), splitSeconds, split.bytesExchanged());
            System.out.printf("%-34s %9s %10s %14d%n", "sync data parallel, same steps", "-", "-", split.bytesSynchronous());
            System.out.printf("communication saved against synchronous data parallelism: %.1fx (%d exchanges instead of "
                    + "%d); accuracy DiLoCo - one provider: %+.2f points (same steps per worker), %+.2f points (same "
                    + "total steps)%n", split.communicationSaved(), split.rounds(), steps,
                    100 * (splitScore.accuracy() - aloneScore.accuracy()), 100 * (splitScore.accuracy() - aloneLongScore.accuracy()));
        }
    }
}
