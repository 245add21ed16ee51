// Verification cost of training by replay (hypha-ml train.verify): what fraction of the training compute a verifier
// spends for a stated probability of catching a cheat, on the examples' Fashion-MNIST specs. Run it through
// bench/verification-cost.sh. See bench/README.md.

import dev.hypha.core.crypto.Hashes;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainSpecParser;
import dev.hypha.ml.train.run.TrainingRun;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.ml.train.verify.MerkleTree;
import dev.hypha.ml.train.verify.Replayer;
import dev.hypha.ml.train.verify.SegmentAuditor;
import dev.hypha.ml.train.verify.SegmentSampler;
import dev.hypha.ml.train.verify.StateLeaves;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public class VerificationCost {
    public static void main(String[] args) throws Exception {
        String specFile = args.length > 0 ? args[0] : "examples/fashion-mnist-mlp.toml";
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        int every = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        byte[] toml = Files.readString(Path.of(specFile)).replaceAll("(?m)^steps = .*$", "steps = " + steps)
                .replaceAll("(?m)^checkpoint_every = .*$", "checkpoint_every = " + every).getBytes();
        TrainSpec spec = TrainSpecParser.parse(specFile, toml);
        byte[] digest = Hashes.keccak256(toml);
        Path home = Files.createTempDirectory("hypha-bench-verify");
        DatasetStore datasets = new DatasetStore(new ContentStore(home));
        ImageSplit data = datasets.load(datasets.importFashionMnist(DatasetStore.DEBIAN_FASHION_MNIST).id(), "train");
        try (Parallel parallel = new Parallel(threads)) {
            FloatMatMul gemm = new FloatMatMul(parallel);
            // warm-up: the JIT settles on the kernels
            TrainingRun warm = TrainingRun.start(spec, data, gemm);
            for (int i = 0; i < Math.min(50, steps); i++) warm.step();

            // the provider: train, and hash the state at every commitment (its only extra work)
            TrainingRun run = TrainingRun.start(spec, data, gemm);
            List<RunState> checkpoints = new ArrayList<>();
            List<SegmentAuditor.Commitment> commitments = new ArrayList<>();
            long trainNs = 0, hashNs = 0;
            int leaves = 0, depth = 0;
            for (int s = 0; s <= steps; s++) {
                if (s % every == 0) {
                    long h0 = System.nanoTime();
                    RunState st = run.state();
                    MerkleTree tree = StateLeaves.tree(digest, st);
                    hashNs += System.nanoTime() - h0;
                    leaves = tree.leafCount();
                    depth = tree.depth();
                    checkpoints.add(st);
                    commitments.add(new SegmentAuditor.Commitment(s, tree.root()));
                }
                if (s < steps) {
                    long t0 = System.nanoTime();
                    run.step();
                    trainNs += System.nanoTime() - t0;
                }
            }
            int segments = commitments.size() - 1;
            System.out.printf("spec %s, %d steps, a commitment every %d steps (%d segments), %d threads%n", spec.name(), steps,
                    every, segments, threads);
            System.out.printf("training %.2f s; state trees (%d leaves, depth %d) %.3f s = %.2f %% of training%n",
                    trainNs / 1e9, leaves, depth, hashNs / 1e9, 100.0 * hashNs / trainNs);

            Replayer replayer = new Replayer(spec, digest, data, gemm);
            SegmentAuditor auditor = new SegmentAuditor(replayer);
            System.out.printf("%-10s %10s %12s %14s %14s %16s%n", "audit rate", "segments", "verifier s", "x training",
                    "catch 1 seg", "catch 1 seg, 3 v");
            for (int perMille : new int[] {50, 100, 250, 500, 1000}) {
                byte[] beacon = Hashes.keccak256(ByteBuffer.allocate(4).putInt(perMille).array());
                SegmentSampler sampler = new SegmentSampler(beacon, new byte[20], 1, perMille);
                int audited = 0;
                for (int i = 1; i <= segments; i++) audited += sampler.audits(i) ? 1 : 0;
                long a0 = System.nanoTime();
                List<SegmentAuditor.Finding> findings = auditor.audit(commitments, s -> checkpoints.get((int) (s / every)), sampler);
                long auditNs = System.nanoTime() - a0;
                if (!findings.isEmpty()) throw new IllegalStateException("an honest run was flagged: " + findings);
                double p = perMille / 1000.0;
                System.out.printf("%-10s %10s %12.2f %14.3f %14.3f %16.3f%n", perMille / 10.0 + " %", audited + "/" + segments,
                        auditNs / 1e9, (double) auditNs / trainNs, p, 1 - Math.pow(1 - p, 3));
            }
            // one dispute: bisection over a segment re-executes at most its steps and hashes log2(k) + 1 states
            long b0 = System.nanoTime();
            RunState agreed = checkpoints.get(segments - 1);
            replayer.firstDifference(agreed, (long) segments * every, s -> new byte[32]);
            long bisectNs = System.nanoTime() - b0;
            System.out.printf("one dispute's bisection over a %d-step segment: %.2f s = %.3f x training%n", every,
                    bisectNs / 1e9, (double) bisectNs / trainNs);
            System.out.printf("peer: naive replication (a second provider re-runs everything) costs 1.000 x training%n");
        }
    }
}
