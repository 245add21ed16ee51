package dev.hypha.ml.train.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.crypto.Hashes;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.run.RunState;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Verification by replay on a real (tiny) training job: an honest provider is never flagged whatever the thread
 * counts of provider and verifier, and each way of faking work is caught exactly when the sampler audits its segment,
 * with the dispute's bisection ending on the step the cheat first got wrong.
 */
class ReplayVerificationTest {
    private static final byte[] VERIFIER = new byte[20];

    private static List<SegmentAuditor.Commitment> commitments(Replayer replayer, List<RunState> states) {
        List<SegmentAuditor.Commitment> out = new ArrayList<>();
        for (int s = 0; s <= TinyJob.STEPS; s += TinyJob.EVERY) {
            out.add(new SegmentAuditor.Commitment(s, replayer.root(states.get(s))));
        }
        return out;
    }

    private static byte[] beacon(long seed) {
        return Hashes.keccak256(ByteBuffer.allocate(8).putLong(seed).array());
    }

    @Property(tries = 12)
    void anHonestProviderIsNeverFlaggedWhateverEitherSidesThreadCount(@ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 1, max = 3) int providerThreads, @ForAll @IntRange(min = 1, max = 3) int verifierThreads) {
        TinyJob job = new TinyJob(seed);
        List<RunState> states;
        try (Parallel p = new Parallel(providerThreads)) {
            states = job.honestStates(new FloatMatMul(p));
        }
        try (Parallel v = new Parallel(verifierThreads)) {
            Replayer replayer = job.replayer(new FloatMatMul(v));
            List<SegmentAuditor.Commitment> commitments = commitments(replayer, states);
            SegmentSampler everything = new SegmentSampler(beacon(seed), VERIFIER, 1, 1000);
            assertThat(new SegmentAuditor(replayer).audit(commitments, s -> states.get((int) s), everything)).isEmpty();
            assertThat(replayer.firstDifference(replayer.initial(), TinyJob.STEPS, s -> replayer.root(states.get((int) s))))
                    .as("a dispute against honest claims finds nothing to dispute").isEmpty();
        }
    }

    @Provide
    Arbitrary<Integer> segments() {
        return Arbitraries.integers().between(1, TinyJob.SEGMENTS);
    }

    @Property(tries = 40)
    void everyCheatIsCaughtExactlyWhenItsSegmentIsAuditedAndTheDisputeEndsOnItsFirstWrongStep(
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed, @ForAll Cheat cheat, @ForAll("segments") int segment,
            @ForAll @LongRange(min = 0, max = 1_000_000) long beaconSeed) {
        if (!cheat.fits(segment)) {
            segment = TinyJob.SEGMENTS;
        }
        TinyJob job = new TinyJob(seed);
        try (Parallel p = new Parallel(2)) {
            FloatMatMul gemm = new FloatMatMul(p);
            Replayer replayer = job.replayer(gemm);
            List<RunState> claimed = cheat.states(job, gemm, segment, seed);
            List<SegmentAuditor.Commitment> commitments = commitments(replayer, claimed);
            SegmentAuditor auditor = new SegmentAuditor(replayer);

            SegmentSampler half = new SegmentSampler(beacon(beaconSeed), VERIFIER, seed, 500);
            List<Integer> flagged = auditor.audit(commitments, s -> claimed.get((int) s), half).stream()
                    .map(SegmentAuditor.Finding::index).toList();
            assertThat(flagged).as("%s in segment %d", cheat, segment)
                    .isEqualTo(half.audits(segment) ? List.of(segment) : List.of());

            List<SegmentAuditor.Finding> all = auditor.audit(commitments, s -> claimed.get((int) s),
                    new SegmentSampler(beacon(beaconSeed), VERIFIER, seed, 1000));
            assertThat(all).extracting(SegmentAuditor.Finding::index).containsExactly(segment);
            assertThat(all.getFirst().kind()).isEqualTo(SegmentAuditor.Finding.Kind.REPLAY_MISMATCH);

            RunState agreed = claimed.get((segment - 1) * TinyJob.EVERY);
            Optional<Replayer.Divergence> d = replayer.firstDifference(agreed, (long) segment * TinyJob.EVERY,
                    s -> replayer.root(claimed.get((int) s)));
            assertThat(d).isPresent();
            assertThat(d.get().step()).isEqualTo(cheat.firstWrongStep(segment));
            assertThat(d.get().agreedRoot()).isEqualTo(replayer.root(claimed.get((int) d.get().step())));
            assertThat(d.get().claimedRoot()).isEqualTo(replayer.root(claimed.get((int) d.get().step() + 1)));
            assertThat(d.get().expectedRoot()).isNotEqualTo(d.get().claimedRoot());
        }
    }

    @Property(tries = 4)
    void theCatchRateOfOneCheatedSegmentIsTheAuditRate(@ForAll Cheat cheat, @ForAll @IntRange(min = 100, max = 900) int rate) {
        TinyJob job = new TinyJob(42);
        try (Parallel p = new Parallel(1)) {
            FloatMatMul gemm = new FloatMatMul(p);
            Replayer replayer = job.replayer(gemm);
            List<RunState> claimed = cheat.states(job, gemm, TinyJob.SEGMENTS, 42);
            List<SegmentAuditor.Commitment> commitments = commitments(replayer, claimed);
            // re-executes only the last segment per beacon; the audits themselves are what is counted
            List<SegmentAuditor.Commitment> lastSegment = commitments.subList(TinyJob.SEGMENTS - 1, TinyJob.SEGMENTS + 1);
            int beacons = 400;
            int caught = 0;
            for (int b = 0; b < beacons; b++) {
                SegmentSampler sampler = new SegmentSampler(beacon(b), VERIFIER, 7, rate);
                boolean audited = sampler.audits(1);
                boolean found = !new SegmentAuditor(replayer).audit(lastSegment, s -> claimed.get((int) s), sampler).isEmpty();
                assertThat(found).isEqualTo(audited);
                caught += found ? 1 : 0;
            }
            // binomial(400, rate): four standard deviations at most 40 samples
            assertThat(Math.abs(caught - beacons * rate / 1000.0)).as("caught %d of %d at rate %d‰", caught, beacons, rate)
                    .isLessThan(40);
        }
    }

    @Property(tries = 30)
    void everyLeafHasAProofAndAnyFlippedBitChangesTheRoot(@ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 0, max = 31) int bit) {
        TinyJob job = new TinyJob(seed);
        try (Parallel p = new Parallel(1)) {
            Replayer replayer = job.replayer(new FloatMatMul(p));
            RunState state = replayer.initial();
            MerkleTree tree = StateLeaves.tree(job.specDigest, state);
            List<byte[]> leaves = StateLeaves.of(job.specDigest, state);
            for (int i = 0; i < leaves.size(); i++) {
                byte[] leaf = MerkleTree.leafHash(leaves.get(i));
                assertThat(MerkleTree.verify(tree.root(), leaf, i, tree.proof(i))).isTrue();
                assertThat(MerkleTree.verify(tree.root(), leaf, i ^ 1, tree.proof(i))).isFalse();
            }
            List<float[]> params = state.parameters();
            float[] w = params.get((int) (seed % params.size()));
            int at = (int) (seed % w.length);
            w[at] = Float.intBitsToFloat(Float.floatToRawIntBits(w[at]) ^ (1 << bit));
            RunState flipped = new RunState(state.step(), params, state.optimizerState());
            assertThat(replayer.root(flipped)).isNotEqualTo(tree.root());
            assertThat(replayer.root(state.withStep(1))).as("the step is in the root").isNotEqualTo(tree.root());
            assertThat(Arrays.equals(replayer.root(state), tree.root())).isTrue();
        }
    }
}
