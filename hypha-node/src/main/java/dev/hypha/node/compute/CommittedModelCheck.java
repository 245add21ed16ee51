package dev.hypha.node.compute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.compute.StateCommitment;
import dev.hypha.chain.deploy.TrainingVerifierClient;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufFormatException;
import dev.hypha.ml.gguf.GgufTensor;
import dev.hypha.ml.gguf.GgufValue;
import dev.hypha.ml.llm.LoraAdapter;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.tensor.TensorCodec;
import dev.hypha.ml.train.LoraSettings;
import dev.hypha.ml.train.LoraWeights;
import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.run.Checkpoints;
import dev.hypha.ml.train.run.LoraFinetune;
import dev.hypha.ml.train.run.ModelFile;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.verify.StateLeaves;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A tenant's check that a fetched model is what the provider committed last: the provider's final state (weights and
 * optimizer state, served with its checkpoints at {@code /compute/jobs/{order}/checkpoints}, fetched by content id) must
 * hash to the root of its last commitment on TrainingVerifier, at the job's last step, and the model's weights must be
 * that state's: a classifier's layers, or a LoRA adapter's A and B of each pair in file order (a fine-tune's state is
 * those, then their AdamW moments). Otherwise verifiers checked one model and the tenant would be handed another.
 */
public final class CommittedModelCheck {
    /** Largest checkpoint list read (a few dozen entries in practice). */
    private static final int MAX_LIST_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainingVerifierClient verifier;
    private final HttpClient http;

    public CommittedModelCheck(TrainingVerifierClient verifier, HttpClient http) {
        this.verifier = verifier;
        this.http = http;
    }

    /**
     * Refuses {@code model} (of the job whose spec is {@code spec}) unless it is the final state the provider of order
     * {@code orderId}, serving at {@code endpoint}, committed last; {@code maxStateBytes} bounds the state fetched.
     */
    public void check(BigInteger orderId, ContentId spec, ModelFile.Contents model, URI endpoint, long maxStateBytes) {
        check(orderId, spec, model.step(), model.network().parameters().stream().map(Tensor::data).toList(),
                (id, bytes) -> RunState.fromCheckpoint(ModelFile.decode(id, bytes)), endpoint, maxStateBytes);
    }

    /**
     * Refuses the LoRA adapter {@code adapterGguf} (of the fine-tune whose spec is {@code spec}, trained with
     * {@code options}) unless it is the adapter those settings write, holding exactly the A and B matrices of the final
     * state the provider of order {@code orderId} committed last: the spec's alpha, its rank, and each pair under the
     * weight it was trained for, in training order (a right state under another alpha, or pairs renamed onto other
     * weights, would answer differently from the model the verifiers checked).
     */
    public void checkAdapter(BigInteger orderId, ContentId spec, LoraFinetune.Options options, byte[] adapterGguf,
                             URI endpoint, long maxStateBytes) {
        LoraSettings lora = options.lora();
        List<float[]> weights = new java.util.ArrayList<>();
        try {
            GgufFile gguf = GgufFile.parse(adapterGguf, "the adapter of order " + orderId);
            if (!(gguf.value(LoraAdapter.ALPHA).orElse(null) instanceof GgufValue.Float32 alpha)
                    || Float.floatToRawIntBits(alpha.value()) != Float.floatToRawIntBits(lora.alpha())) {
                throw refused(orderId, "the adapter's " + LoraAdapter.ALPHA + " is " + gguf.value(LoraAdapter.ALPHA)
                        .map(v -> v instanceof GgufValue.Float32 f ? Float.toString(f.value()) : v.toString())
                        .orElse("absent") + ", not the spec's " + lora.alpha());
            }
            List<GgufTensor> tensors = gguf.tensors();
            int perLayer = lora.targets().size();
            if (tensors.size() % (2 * perLayer) != 0) {
                throw refused(orderId, "the adapter holds " + tensors.size() + " tensors, not an A and a B for each of the "
                        + perLayer + " targets of every layer");
            }
            List<String> expected = LoraWeights.pairNames(tensors.size() / (2 * perLayer), lora);
            for (int i = 0; i < tensors.size(); i++) {
                GgufTensor t = tensors.get(i);
                boolean isA = i % 2 == 0;
                String name = expected.get(i / 2) + (isA ? LoraAdapter.SUFFIX_A : LoraAdapter.SUFFIX_B);
                if (!t.name().equals(name)) {
                    throw refused(orderId, "adapter tensor " + i + " is " + t.name() + ", where training writes " + name);
                }
                if (t.type() != GgmlType.F32) {
                    throw refused(orderId, "adapter tensor " + t.name() + " is " + t.type() + ", not F32 as trained");
                }
                // GGUF order: A is [in, rank], B is [rank, out].
                if (t.shape().length != 2 || t.shape()[isA ? 1 : 0] != lora.rank()) {
                    throw refused(orderId, "adapter tensor " + t.name() + " has shape " + Arrays.toString(t.shape())
                            + ", not rank " + lora.rank());
                }
                weights.add(TensorCodec.dequantize(GgmlType.F32, t.data(), Math.toIntExact(t.elementCount())));
            }
        } catch (GgufFormatException | ArithmeticException | IllegalArgumentException e) {
            throw refused(orderId, "the adapter is not a readable GGUF: " + e.getMessage());
        }
        // A fine-tune's state: the adapter's arrays, then AdamW's two moments of each (in LoraTraining's order).
        int[] params = weights.stream().mapToInt(a -> a.length).toArray();
        int[] moments = new int[params.length * 2];
        for (int i = 0; i < params.length; i++) {
            moments[2 * i] = params[i];
            moments[2 * i + 1] = params[i];
        }
        Checkpoints.Shape shape = new Checkpoints.Shape(params, moments);
        check(orderId, spec, options.steps(), weights, (id, bytes) -> Checkpoints.state(id, bytes, shape), endpoint,
                maxStateBytes);
    }

    private void check(BigInteger orderId, ContentId spec, long modelStep, List<float[]> weights,
                       java.util.function.BiFunction<String, byte[], RunState> decode, URI endpoint, long maxStateBytes) {
        long n = verifier.commitmentCount(orderId);
        if (n == 0) {
            throw refused(orderId, "its provider committed no training-state root on TrainingVerifier, so nobody could "
                    + "verify the work");
        }
        StateCommitment last = verifier.commitment(orderId, n - 1);
        if (last.step() != modelStep) {
            throw refused(orderId, "the provider's last committed state root is at step " + last.step() + ", the model is at "
                    + "step " + modelStep);
        }
        ContentId stateId = finalStateId(orderId, endpoint, last.step());
        byte[] bytes = new ContentFetcher(http, List.of(endpoint)).fetch(stateId, maxStateBytes);
        RunState state;
        try {
            state = decode.apply(stateId.toString(), bytes);
        } catch (IllegalArgumentException e) {
            throw refused(orderId, "the final state " + stateId + " the provider serves is not a state of this model: "
                    + e.getMessage());
        }
        byte[] root = StateLeaves.tree(spec.multihash().digest(), state).root();
        if (state.step() != last.step() || !Arrays.equals(root, last.root())) {
            throw refused(orderId, "the final state " + stateId + " the provider serves hashes to " + Hex.encode(root)
                    + " at step " + state.step() + ", not the root " + Hex.encode(last.root()) + " it committed at step "
                    + last.step());
        }
        List<float[]> committed = state.parametersView();
        boolean same = weights.size() == committed.size();
        for (int i = 0; same && i < weights.size(); i++) {
            // Bit patterns, not float equality: -0.0 and NaN payloads count, as in the root.
            float[] a = weights.get(i);
            float[] b = committed.get(i);
            same = a.length == b.length;
            for (int j = 0; same && j < a.length; j++) {
                same = Float.floatToRawIntBits(a[j]) == Float.floatToRawIntBits(b[j]);
            }
        }
        if (!same) {
            throw refused(orderId, "the model's weights are not those of the final state whose root the provider committed "
                    + "at step " + last.step());
        }
    }

    private ContentId finalStateId(BigInteger orderId, URI endpoint, long step) {
        URI uri = endpoint.resolve("/compute/jobs/" + orderId + "/checkpoints");
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readNBytes(MAX_LIST_BYTES + 1);
            }
            if (r.statusCode() != 200 || body.length > MAX_LIST_BYTES) {
                throw refused(orderId, "its provider does not serve its committed states at " + uri + " (HTTP "
                        + r.statusCode() + (body.length > MAX_LIST_BYTES ? ", over " + MAX_LIST_BYTES + " bytes" : "") + ")");
            }
            for (JsonNode c : JSON.readTree(body).path("checkpoints")) {
                if (c.path("step").asLong(-1) == step) {
                    return ContentId.parse(c.path("cid").asText());
                }
            }
            throw refused(orderId, "its provider does not list its final state (step " + step + ") at " + uri);
        } catch (IOException | IllegalArgumentException e) {
            throw new HyphaException(ErrorCategory.NETWORK, "order " + orderId + ": cannot read the provider's committed states "
                    + "at " + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.NETWORK, "interrupted while reading " + uri, e);
        }
    }

    private static HyphaException refused(BigInteger orderId, String why) {
        return HyphaException.input("refusing the model of order " + orderId + ": " + why);
    }
}
