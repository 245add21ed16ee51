package dev.hypha.node.subnet;

import java.math.BigInteger;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The inference subnet's score of one evaluation round, from what a validator measured. Decisions:
 * <ul>
 *   <li>Correctness gates: a miner with no live offer for the subnet's model, or any answer that fails or differs from
 *   the validator's deterministic replay, scores 0 (a cheater gains nothing from being fast or cheap).</li>
 *   <li>Among correct miners, speed and price multiply, each relative to the best correct miner of the round:
 *   {@code 65535 × (fastest + L) / (own + L) × (cheapest + 1) / (own + 1)}, rounded down, at least 1. Latency is the
 *   sum of the miner's answer times in microseconds; {@code L} = {@link #LATENCY_SLACK_MICROS} per request keeps
 *   jitter between similarly fast miners from deciding the round. Price is input + output per million tokens.</li>
 *   <li>Integers only (BigInteger, so nothing overflows), miners in UID order, so validators holding the same
 *   measurements compute the same weights bit for bit.</li>
 * </ul>
 */
public final class AnswerScore {
    /** Latency slack per request (50 ms). */
    public static final long LATENCY_SLACK_MICROS = 50_000;
    private static final BigInteger MAX = BigInteger.valueOf(65_535);

    /**
     * One miner's round. {@code price} is null when it had no live offer (then nothing was asked).
     *
     * @param asked requests sent; {@code correct} of them matched the replay
     * @param latencyMicros the answers' summed time
     */
    public record Measurement(int uid, int asked, int correct, long latencyMicros, BigInteger price) {
        public Measurement {
            if (asked < 0 || correct < 0 || correct > asked) throw new IllegalArgumentException(
                    "UID " + uid + ": correct " + correct + " of " + asked + " asked");
            if (latencyMicros < 0) throw new IllegalArgumentException("UID " + uid + ": negative latency " + latencyMicros);
            if (price != null && price.signum() < 0) throw new IllegalArgumentException("UID " + uid + ": negative price");
        }

        /** Passed the round: had an offer, was asked, and every answer matched. */
        public boolean correctAll() {
            return price != null && asked > 0 && correct == asked;
        }
    }

    private AnswerScore() {}

    /** Scores by UID (ascending); UIDs that fail the round are absent (weight 0). */
    public static Map<Integer, Integer> scores(List<Measurement> round) {
        List<Measurement> ok = round.stream().filter(Measurement::correctAll)
                .sorted(Comparator.comparingInt(Measurement::uid)).toList();
        Map<Integer, Integer> out = new TreeMap<>();
        if (ok.isEmpty()) return out;
        int asked = ok.getFirst().asked();
        BigInteger slack = BigInteger.valueOf(LATENCY_SLACK_MICROS).multiply(BigInteger.valueOf(asked));
        BigInteger fastest = ok.stream().map(m -> BigInteger.valueOf(m.latencyMicros())).reduce(BigInteger::min).orElseThrow();
        BigInteger cheapest = ok.stream().map(Measurement::price).reduce(BigInteger::min).orElseThrow();
        for (Measurement m : ok) {
            Objects.requireNonNull(m.price());
            if (m.asked() != asked) throw new IllegalArgumentException("UID " + m.uid() + " was asked " + m.asked()
                    + " requests, others " + asked + ": a round asks every miner the same number");
            BigInteger num = MAX.multiply(fastest.add(slack)).multiply(cheapest.add(BigInteger.ONE));
            BigInteger den = BigInteger.valueOf(m.latencyMicros()).add(slack).multiply(m.price().add(BigInteger.ONE));
            out.put(m.uid(), Math.max(1, num.divide(den).intValueExact()));
        }
        return out;
    }
}
