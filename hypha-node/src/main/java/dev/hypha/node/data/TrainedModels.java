package dev.hypha.node.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.assets.AssetKind;
import dev.hypha.chain.assets.Licence;
import dev.hypha.chain.assets.LineageEdge;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.compute.Job;
import dev.hypha.node.compute.JobLimits;
import dev.hypha.node.compute.JobSpecs;
import dev.hypha.node.compute.TenantJobs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Registers a model fetched from the compute market ({@code hypha train fetch --register}) on AssetRegistry with its
 * lineage: the sealed dataset it was trained on (a fine-tune's {@code data_asset}, read from the job's spec through the
 * fetched lineage record) earns {@code dataShareBps} of the model's revenue, plus any parents the caller names (a base
 * model registered as an asset, say). Decision: registration is asked for ({@code --register}), not automatic, since it
 * costs gas and the licence is the tenant's choice.
 */
public final class TrainedModels {
    private TrainedModels() {}

    /** What was registered. */
    public record Registered(long assetId, List<LineageEdge> parents) {}

    /** The lineage edges the job behind {@code fetched} implies: its sealed dataset at {@code dataShareBps}. */
    public static List<LineageEdge> impliedParents(ContentStore tenantStore, TenantJobs.Fetched fetched, int dataShareBps) {
        JsonNode lineage;
        try {
            lineage = new ObjectMapper().readTree(tenantStore.get(fetched.lineage()));
        } catch (IOException e) {
            throw HyphaException.input("the lineage record " + fetched.lineage() + " is not JSON");
        }
        ContentId specId;
        try {
            specId = ContentId.parse(lineage.path("spec").asText());
        } catch (RuntimeException e) {
            throw HyphaException.input("the lineage record " + fetched.lineage() + " names no spec");
        }
        Job job = JobSpecs.read(specId.toString(), tenantStore.get(specId), JobLimits.DEFAULT);
        List<LineageEdge> parents = new ArrayList<>();
        if (job instanceof Job.Finetune f && f.spec().dataAsset() > 0) {
            parents.add(new LineageEdge(f.spec().dataAsset(), dataShareBps));
        } else if (job instanceof Job.Train t && t.spec().dataAsset() > 0) { // a classifier trained on sealed data
            parents.add(new LineageEdge(t.spec().dataAsset(), dataShareBps));
        }
        return parents;
    }

    /** Registers the fetched model (kind model, its content id) with the implied parents and {@code more}. */
    public static Registered register(HyphaContracts contracts, ContentStore tenantStore, TenantJobs.Fetched fetched,
                                      Licence licence, int dataShareBps, List<LineageEdge> more) {
        Objects.requireNonNull(licence, "licence");
        List<LineageEdge> parents = new ArrayList<>(impliedParents(tenantStore, fetched, dataShareBps));
        for (LineageEdge e : more) {
            if (parents.stream().noneMatch(p -> p.parentId() == e.parentId())) parents.add(e);
        }
        long id = contracts.assets().register(AssetKind.MODEL, fetched.model().bytes(), new byte[0], licence, parents);
        return new Registered(id, List.copyOf(parents));
    }
}
