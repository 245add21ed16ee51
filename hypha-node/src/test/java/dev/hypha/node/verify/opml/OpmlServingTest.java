package dev.hypha.node.verify.opml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.opml.IntLm;
import dev.hypha.ml.opml.IntLmWeights;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.TextSink;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * A provider's verifiable models: {@link OpmlBackend} answers IntLm requests with the engine's exact generation and
 * commits to the trace that gives it (a truncating cheater's root is not the model's); {@link OpmlAnswerLog} keeps
 * answers across a restart, bounded, and names a damaged file.
 */
class OpmlServingTest {
    private static final Credentials KEY = Credentials.create("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
    private static final Address PROVIDER = Address.parse(KEY.getAddress());
    private static final Address VERIFIER = Address.parse("0x610178da211fef7d417bc0e6fed39f05609ad788");
    private static final IntLm MODEL = new IntLm(IntLmWeights.random(11));

    /** An engine with no models of its own: any call reaching it is a failure of the routing under test. */
    private static InferenceBackend noEngine() {
        return (InferenceBackend) Proxy.newProxyInstance(InferenceBackend.class.getClassLoader(),
                new Class<?>[] {InferenceBackend.class}, (p, m, a) -> {
                    if (m.getName().equals("models")) {
                        return List.of();
                    }
                    if (m.getName().equals("close")) {
                        return null;
                    }
                    throw GatewayException.modelNotFound(a == null ? "?" : String.valueOf(a[0]));
                });
    }

    private static GenerateCall call(String model, String prompt, int maxTokens, long seed) {
        return new GenerateCall(model, new Prompt.Text(prompt, "", true), new SamplingOptions(0.8f, 40, 0.9f, 0, 1, 0, 0,
                64, seed), maxTokens, List.of(), OptionalInt.empty(), KeepAlive.DEFAULT, GenerateCall.Format.TEXT);
    }

    private static OpmlBackend backend(Path dir, OpmlCheat cheat) {
        return new OpmlBackend(noEngine(), List.of("intlm-11"), cheat, PROVIDER, KEY, 31337, VERIFIER,
                new OpmlAnswerLog(dir, 100));
    }

    @Test
    void anHonestAnswerIsTheModelsGenerationAndItsCommitmentTheModelsTrace(@TempDir Path dir) {
        OpmlBackend b = backend(dir, OpmlCheat.NONE);
        List<String> pieces = new ArrayList<>();
        GenerateCall call = call("intlm-11:latest", "hi", 5, 7);
        Completion c = b.generate(call, pieces::add);
        byte[] expected = MODEL.generate("hi".getBytes(StandardCharsets.ISO_8859_1), 5, 7);
        assertThat(IntLmText.tokens(c.text())).isEqualTo(expected);
        assertThat(String.join("", pieces)).isEqualTo(c.text());
        assertThat(c.promptTokens()).isEqualTo(2);
        assertThat(c.generatedTokens()).isEqualTo(5);

        var commitment = b.commit(call, c, new byte[32]).orElseThrow();
        assertThat(commitment.receipt().traceRoot()).isEqualTo(MODEL.trace(commitment.prompt(), expected, 7).root());
        assertThat(commitment.receipt().modelRoot()).isEqualTo(MODEL.weights().root());
        assertThat(b.info("intlm-11").digestHex()).isEqualTo(org.web3j.utils.Numeric.toHexString(MODEL.weights().root()));
        // kept to defend it, under the receipt's digest
        var kept = b.answers().find(commitment.receipt().digest(31337, VERIFIER)).orElseThrow();
        assertThat(kept.output()).isEqualTo(expected);
        assertThat(kept.seed()).isEqualTo(7);
    }

    @Test
    void aTruncatingCheaterCommitsToATraceThatIsNotTheModels(@TempDir Path dir) {
        OpmlBackend b = backend(dir, OpmlCheat.TRUNCATED);
        GenerateCall call = call("intlm-11", "hi", 3, 7);
        Completion c = b.generate(call, TextSink.DISCARD);
        var commitment = b.commit(call, c, new byte[32]).orElseThrow();
        assertThat(commitment.receipt().traceRoot()).isNotEqualTo(MODEL.trace(commitment.prompt(), commitment.output(), 7)
                .root());
        assertThat(b.runs(MODEL.weights().root()).orElseThrow().trace(commitment.prompt(), commitment.output(), 7).root())
                .as("the cheater defends the trace it committed").isEqualTo(commitment.receipt().traceRoot());
    }

    @Test
    void budgetsAreBoundedByTheLongestVerifiableGenerationAndOtherModelsGoToTheEngine(@TempDir Path dir) {
        OpmlBackend b = backend(dir, OpmlCheat.NONE);
        assertThat(b.budget(call("intlm-11", "hi", GenerateCall.UNLIMITED, 1)).maxNewTokens()).isEqualTo(31);
        assertThatThrownBy(() -> b.budget(call("intlm-11", "x".repeat(33), 1, 1))).isInstanceOf(GatewayException.class)
                .hasMessageContaining("reads 1 to 32 prompt bytes, got 33");
        assertThatThrownBy(() -> b.generate(call("intlm-11", "\u0100", 1, 1), TextSink.DISCARD))
                .hasMessageContaining("above U+00FF");
        assertThatThrownBy(() -> b.generate(call("chat", "hi", 1, 1), TextSink.DISCARD)).isInstanceOf(GatewayException.class)
                .hasMessageContaining("chat");
        assertThat(b.commit(call("chat", "hi", 1, 1), new Completion("x", Completion.DoneReason.STOP, 1, 1, 0, 0, 0, 0),
                new byte[32])).isEmpty();
        assertThat(b.models()).extracting(m -> m.name()).containsExactly("intlm-11");
        assertThatThrownBy(() -> IntLmModels.parse("intlm-x")).hasMessageContaining("expected intlm-SEED");
    }

    @Test
    void theAnswerLogSurvivesARestartDropsTheOldestAndNamesADamagedFile(@TempDir Path dir) throws Exception {
        OpmlAnswerLog log = new OpmlAnswerLog(dir, 2);
        byte[][] digests = {digest(1), digest(2), digest(3)};
        for (int i = 0; i < 3; i++) {
            log.keep(digests[i], new OpmlAnswerLog.Kept(new byte[] {(byte) i}, new byte[] {9}, -1L - i, digest(10 + i)));
            Thread.sleep(5); // distinct modification times, so the reopened log knows the order
        }
        OpmlAnswerLog reopened = new OpmlAnswerLog(dir, 2);
        assertThat(reopened.size()).isEqualTo(2);
        assertThat(reopened.find(digests[0])).isEmpty();
        var kept = reopened.find(digests[2]).orElseThrow();
        assertThat(kept.seed()).isEqualTo(-3L);
        assertThat(kept.requestId()).isEqualTo(digest(12));
        try (var files = Files.list(dir)) {
            Files.writeString(files.filter(f -> f.toString().endsWith(".answer")).findFirst().orElseThrow(), "junk");
        }
        assertThatThrownBy(() -> {
            reopened.find(digests[1]);
            reopened.find(digests[2]);
        }).isInstanceOf(HyphaException.class).hasMessageContaining("is damaged");
    }

    private static byte[] digest(int n) {
        byte[] d = new byte[32];
        d[31] = (byte) n;
        return d;
    }
}
