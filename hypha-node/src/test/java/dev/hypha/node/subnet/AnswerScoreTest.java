package dev.hypha.node.subnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The inference subnet's score formula and prompt derivation: correctness gates, then speed × price, deterministically. */
class AnswerScoreTest {
    private static AnswerScore.Measurement ok(int uid, long micros, long price) {
        return new AnswerScore.Measurement(uid, 2, 2, micros, BigInteger.valueOf(price));
    }

    @Test
    void anyWrongAnswerOrMissingOfferScoresZeroWhateverItsSpeedAndPrice() {
        Map<Integer, Integer> s = AnswerScore.scores(List.of(ok(1, 100_000, 10),
                new AnswerScore.Measurement(2, 2, 1, 1, BigInteger.ZERO), // one wrong answer: fastest and free
                new AnswerScore.Measurement(3, 0, 0, 0, null)));          // no offer
        assertThat(s).containsOnlyKeys(1).containsEntry(1, 65_535);
    }

    @Test
    void speedAndPriceMultiplyRelativeToTheBestCorrectMiner() {
        Map<Integer, Integer> s = AnswerScore.scores(List.of(ok(1, 100_000, 9), ok(2, 300_000, 9), ok(3, 100_000, 19)));
        // slack 2 × 50 ms: (100 + 100) / (300 + 100) = 1/2; price (9 + 1) / (19 + 1) = 1/2
        assertThat(s).containsEntry(1, 65_535).containsEntry(2, 32_767).containsEntry(3, 32_767);
        assertThat(AnswerScore.scores(List.of(ok(1, 0, 0), ok(2, Long.MAX_VALUE / 2, Long.MAX_VALUE))))
                .containsEntry(2, 1); // never 0 for a correct miner, and no overflow
    }

    @Test
    void theOrderMinersAreListedInDoesNotMatter() {
        Random random = new Random(42);
        List<AnswerScore.Measurement> round = new ArrayList<>();
        for (int uid = 0; uid < 40; uid++) {
            boolean correct = random.nextInt(4) > 0;
            round.add(new AnswerScore.Measurement(uid, 3, correct ? 3 : random.nextInt(3), random.nextInt(2_000_000),
                    BigInteger.valueOf(random.nextInt(5_000_000))));
        }
        Map<Integer, Integer> expected = AnswerScore.scores(round);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(round, random);
            assertThat(AnswerScore.scores(round)).isEqualTo(expected);
        }
    }

    @Test
    void malformedMeasurementsAreRefusedByName() {
        assertThatThrownBy(() -> new AnswerScore.Measurement(4, 2, 3, 0, BigInteger.ONE)).hasMessageContaining("UID 4");
        assertThatThrownBy(() -> AnswerScore.scores(List.of(ok(1, 0, 0),
                new AnswerScore.Measurement(2, 3, 3, 0, BigInteger.ONE)))).hasMessageContaining("same number");
    }

    @Test
    void promptsFollowTheSeedAndDifferPerMinerAndRequest() {
        byte[] seed = HexFormat.of().parseHex("00".repeat(31) + "01");
        byte[] other = HexFormat.of().parseHex("00".repeat(31) + "02");
        String p = EvaluationPrompts.prompt(seed, 1, 0);
        assertThat(p.split(" ")).hasSize(EvaluationPrompts.LENGTH);
        assertThat(EvaluationPrompts.prompt(seed, 1, 0)).isEqualTo(p); // re-derivable from the revealed seed
        assertThat(EvaluationPrompts.prompt(seed, 2, 0)).isNotEqualTo(p);
        assertThat(EvaluationPrompts.prompt(seed, 1, 1)).isNotEqualTo(p);
        assertThat(EvaluationPrompts.prompt(other, 1, 0)).isNotEqualTo(p);
        assertThat(EvaluationPrompts.samplingSeed(seed, 1, 0)).isNotNegative();
        assertThatThrownBy(() -> EvaluationPrompts.prompt(new byte[31], 0, 0)).hasMessageContaining("32 bytes");
    }
}
