package dev.hypha.node.bom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.assets.AssetKind;
import dev.hypha.chain.assets.AssetRecord;
import dev.hypha.chain.assets.LineageEdge;
import dev.hypha.chain.deploy.AssetRegistryClient;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.compute.Lineage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Gathers a stored model's lineage for its BOM from the two places Hypha keeps it: the lineage record {@code hypha train
 * fetch} stored beside a model bought on the compute market (spec, dataset, base model, order, provider), and, when the
 * model is registered, its asset's lineage edges in AssetRegistry (each parent's kind, content id, licence and share).
 */
public final class LineageSources {
    /** Largest lineage record read (they are a few hundred bytes). */
    private static final int MAX_RECORD_BYTES = 16 * 1024;

    private LineageSources() {}

    /**
     * @param store  the home's content store (lineage records)
     * @param assets AssetRegistry, with {@code assetId} the model's registered asset; empty to leave the chain out
     */
    public static ModelLineage of(ContentStore store, ModelManifest manifest, Optional<AssetRegistryClient> assets,
                                  OptionalLong assetId) {
        List<ModelLineage.Source> sources = new ArrayList<>();
        if (assetId.isPresent()) {
            AssetRegistryClient registry = assets.orElseThrow(() -> new IllegalArgumentException("an asset id needs the registry"));
            AssetRecord model = registry.asset(assetId.getAsLong());
            if (model.kind() != AssetKind.MODEL) {
                throw HyphaException.input("asset #" + assetId.getAsLong() + " is a " + model.kind() + ", not a model");
            }
            String registered = text(model.contentId());
            boolean ours = registered.equals(manifest.cid().toString())
                    || manifest.adapter().map(a -> a.cid().toString().equals(registered)).orElse(false);
            if (!ours) {
                throw HyphaException.input("asset #" + assetId.getAsLong() + " registers content " + registered + ", not "
                        + manifest.name() + "'s " + manifest.cid() + manifest.adapter().map(a -> " or its adapter's " + a.cid())
                        .orElse(""));
            }
            for (LineageEdge edge : model.parents()) {
                AssetRecord parent = registry.asset(edge.parentId());
                ModelLineage.Role role = parent.kind() == AssetKind.DATASET ? ModelLineage.Role.DATASET
                        : ModelLineage.Role.BASE_MODEL;
                sources.add(new ModelLineage.Source(role, parent.id(), text(parent.contentId()),
                        Optional.of(parent.licence().spdx()), edge.shareBps()));
            }
        }
        Optional<ModelLineage.TrainingJob> job = Optional.empty();
        Optional<ContentId> recordId = store.ref(Lineage.REF_KIND, manifest.cid().toString());
        if (recordId.isEmpty() && manifest.adapter().isPresent()) {
            recordId = store.ref(Lineage.REF_KIND, manifest.adapter().get().cid().toString());
        }
        if (recordId.isPresent()) {
            JsonNode record = record(store, recordId.get());
            job = Optional.of(new ModelLineage.TrainingJob(field(record, "spec"), record.path("chainId").asLong(),
                    field(record, "market"), field(record, "order"), field(record, "provider")));
            String dataset = field(record, "dataset");
            if (sources.stream().noneMatch(s -> s.contentId().equals(dataset))) {
                sources.add(new ModelLineage.Source(ModelLineage.Role.DATASET, 0, dataset, Optional.empty(), 0));
            }
            if (record.hasNonNull("baseModel")) {
                String base = field(record, "baseModel");
                if (sources.stream().noneMatch(s -> s.contentId().equals(base))) {
                    sources.add(new ModelLineage.Source(ModelLineage.Role.BASE_MODEL, 0, base, Optional.empty(), 0));
                }
            }
        }
        return new ModelLineage(assetId, sources, job);
    }

    private static JsonNode record(ContentStore store, ContentId id) {
        byte[] bytes = store.get(id);
        if (bytes.length > MAX_RECORD_BYTES) throw HyphaException.input("the lineage record " + id + " is over 16 KiB");
        try {
            JsonNode n = new ObjectMapper().readTree(bytes);
            if (n == null || !"hypha-lineage-1".equals(n.path("format").asText())) {
                throw HyphaException.input("the lineage record " + id + " is not a hypha-lineage-1 record");
            }
            return n;
        } catch (IOException e) {
            throw HyphaException.input("the lineage record " + id + " is not JSON: " + e.getMessage());
        }
    }

    private static String field(JsonNode record, String name) {
        String v = record.path(name).asText("");
        if (v.isEmpty()) throw HyphaException.input("the lineage record has no '" + name + "'");
        return v;
    }

    private static String text(byte[] contentId) {
        try {
            return ContentId.fromBytes(contentId).toString();
        } catch (RuntimeException e) {
            throw HyphaException.input("a registered content id is not a CID: " + e.getMessage());
        }
    }
}
