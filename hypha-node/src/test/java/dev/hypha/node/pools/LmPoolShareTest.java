package dev.hypha.node.pools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.GgufModelSource;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.train.Decoder;
import dev.hypha.ml.train.FrozenBase;
import dev.hypha.ml.train.data.FinetuneData;
import dev.hypha.ml.train.run.LmContributionScores;
import dev.hypha.node.compute.FinetuneSpec;
import dev.hypha.node.compute.Job;
import dev.hypha.node.compute.JobLimits;
import dev.hypha.node.compute.JobSpecs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A large contribution of noise beside smaller honest ones, scored as {@code hypha data pool score} scores a
 * language-model pool (the README's probe, examples/pool-probe-lora.toml, on hypha-tiny and examples/pool-held-out.txt;
 * the contributions cut by the scorer's own {@link PoolContributions#cutToShares}): each honest contribution scores
 * above 0 and above the noise. Uncut, these pools scored one honest contribution below 0 (found by hand: 514 tokens of
 * noise beside 183 and 182 of question-and-answer text left the first honest one at 0).
 */
class LmPoolShareTest {
    private static Decoder base;
    private static Tokenizer tokenizer;
    private static ChatTemplate template;
    private static FinetuneSpec probe;

    @TempDir
    static Path dir;

    @BeforeAll
    static void load() throws Exception {
        try (GgufFile gguf = GgufFile.open(Path.of("src/main/resources/dev/hypha/node/devnet/hypha-tiny.gguf"))) {
            base = FrozenBase.load(new GgufModelSource(gguf));
            tokenizer = Tokenizer.fromGguf(gguf);
            template = ChatTemplate.fromGguf(gguf);
        }
        Path spec = Path.of("..", "examples", "pool-probe-lora.toml");
        probe = ((Job.Finetune) JobSpecs.read(spec.toString(), Files.readAllBytes(spec), JobLimits.DEFAULT)).spec();
    }

    @ParameterizedTest(name = "{0} tokens of noise (seed {1})")
    @CsvSource({"514, 7", "521, 3"})
    void aLargeNoiseContributionDoesNotPushAnHonestOneToZero(int noiseTokens, long seed) throws Exception {
        int[] first = tokens("first.txt", qa(0, 8));
        int[] second = tokens("second.txt", qa(8, 8));
        int[] noise = tokens("noise-" + seed + ".txt", noise(noiseTokens, seed));
        assertThat(noise.length).as("the noise is the largest contribution").isGreaterThan(2 * first.length);
        List<int[]> streams = new ArrayList<>(List.of(first, second, noise));
        PoolContributions.cutToShares(streams, LmPoolScorer.LIMITS.samples(), LmPoolScorer.TOKENS,
                LmPoolScorer.floor(probe.options()));
        assertThat(streams).extracting(s -> s.length)
                .as("the noise counts for the median contribution's tokens, its first ones; the others are whole")
                .containsExactly(first.length, second.length, first.length);
        assertThat(streams.get(2)).isEqualTo(java.util.Arrays.copyOf(noise, first.length));

        int[] heldOut = FinetuneData.read(Path.of("..", "examples", "pool-held-out.txt"), tokenizer, template).stream();
        LmContributionScores.Result r;
        try (Parallel parallel = new Parallel(2)) {
            r = LmContributionScores.leaveOneOut(base, probe.options(), streams, heldOut, 8, new FloatMatMul(parallel));
        }
        double honestA = r.scores().get(0).score();
        double honestB = r.scores().get(1).score();
        double junk = r.scores().get(2).score();
        assertThat(LmPoolScorer.onChainScore(honestA)).as("scores " + r.scores()).isPositive();
        assertThat(LmPoolScorer.onChainScore(honestB)).as("scores " + r.scores()).isPositive();
        assertThat(junk).as("scores " + r.scores()).isLessThan(Math.min(honestA, honestB));
        assertThat(LmPoolScorer.onChainScore(junk)).as("scores " + r.scores()).isZero();
    }

    private static int[] tokens(String name, String text) throws Exception {
        return FinetuneData.read(Files.writeString(dir.resolve(name), text), tokenizer, template).stream();
    }

    /** {@code count} question-and-answer lines about Hypha from the {@code first} on (the held-out text's kind). */
    private static String qa(int first, int count) {
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

    /** Seeded noise (letters, digits and punctuation in 8-character words) of at least {@code target} tokens. */
    private static String noise(int target, long seed) {
        String alphabet = "qxzjkvwy0123456789#%&*@~^|<>";
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder();
        while (tokenizer.encode(out.toString(), true, false).length < target) {
            for (int i = 0; i < 9; i++) out.append(i == 8 ? ' ' : alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
