package dev.hypha.node.gateway.local;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufValue;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.tokenizer.FimTokens;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.ModelDetails;
import dev.hypha.node.gateway.ModelInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The store's models in the backend's terms: names to manifests, manifests to {@link ModelInfo}, files to details. */
final class StoreCatalog {
    /** Arrays longer than this (vocabularies, merges) are left out of details unless asked for, as Ollama does. */
    private static final int SHORT_ARRAY = 64;

    private final ModelStore store;

    StoreCatalog(ModelStore store) {
        this.store = store;
    }

    List<ModelInfo> list() {
        return store.list().models().stream().map(StoreCatalog::info).toList();
    }

    /** The manifest of {@code model}, NOT_FOUND when the store does not have it (or the name cannot exist). */
    ModelManifest manifest(String model) {
        ModelName name = name(model);
        return store.find(name).orElseThrow(() -> GatewayException.modelNotFound(model));
    }

    static ModelName name(String model) {
        try {
            return ModelName.parse(model);
        } catch (HyphaException | IllegalArgumentException e) {
            // A name that cannot be stored names no model; Ollama answers such names with 404 too.
            throw GatewayException.modelNotFound(model);
        }
    }

    ModelDetails details(String model, boolean verbose) {
        ModelManifest manifest = manifest(model);
        try (GgufFile gguf = GgufFile.open(store.resolve(manifest.name()))) {
            Map<String, Object> metadata = new LinkedHashMap<>();
            for (Map.Entry<String, GgufValue> e : gguf.metadata().entrySet()) {
                if (e.getKey().equals("tokenizer.chat_template")) {
                    continue; // shown as the template
                }
                metadata.put(e.getKey(), plain(e.getValue(), verbose));
            }
            String template = gguf.string("tokenizer.chat_template").orElse("");
            return new ModelDetails(info(manifest), metadata, template, capabilities(template,
                    FimTokens.of(gguf).isPresent()));
        } catch (HyphaException e) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, "cannot read model \"" + model + "\": "
                    + e.getMessage(), e);
        }
    }

    /**
     * What the model can do in Ollama's words; tools and thinking as its chat template allows (Ollama's rules), insert
     * (a {@code suffix}) when it has fill-in-the-middle tokens.
     */
    private static List<String> capabilities(String template, boolean fillsInTheMiddle) {
        List<String> caps = new ArrayList<>(List.of("completion", "embedding"));
        if (fillsInTheMiddle) {
            caps.add("insert");
        }
        ChatTemplate t = ChatTemplate.of(template, "", "");
        if (!template.isEmpty() && t.supportsTools()) {
            caps.add("tools");
        }
        if (!template.isEmpty() && t.supportsThinking()) {
            caps.add("thinking");
        }
        return caps;
    }

    /**
     * A base plus a LoRA adapter is named by the adapter's content id: it is another model than its base (offers, receipts
     * and royalties must tell them apart, so a fine-tune's revenue reaches its own lineage, whose parent the base is).
     */
    static ModelInfo info(ModelManifest m) {
        String id = m.adapter().map(a -> a.cid().toString()).orElse(m.cid().toString());
        return new ModelInfo(m.name().toString(), id, m.size(), m.created(), m.summary().architecture(),
                m.summary().parameterCount(), m.summary().quantization(), m.summary().contextLength());
    }

    private static Object plain(GgufValue v, boolean verbose) {
        return switch (v) {
            case GgufValue.UInt8 x -> x.value();
            case GgufValue.Int8 x -> x.value();
            case GgufValue.UInt16 x -> x.value();
            case GgufValue.Int16 x -> x.value();
            case GgufValue.UInt32 x -> x.value();
            case GgufValue.Int32 x -> x.value();
            case GgufValue.UInt64 x -> Long.toUnsignedString(x.value());
            case GgufValue.Int64 x -> x.value();
            case GgufValue.Float32 x -> x.value();
            case GgufValue.Float64 x -> x.value();
            case GgufValue.Bool x -> x.value();
            case GgufValue.Str x -> x.value();
            case GgufValue.Array a -> {
                if (!verbose && a.elements().size() > SHORT_ARRAY) {
                    yield List.of();
                }
                List<Object> out = new ArrayList<>(a.elements().size());
                for (GgufValue e : a.elements()) {
                    out.add(plain(e, verbose));
                }
                yield out;
            }
        };
    }
}
