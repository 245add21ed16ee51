package dev.hypha.node.verify.opml;

import dev.hypha.chain.opml.OpmlCommitment;
import dev.hypha.core.crypto.Address;
import dev.hypha.ml.opml.IntLm;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.EmbedCall;
import dev.hypha.node.gateway.Embeddings;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.ModelDetails;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenBudget;
import dev.hypha.node.provider.AnswerCommitter;
import dev.hypha.node.provider.ForwardingBackend;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/**
 * A provider's engine plus verifiable models ({@link IntLmModels}): requests naming one of those are answered by IntLm
 * on this machine, every other request goes to the engine behind. For each IntLm answer it signs an opML receipt
 * committing to the output and the trace root ({@link OpmlProvider}), keeps the answer's inputs in the
 * {@link OpmlAnswerLog} before the answer leaves (to defend it later), and hands the commitment to the paid routes,
 * which attach it to the payment receipt. The seed is the request's (Ollama's {@code seed}, random when absent).
 */
public final class OpmlBackend extends ForwardingBackend implements AnswerCommitter {
    /** One served verifiable model: its name, what it claims (the weight root) and the provider that runs it. */
    private record Served(String name, IntLm claimed, OpmlProvider provider) {}

    private final Map<String, Served> served = new TreeMap<>();
    private final OpmlAnswerLog log;
    private final long chainId;
    private final Address verifier;

    /**
     * @param models     the verifiable models to serve, by name ({@code intlm-SEED})
     * @param cheat      {@link OpmlCheat#NONE} except for a dev-only cheater
     * @param provider   the registered provider address the receipts name
     * @param signingKey its registered signing key (what OpmlVerifier checks receipts against)
     */
    public OpmlBackend(InferenceBackend engine, List<String> models, OpmlCheat cheat, Address provider,
            Credentials signingKey, long chainId, Address verifier, OpmlAnswerLog log) {
        super(engine);
        this.log = log;
        this.chainId = chainId;
        this.verifier = verifier;
        for (String name : models) {
            IntLm claimed = IntLmModels.parse(name);
            IntLm runs = cheat.runs(claimed);
            served.put(IntLmModels.untagged(name), new Served(IntLmModels.untagged(name), claimed,
                    new OpmlProvider(provider, signingKey, runs, claimed.weights().root(), chainId, verifier)));
        }
    }

    /** The model this backend runs for answers claiming {@code modelRoot} (what its defender recomputes traces with). */
    public Optional<IntLm> runs(byte[] modelRoot) {
        return served.values().stream().filter(s -> java.util.Arrays.equals(s.claimed().weights().root(), modelRoot))
                .map(s -> s.provider().runs()).findFirst();
    }

    /** Where the answers are kept (what the provider's {@link OpmlDefender} defends them from). */
    public OpmlAnswerLog answers() {
        return log;
    }

    /** The names of the verifiable models served. */
    public List<String> served() {
        return List.copyOf(served.keySet());
    }

    private Optional<Served> ours(String model) {
        return Optional.ofNullable(served.get(IntLmModels.untagged(model)));
    }

    @Override
    public Completion generate(GenerateCall call, TextSink sink) {
        Optional<Served> s = ours(call.model());
        if (s.isEmpty()) {
            return engine.generate(call, sink);
        }
        long start = System.nanoTime();
        byte[] prompt = IntLmText.prompt(call.prompt());
        TokenBudget budget = budget(call);
        sink.starting(budget);
        byte[] output = s.get().provider().runs().generate(prompt, budget.maxNewTokens(), call.sampling().seed());
        String text = IntLmText.text(output);
        sink.accept(text);
        long took = System.nanoTime() - start;
        return new Completion(text, Completion.DoneReason.LENGTH, prompt.length, output.length, 0, 0, took, took);
    }

    @Override
    public Optional<OpmlCommitment> commit(GenerateCall call, Completion answer, byte[] requestHash) {
        Optional<Served> s = ours(call.model());
        if (s.isEmpty()) {
            return Optional.empty();
        }
        byte[] prompt = IntLmText.prompt(call.prompt());
        byte[] output = IntLmText.tokens(answer.text());
        long seed = call.sampling().seed();
        OpmlAnswer a = s.get().provider().answerWith(prompt, output, seed, requestHash);
        log.keep(a.receipt().digest(chainId, verifier), new OpmlAnswerLog.Kept(prompt, output, seed, requestHash));
        return Optional.of(new OpmlCommitment(a.receipt(), a.signature(), prompt, output));
    }

    @Override
    public TokenBudget budget(GenerateCall call) {
        if (ours(call.model()).isEmpty()) {
            return engine.budget(call);
        }
        byte[] prompt = IntLmText.prompt(call.prompt());
        int most = IntLm.MAX_POSITIONS + 1 - prompt.length;
        if (prompt.length < 1 || most < 1) {
            throw GatewayException.badRequest("a verifiable (IntLm) model reads 1 to " + IntLm.MAX_POSITIONS
                    + " prompt bytes, got " + prompt.length);
        }
        int max = call.maxTokens() == GenerateCall.UNLIMITED ? most : Math.min(most, call.maxTokens());
        return new TokenBudget(prompt.length, max);
    }

    @Override
    public List<ModelInfo> models() {
        List<ModelInfo> all = new ArrayList<>(engine.models());
        served.values().forEach(s -> all.add(info(s)));
        all.sort(Comparator.comparing(ModelInfo::name));
        return List.copyOf(all);
    }

    @Override
    public ModelDetails show(String model, boolean verbose) {
        Optional<Served> s = ours(model);
        return s.isEmpty() ? engine.show(model, verbose)
                : new ModelDetails(info(s.get()), Map.of(), "", List.of("completion"));
    }

    @Override
    public ModelInfo info(String model) {
        Optional<Served> s = ours(model);
        return s.isEmpty() ? engine.info(model) : info(s.get());
    }

    @Override
    public long load(String model, KeepAlive keepAlive) {
        return ours(model).isEmpty() ? engine.load(model, keepAlive) : 0;
    }

    @Override
    public Embeddings embed(EmbedCall call) {
        if (ours(call.model()).isPresent()) {
            throw GatewayException.badRequest("verifiable (IntLm) models do not embed");
        }
        return engine.embed(call);
    }

    /** Named by its weight root (the id receipts and disputes use); context = the longest verifiable generation. */
    private static ModelInfo info(Served s) {
        long weights = 2L * IntLm.V * IntLm.D + 2L * IntLm.L * IntLm.D * IntLm.F; // EMB, HEAD; W1, W2 per block
        return new ModelInfo(s.name(), Numeric.toHexStringNoPrefix(s.claimed().weights().root()), weights,
                Instant.EPOCH, "intlm", weights, "int8", IntLm.MAX_POSITIONS + 1);
    }
}
