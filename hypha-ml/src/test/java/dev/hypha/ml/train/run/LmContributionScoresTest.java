package dev.hypha.ml.train.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.GgufModelSource;
import dev.hypha.ml.llm.LoraTarget;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.train.Decoder;
import dev.hypha.ml.train.FrozenBase;
import dev.hypha.ml.train.LoraSettings;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A language-model pool's scoring on the shipped hypha-tiny: two contributions of question-and-answer text like the
 * held-out set each lower its loss, so each scores above 0; a contribution of noise scores below both; and the scores
 * come out bit for bit the same on a second run with another thread count.
 */
class LmContributionScoresTest {
    static final LoraFinetune.Options OPTIONS = new LoraFinetune.Options(
            new LoraSettings(4, 8f, EnumSet.allOf(LoraTarget.class)), 12, 2, 24, 1e-2f, 1, 1f, 0);

    @Test
    void honestTextScoresAboveZeroAndAboveNoiseDeterministically() {
        Decoder base;
        Tokenizer tokenizer;
        try (GgufFile gguf = GgufFile.open(LoraFinetuneTest.HYPHA_TINY)) {
            base = FrozenBase.load(new GgufModelSource(gguf));
            tokenizer = Tokenizer.fromGguf(gguf);
        }
        int[] firstText = encode(tokenizer, qa(0, 8));
        // As many tokens of noise as the first contribution gives text: the noise must not win by size alone.
        List<int[]> streams = List.of(firstText, encode(tokenizer, qa(8, 8)),
                java.util.Arrays.copyOf(encode(tokenizer, noise(4 * firstText.length, 7)), firstText.length));
        int[] heldOut = encode(tokenizer, qa(16, 6));
        LmContributionScores.Result r;
        LmContributionScores.Result again;
        try (Parallel two = new Parallel(2); Parallel one = new Parallel(1)) {
            r = LmContributionScores.leaveOneOut(base, OPTIONS, streams, heldOut, 4, new FloatMatMul(two));
            again = LmContributionScores.leaveOneOut(base, OPTIONS, streams, heldOut, 4, new FloatMatMul(one));
        }
        assertThat(r.lossWithAll()).as("the fine-tune learns the held-out text's kind").isLessThan(r.baseLoss());
        double first = r.scores().get(0).score();
        double second = r.scores().get(1).score();
        double junk = r.scores().get(2).score();
        assertThat(first).as("scores " + r.scores()).isPositive();
        assertThat(second).as("scores " + r.scores()).isPositive();
        assertThat(junk).as("scores " + r.scores()).isLessThan(Math.min(first, second));
        assertThat(again).as("same bits on one thread").isEqualTo(r);
    }

    private static int[] encode(Tokenizer tokenizer, String text) {
        return tokenizer.encode(text, true, false);
    }

    /** {@code count} question-and-answer lines about Hypha from the {@code first} on (each a fact of its own). */
    static String qa(int first, int count) {
        String[] subjects = {"the gateway", "a provider", "a validator", "the tenant", "a contributor", "the owner",
            "an agent", "the verifier", "the pool", "a miner", "the registry", "the splitter"};
        String[] verbs = {"pays", "earns", "scores", "signs", "claims", "stakes", "serves", "checks"};
        String[] objects = {"tokens", "vouchers", "receipts", "datasets", "adapters", "royalties", "answers", "leases"};
        StringBuilder out = new StringBuilder();
        for (int i = first; i < first + count; i++) {
            String s = subjects[i % subjects.length];
            String v = verbs[(i * 5 + 3) % verbs.length];
            String o = objects[(i * 3 + 1) % objects.length];
            out.append("Q: Who ").append(v).append(' ').append(o).append("?\nA: ")
                    .append(Character.toUpperCase(s.charAt(0))).append(s.substring(1)).append(' ').append(v).append(' ')
                    .append(o).append(".\n\n");
        }
        return out.toString();
    }

    /** {@code length} characters of seeded noise (letters, digits and punctuation, no words). */
    static String noise(int length, long seed) {
        String alphabet = "qxzjkvwy0123456789#%&*@~^|<>";
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) {
            out.append(i % 9 == 8 ? ' ' : alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
