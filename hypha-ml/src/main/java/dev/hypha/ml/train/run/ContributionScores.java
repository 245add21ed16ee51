package dev.hypha.ml.train.run;

import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.Seeds;
import dev.hypha.ml.train.data.ImageSplit;
import java.util.ArrayList;
import java.util.List;

/**
 * What each contributor's data is worth to a model, by leaving one group out (the data pool's scoring, issue 13): the
 * spec is trained on the whole pool and on the pool without each contributor's group, and a group's score is the
 * validation accuracy the model loses without it. Duplicates of what others gave add nothing, so they score about
 * 0; mislabeled data makes the model worse, so it scores below 0; honest new data scores above. Each repeat trains
 * every variant from the same seed (paired), and the scores are averaged over repeats to damp training noise.
 *
 * <p>Cost: (groups + 1) × repeats trainings of the spec. Deterministic for a spec, pool and repeats.
 */
public final class ContributionScores {
    /**
     * @param group           the contributor's group
     * @param samples         how many samples it gave
     * @param accuracyWithout mean validation accuracy of the models trained without it
     * @param score           mean accuracy lost without it (negative: the model is better without it)
     */
    public record Score(int group, int samples, double accuracyWithout, double score) {}

    /** The mean accuracy with every group, and each group's score, in group order. */
    public record Result(double accuracyWithAll, List<Score> scores) {}

    private ContributionScores() {}

    /**
     * @param groupOfSample the contributing group (0 to groups − 1) of each of {@code pool}'s samples
     * @param repeats       trainings per variant (1 to 16)
     */
    public static Result leaveOneGroupOut(TrainSpec spec, ImageSplit pool, int[] groupOfSample, int groups,
                                          ImageSplit validation, int repeats, FloatMatMul gemm) {
        if (groupOfSample.length != pool.count()) {
            throw new IllegalArgumentException("the pool has " + pool.count() + " samples but " + groupOfSample.length
                    + " group labels");
        }
        if (groups < 2 || groups > 1024) {
            throw new IllegalArgumentException("groups must be 2 to 1024, was " + groups);
        }
        if (repeats < 1 || repeats > 16) {
            throw new IllegalArgumentException("repeats must be 1 to 16, was " + repeats);
        }
        int[] sizes = new int[groups];
        for (int g : groupOfSample) {
            if (g < 0 || g >= groups) {
                throw new IllegalArgumentException("group " + g + " is not between 0 and " + (groups - 1));
            }
            sizes[g]++;
        }
        double[] with = new double[repeats];
        double[][] without = new double[groups][repeats];
        for (int r = 0; r < repeats; r++) {
            long seed = r == 0 ? spec.seed() : Seeds.stream(spec.seed(), Seeds.REPEATS, r).nextLong();
            with[r] = accuracy(spec, pool, validation, seed, gemm);
            for (int g = 0; g < groups; g++) {
                without[g][r] = accuracy(spec, without(pool, groupOfSample, g), validation, seed, gemm);
            }
        }
        double all = mean(with);
        List<Score> scores = new ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
            double lost = 0;
            for (int r = 0; r < repeats; r++) {
                lost += with[r] - without[g][r];
            }
            scores.add(new Score(g, sizes[g], mean(without[g]), lost / repeats));
        }
        return new Result(all, List.copyOf(scores));
    }

    private static ImageSplit without(ImageSplit pool, int[] groupOfSample, int group) {
        int n = 0;
        for (int g : groupOfSample) {
            n += g == group ? 0 : 1;
        }
        int[] keep = new int[n];
        int k = 0;
        for (int i = 0; i < groupOfSample.length; i++) {
            if (groupOfSample[i] != group) {
                keep[k++] = i;
            }
        }
        return pool.select(pool.name() + " without group " + group, keep);
    }

    /** Trains the spec on {@code data} from {@code seed} and scores it on {@code validation}. */
    private static double accuracy(TrainSpec spec, ImageSplit data, ImageSplit validation, long seed, FloatMatMul gemm) {
        if (data.count() < spec.batch()) {
            return 0; // too little left to train on: nothing learnt
        }
        TrainingRun run = TrainingRun.start(spec, data, gemm, seed);
        while (run.stepsDone() < spec.steps()) {
            run.step();
        }
        return Evaluator.evaluate(run.network(), validation, gemm).accuracy();
    }

    private static double mean(double[] xs) {
        double sum = 0;
        for (double x : xs) {
            sum += x; // in index order: deterministic
        }
        return sum / xs.length;
    }
}
