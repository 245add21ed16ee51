package dev.hypha.ml.train.run;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.tensor.VectorConfig;
import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.store.ContentStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * A training run in its own JVM for the determinism and kill -9 tests: {@code HOME IDX_FOLDER SPEC THREADS [STOP_STEP]}.
 * Imports the IDX folder into HOME, trains the spec (resuming if HOME has a checkpoint) and prints the SHA-256 chain of
 * the weights after every step, then the final weights' digest. With STOP_STEP it prints "stopped" after that step and
 * waits to be killed.
 */
public final class TrainingProbe {
    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        ContentStore store = new ContentStore(home);
        DatasetStore datasets = new DatasetStore(store);
        ContentId dataset = datasets.importFashionMnist(Path.of(args[1])).id();
        byte[] specBytes = Files.readAllBytes(Path.of(args[2]));
        TrainSpec spec = TrainSpecParser.parse(args[2], specBytes);
        long stopAt = args.length > 4 ? Long.parseLong(args[4]) : -1;
        System.out.println("vectorBits=" + VectorConfig.BITS + " dataset=" + dataset);
        MessageDigest chain = MessageDigest.getInstance("SHA-256");
        try (Parallel parallel = new Parallel(Integer.parseInt(args[3]))) {
            Trainer trainer = new Trainer(spec, ContentIds.of(specBytes), datasets.load(dataset, spec.split()), store, new FloatMatMul(parallel));
            Trainer.Result result = trainer.run(new TrainingListener() {
                @Override
                public void stepDone(long step, long total, int batch, float loss) {
                    if (step == stopAt) {
                        System.out.println("stopped");
                        System.out.flush();
                        try {
                            Thread.sleep(Long.MAX_VALUE);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }

                @Override
                public void parametersUpdated(long step, List<Tensor> parameters) {
                    for (Tensor t : parameters) {
                        ByteBuffer b = ByteBuffer.allocate(t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
                        b.asFloatBuffer().put(t.data());
                        chain.update(b.array());
                    }
                }

                @Override
                public void resumed(long stepsDone, ContentId id) {
                    System.out.println("resumed after " + stepsDone);
                }
            });
            System.out.println("steps " + HexFormat.of().formatHex(chain.digest()));
            System.out.println(result.weightsDigest());
        }
    }
}
