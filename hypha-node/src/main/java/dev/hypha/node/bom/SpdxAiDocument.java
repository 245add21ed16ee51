package dev.hypha.node.bom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.ml.store.ModelManifest;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * An SPDX 3.0.1 document (JSON-LD) describing one stored model with the AI profile: an {@code ai_AIPackage} (name,
 * version, SHA-256, release time, supplier, primary purpose {@code model}, Hypha's content id as an external
 * identifier, architecture, parameter count, format and quantization in its summary, the architecture as {@code
 * ai_typeOfModel}), the two licence relationships the AI profile requires (declared and concluded; NOASSERTION when no
 * licence was given), and for a model with an adapter a {@code software_File} it {@code contains}.
 *
 * <p>Lineage, in SPDX 3's own terms: each dataset is a {@code dataset_DatasetPackage} the model is {@code trainedOn}; a
 * base model is an {@code ai_AIPackage} that is {@code ancestorOf} the model; the training job is a {@code build_Build}
 * (Build profile; build id = chain, market and order) that {@code hasInput} the datasets and base model and {@code
 * hasOutput} the model. A source's licence is its declared licence.
 *
 * <p>Written as a Jackson tree rather than through SPDX's Java library: the library brings its own model store and a
 * newer Jackson than this project's, for a document of a dozen elements; the official SPDX 3.0.1 JSON schema checks the
 * output in the tests.
 */
public final class SpdxAiDocument {
    public static final String CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";
    /** SPDX's individual for "no assertion" where a licence is expected. */
    static final String NO_ASSERTION_LICENSE = "https://spdx.org/rdf/3.0.1/terms/Licensing/NoAssertion";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SpdxAiDocument() {}

    /** The document as JSON-LD. */
    public static String json(ModelDescription model) {
        try {
            return JSON.writeValueAsString(document(model));
        } catch (IOException e) {
            throw new IllegalStateException("writing a JSON tree to memory never fails", e);
        }
    }

    static ObjectNode document(ModelDescription model) {
        ModelManifest m = model.manifest();
        String base = "urn:hypha:model:" + m.cid() + ":";
        String created = DateTimeFormatter.ISO_INSTANT.format(m.created().truncatedTo(ChronoUnit.SECONDS));
        ObjectNode root = JSON.createObjectNode();
        root.put("@context", CONTEXT);
        ArrayNode graph = root.putArray("@graph");

        String tool = base + "tool";
        ObjectNode creation = graph.addObject();
        creation.put("type", "CreationInfo");
        creation.put("@id", "_:creationinfo");
        creation.put("specVersion", "3.0.1");
        creation.put("created", created);
        creation.putArray("createdBy").add(tool);
        element(graph, "SoftwareAgent", tool).put("name", "hypha");

        String supplier = base + "supplier";
        element(graph, "Organization", supplier).put("name", model.supplier().orElse("NOASSERTION"));

        String pkg = base + "package";
        ObjectNode ai = element(graph, "ai_AIPackage", pkg);
        ai.put("name", m.name().name());
        ai.put("software_packageVersion", m.name().tag());
        ai.put("software_downloadLocation", "https://ipfs.io/ipfs/" + m.cid());
        ai.put("software_primaryPurpose", "model");
        ai.put("releaseTime", created);
        ai.put("suppliedBy", supplier);
        ai.put("summary", m.summary().architecture() + " model, " + m.summary().parameterCount() + " parameters, "
                + m.format() + " " + m.summary().quantization() + ", context " + m.summary().contextLength());
        ai.putArray("ai_typeOfModel").add(m.summary().architecture());
        ObjectNode hash = ai.putArray("verifiedUsing").addObject();
        hash.put("type", "Hash");
        hash.put("algorithm", "sha256");
        hash.put("hashValue", model.sha256());
        ObjectNode cid = ai.putArray("externalIdentifier").addObject();
        cid.put("type", "ExternalIdentifier");
        cid.put("externalIdentifierType", "other");
        cid.put("identifier", m.cid().toString());
        cid.put("issuingAuthority", "IPFS CIDv1 (unixfs-v1-2025)");

        String license = NO_ASSERTION_LICENSE;
        if (model.license().isPresent()) {
            license = base + "license";
            element(graph, "simplelicensing_LicenseExpression", license)
                    .put("simplelicensing_licenseExpression", model.license().get());
        }
        relationship(graph, base + "declared-license", pkg, "hasDeclaredLicense", license);
        relationship(graph, base + "concluded-license", pkg, "hasConcludedLicense", license);

        ArrayNode elements = JSON.createArrayNode().add(tool).add(supplier).add(pkg);
        if (model.license().isPresent()) elements.add(license);
        elements.add(base + "declared-license").add(base + "concluded-license");
        m.adapter().ifPresent(a -> {
            String file = base + "adapter";
            ObjectNode adapter = element(graph, "software_File", file);
            adapter.put("name", a.sourceFile());
            adapter.put("software_primaryPurpose", "data");
            adapter.put("comment", "LoRA adapter applied to the weights; IPFS content id " + a.cid());
            relationship(graph, base + "contains-adapter", pkg, "contains", file);
            elements.add(file).add(base + "contains-adapter");
        });

        boolean build = lineage(graph, elements, model, base, pkg, created);

        ObjectNode document = element(graph, "SpdxDocument", base + "document");
        document.put("name", "SPDX AI BOM of " + m.name());
        document.put("dataLicense", "https://spdx.org/licenses/CC0-1.0");
        ArrayNode profiles = document.putArray("profileConformance").add("core").add("software").add("ai").add("simpleLicensing");
        if (!model.lineage().datasets().isEmpty()) profiles.add("dataset");
        if (build) profiles.add("build");
        document.putArray("rootElement").add(pkg);
        document.set("element", elements);
        return root;
    }

    /** Adds the lineage elements and relationships; true when a training job (the Build profile) was written. */
    private static boolean lineage(ArrayNode graph, ArrayNode elements, ModelDescription model, String base, String pkg,
                                   String created) {
        ModelLineage lineage = model.lineage();
        List<String> inputs = new ArrayList<>();
        int n = 0;
        for (ModelLineage.Source s : lineage.sources()) {
            String id = base + "source-" + n++;
            boolean dataset = s.role() == ModelLineage.Role.DATASET;
            ObjectNode node = element(graph, dataset ? "dataset_DatasetPackage" : "ai_AIPackage", id);
            node.put("name", s.name());
            node.put("software_downloadLocation", "https://ipfs.io/ipfs/" + s.contentId());
            node.put("software_primaryPurpose", dataset ? "data" : "model");
            node.put("releaseTime", created);
            node.put("suppliedBy", base + "supplier");
            if (dataset) {
                node.putArray("dataset_datasetType").add("noAssertion");
                node.put("builtTime", created);
                node.putArray("originatedBy").add(base + "supplier");
            }
            ObjectNode cid = node.putArray("externalIdentifier").addObject();
            cid.put("type", "ExternalIdentifier");
            cid.put("externalIdentifierType", "other");
            cid.put("identifier", s.contentId());
            cid.put("issuingAuthority", "IPFS CIDv1 (unixfs-v1-2025)");
            if (s.assetId() > 0) {
                ObjectNode asset = node.withArray("externalIdentifier").addObject();
                asset.put("type", "ExternalIdentifier");
                asset.put("externalIdentifierType", "other");
                asset.put("identifier", Long.toString(s.assetId()));
                asset.put("issuingAuthority", "Hypha AssetRegistry asset id");
            }
            if (s.shareBps() > 0) node.put("comment", "earns " + s.shareBps() + " basis points of the model's revenue (lineage edge)");
            elements.add(id);
            if (s.licence().isPresent()) {
                String licence = id + "-license";
                element(graph, "simplelicensing_LicenseExpression", licence)
                        .put("simplelicensing_licenseExpression", s.licence().get());
                relationship(graph, id + "-declared-license", id, "hasDeclaredLicense", licence);
                elements.add(licence).add(id + "-declared-license");
            }
            String rel = id + (dataset ? "-trained-on" : "-ancestor-of");
            if (dataset) {
                relationship(graph, rel, pkg, "trainedOn", id);
            } else {
                relationship(graph, rel, id, "ancestorOf", pkg);
            }
            elements.add(rel);
            inputs.add(id);
        }
        lineage.assetId().ifPresent(id -> {
            for (JsonNode node : graph) {
                if (node.path("spdxId").asText().equals(pkg)) {
                    ObjectNode asset = ((ObjectNode) node).withArray("externalIdentifier").addObject();
                    asset.put("type", "ExternalIdentifier");
                    asset.put("externalIdentifierType", "other");
                    asset.put("identifier", Long.toString(id));
                    asset.put("issuingAuthority", "Hypha AssetRegistry asset id");
                }
            }
        });
        if (lineage.job().isEmpty()) return false;
        ModelLineage.TrainingJob job = lineage.job().get();
        String build = base + "training-job";
        ObjectNode b = element(graph, "build_Build", build);
        b.put("build_buildType", "https://hypha.dev/spdx/build/compute-market-training/v1");
        b.put("build_buildId", job.uid());
        b.put("comment", "spec " + job.spec() + ", leased by provider " + job.provider());
        b.putArray("build_configSourceUri").add("ipfs://" + job.spec());
        elements.add(build);
        if (!inputs.isEmpty()) {
            ObjectNode r = element(graph, "Relationship", build + "-inputs");
            r.put("from", build);
            r.put("relationshipType", "hasInput");
            ArrayNode to = r.putArray("to");
            inputs.forEach(to::add);
            elements.add(build + "-inputs");
        }
        relationship(graph, build + "-output", build, "hasOutput", pkg);
        elements.add(build + "-output");
        return true;
    }

    private static ObjectNode element(ArrayNode graph, String type, String id) {
        ObjectNode node = graph.addObject();
        node.put("type", type);
        node.put("spdxId", id);
        node.put("creationInfo", "_:creationinfo");
        return node;
    }

    private static void relationship(ArrayNode graph, String id, String from, String type, String to) {
        ObjectNode r = element(graph, "Relationship", id);
        r.put("from", from);
        r.put("relationshipType", type);
        r.putArray("to").add(to);
    }
}
