package dev.hypha.ml.train.run;

import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.Decoder;
import dev.hypha.ml.train.data.FinetuneData;
import dev.hypha.ml.train.data.TokenCorpus;
import java.util.ArrayList;
import java.util.List;

/**
 * What each contribution of text is worth to a LoRA fine-tune of a language model, by leaving one out (a language-model
 * data pool's scoring, issue 13): the same LoRA run (one seed, same options) is trained on every contribution's tokens
 * together and on all but each one, and a contribution's score is the held-out loss the fine-tune loses without it
 * (loss without − loss with, in nats per token). Text like the held-out set lowers its loss, so it scores above 0;
 * a duplicate of another contribution adds little the others did not already give, and noise or off-topic text pulls
 * the adapter away, so they score about 0 or below. The classifier counterpart is {@link ContributionScores}.
 *
 * <p>Deterministic: the runs are {@link LoraRun}s (seeded windows per step, fixed reduction order), the held-out loss
 * is over the held-out stream's first windows in order, and nothing depends on the wall clock or thread count.
 * Cost: (contributions + 1) fine-tunes of {@code options.steps()} steps.
 */
public final class LmContributionScores {
    /**
     * @param contribution the contribution's index
     * @param tokens       how many tokens it gave
     * @param lossWithout  held-out loss of the fine-tune trained without it
     * @param score        held-out loss it saves: lossWithout − lossWithAll (negative: the fine-tune is better without it)
     */
    public record Score(int contribution, int tokens, double lossWithout, double score) {}

    /** The base's held-out loss, the fine-tune's with every contribution, and each contribution's score, in order. */
    public record Result(double baseLoss, double lossWithAll, List<Score> scores) {}

    private LmContributionScores() {}

    /**
     * @param base        the frozen base (shared by every run: training changes only each run's adapter)
     * @param streams     each contribution's tokens (tokenized with the base's tokenizer), in contribution order
     * @param heldOut     held-out tokens the loss is measured on
     * @param evalWindows how many of the held-out stream's first windows are scored (1 to 256)
     */
    public static Result leaveOneOut(Decoder base, LoraFinetune.Options options, List<int[]> streams, int[] heldOut,
                                     int evalWindows, FloatMatMul gemm) {
        int contributions = streams.size();
        if (contributions < 2 || contributions > 1024) {
            throw new IllegalArgumentException("contributions must be 2 to 1024, were " + contributions);
        }
        if (evalWindows < 1 || evalWindows > 256) {
            throw new IllegalArgumentException("evaluation windows must be 1 to 256, were " + evalWindows);
        }
        int window = options.sequenceLength() + 1;
        if (heldOut.length < window) {
            throw new IllegalArgumentException("the held-out text has " + heldOut.length + " tokens, fewer than one window of "
                    + window);
        }
        int[] eval = TokenCorpus.consecutiveWindows(heldOut, window, evalWindows);
        double baseLoss = LoraRun.start(new LoraRun.Inputs(base, tokens(streams, -1)), options, gemm).training()
                .baseLoss(eval);
        double with = loss(base, options, tokens(streams, -1), eval, baseLoss, gemm);
        List<Score> scores = new ArrayList<>(contributions);
        for (int c = 0; c < contributions; c++) {
            double without = loss(base, options, tokens(streams, c), eval, baseLoss, gemm);
            scores.add(new Score(c, streams.get(c).length, without, without - with));
        }
        return new Result(baseLoss, with, List.copyOf(scores));
    }

    /** The held-out loss after fine-tuning on {@code data}; the base's when too little is left to fill one window. */
    private static double loss(Decoder base, LoraFinetune.Options options, FinetuneData.Tokens data, int[] eval,
                               double baseLoss, FloatMatMul gemm) {
        if (data.stream().length < options.sequenceLength() + 1) {
            return baseLoss; // nothing to learn from: the adapter stays at zero
        }
        LoraRun run = LoraRun.start(new LoraRun.Inputs(base, data), options, gemm);
        while (run.stepsDone() < options.steps()) {
            run.step();
        }
        return run.training().loss(eval);
    }

    /** Every stream but {@code leftOut}'s (none left out when it is −1), end to end in contribution order. */
    private static FinetuneData.Tokens tokens(List<int[]> streams, int leftOut) {
        int total = 0;
        int documents = 0;
        for (int c = 0; c < streams.size(); c++) {
            if (c != leftOut) {
                total = Math.addExact(total, streams.get(c).length);
                documents++;
            }
        }
        int[] all = new int[total];
        int at = 0;
        for (int c = 0; c < streams.size(); c++) {
            if (c != leftOut) {
                System.arraycopy(streams.get(c), 0, all, at, streams.get(c).length);
                at += streams.get(c).length;
            }
        }
        return new FinetuneData.Tokens(all, documents, "text");
    }
}
