package dev.hypha.node.bom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelSummary;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ML-BOM exports validate against the official schemas: CycloneDX 1.6 (bundled with CycloneDX's Java library and
 * checked by its parser) and SPDX 3.0.1 (the JSON schema SPDX ships in its spdx-v3jsonld-store artifact), for a model
 * with and without an adapter, with and without a licence; and a document broken on purpose fails, so the checks bite.
 */
class ModelBomTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Schema spdxSchema;

    private static final ModelManifest BASE = new ModelManifest(ModelName.parse("hypha-tiny:latest"),
            ContentIds.of("weights".getBytes(StandardCharsets.UTF_8)), 3_025_120L, ModelManifest.FORMAT_GGUF,
            new ModelSummary("llama", 1_234_567L, "Q8_0", Map.of("Q8_0", 10, "F32", 3), 512L),
            Instant.parse("2026-12-07T05:00:00.123Z"), "hypha-tiny.gguf");
    private static final ModelManifest WITH_ADAPTER = new ModelManifest(ModelName.parse("tiny-chat:v2"), BASE.cid(),
            BASE.size(), BASE.format(), BASE.summary(), BASE.created(), BASE.sourceFile(),
            Optional.of(new ModelManifest.AdapterRef(ContentIds.of("lora".getBytes(StandardCharsets.UTF_8)), 4, "chat-lora.gguf")));

    @BeforeAll
    static void loadSpdxSchema() throws Exception {
        try (InputStream in = ModelBomTest.class.getResourceAsStream("/resources/schema-v3.0.1.json")) {
            assertThat(in).as("SPDX's official 3.0.1 schema, from org.spdx:spdx-v3jsonld-store").isNotNull();
            spdxSchema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        }
    }

    private static List<ModelDescription> models() {
        String sha = "ab".repeat(32);
        return List.of(new ModelDescription(BASE, sha, Optional.of("Apache-2.0"), Optional.of("Hypha Labs")),
                new ModelDescription(WITH_ADAPTER, sha, Optional.empty(), Optional.empty()),
                new ModelDescription(BASE, sha, Optional.of("MIT OR Apache-2.0"), Optional.of("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")));
    }

    private static final ModelLineage LINEAGE = new ModelLineage(OptionalLong.of(9), List.of(
            new ModelLineage.Source(ModelLineage.Role.DATASET, 3, ContentIds.of("data".getBytes(StandardCharsets.UTF_8)).toString(),
                    Optional.of("CC-BY-4.0"), 3000),
            new ModelLineage.Source(ModelLineage.Role.DATASET, 0, ContentIds.of("d2".getBytes(StandardCharsets.UTF_8)).toString(),
                    Optional.empty(), 0),
            new ModelLineage.Source(ModelLineage.Role.BASE_MODEL, 1, ContentIds.of("base".getBytes(StandardCharsets.UTF_8)).toString(),
                    Optional.of("Apache-2.0"), 1000)),
            Optional.of(new ModelLineage.TrainingJob(ContentIds.of("spec".getBytes(StandardCharsets.UTF_8)).toString(), 31337,
                    "0x5FbDB2315678afecb367f032d93F642f64180aa3", "7", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")));

    /**
     * A model with its lineage: CycloneDX names the datasets in the model card and as data components the model
     * depends on, the base model as a pedigree ancestor and the job as a formulation workflow; SPDX relates the model
     * to its datasets by trainedOn, the base model by ancestorOf and the job as a Build with inputs and output; both
     * still validate.
     */
    @Test
    void lineageIsWrittenInEachStandardsOwnFieldsAndValidates() throws Exception {
        ModelDescription model = new ModelDescription(BASE, "ab".repeat(32), Optional.of("Apache-2.0"), Optional.empty(), LINEAGE);
        String cdx = CycloneDxModelBom.json(model);
        assertThat(new JsonParser().validate(cdx.getBytes(StandardCharsets.UTF_8), Version.VERSION_16)).as(cdx).isEmpty();
        JsonNode bom = JSON.readTree(cdx);
        JsonNode datasets = bom.at("/components/0/modelCard/modelParameters/datasets");
        assertThat(datasets).hasSize(2);
        assertThat(datasets.get(0).path("ref").asText()).isEqualTo("hypha:dataset:asset-3");
        assertThat(bom.at("/components/1/type").asText()).isEqualTo("data");
        assertThat(bom.at("/components/1/bom-ref").asText()).isEqualTo("hypha:dataset:asset-3");
        assertThat(bom.at("/components/1/licenses/0/expression").asText()).isEqualTo("CC-BY-4.0");
        assertThat(bom.at("/components/0/pedigree/ancestors/0/type").asText()).isEqualTo("machine-learning-model");
        assertThat(bom.at("/components/0/pedigree/ancestors/0/bom-ref").asText()).isEqualTo("hypha:model:asset-1");
        assertThat(bom.at("/dependencies/0/dependsOn").toString()).contains("hypha:dataset:asset-3");
        JsonNode workflow = bom.at("/formulation/0/workflows/0");
        assertThat(workflow.path("uid").asText()).isEqualTo("eip155:31337:0x5FbDB2315678afecb367f032d93F642f64180aa3:order-7");
        assertThat(workflow.path("inputs")).hasSize(3);
        assertThat(workflow.at("/outputs/0/resource/ref").asText()).isEqualTo(BASE.cid().toString());
        assertThat(CycloneDxModelBom.json(model)).as("deterministic").isEqualTo(cdx);

        String spdx = SpdxAiDocument.json(model);
        JsonNode document = JSON.readTree(spdx);
        assertThat(spdxSchema.validate(document)).as(spdx).isEmpty();
        String pkg = find(document, "ai_AIPackage").path("spdxId").asText();
        List<String> relations = new java.util.ArrayList<>();
        for (JsonNode node : document.path("@graph")) {
            if (node.path("type").asText().equals("Relationship")) {
                relations.add(node.path("from").asText().replace(pkg, "MODEL") + " " + node.path("relationshipType").asText()
                        + " " + node.path("to").toString().replace(pkg, "MODEL"));
            }
        }
        assertThat(relations).anyMatch(r -> r.startsWith("MODEL trainedOn") && r.contains("source-0"))
                .anyMatch(r -> r.startsWith("MODEL trainedOn") && r.contains("source-1"))
                .anyMatch(r -> r.contains("source-2 ancestorOf") && r.endsWith("[\"MODEL\"]"))
                .anyMatch(r -> r.contains("training-job hasInput"))
                .anyMatch(r -> r.contains("training-job hasOutput [\"MODEL\"]"));
        assertThat(find(document, "dataset_DatasetPackage").path("name").asText()).isEqualTo("dataset #3");
        assertThat(find(document, "build_Build").path("build_buildId").asText()).endsWith(":order-7");
        assertThat(SpdxAiDocument.json(model)).as("deterministic").isEqualTo(spdx);
    }

    @Test
    void cycloneDxMlBomsValidateAgainstTheOfficialSchema() throws Exception {
        for (ModelDescription model : models()) {
            String json = CycloneDxModelBom.json(model);
            assertThat(new JsonParser().validate(json.getBytes(StandardCharsets.UTF_8), Version.VERSION_16))
                    .as(json).isEmpty();
            JsonNode bom = JSON.readTree(json);
            JsonNode component = bom.at("/components/0");
            assertThat(component.path("type").asText()).isEqualTo("machine-learning-model");
            assertThat(component.at("/hashes/0/content").asText()).isEqualTo(model.sha256());
            assertThat(component.at("/modelCard/modelParameters/architectureFamily").asText()).isEqualTo("llama");
            assertThat(bom.path("specVersion").asText()).isEqualTo("1.6");
            assertThat(CycloneDxModelBom.json(model)).as("deterministic").isEqualTo(json);
        }
        ObjectNode broken = (ObjectNode) JSON.readTree(CycloneDxModelBom.json(models().getFirst()));
        ((ObjectNode) broken.at("/components/0")).put("type", "spaceship");
        assertThat(new JsonParser().validate(JSON.writeValueAsBytes(broken), Version.VERSION_16)).isNotEmpty();
    }

    @Test
    void spdxAiDocumentsValidateAgainstTheOfficialSchema() throws Exception {
        for (ModelDescription model : models()) {
            String json = SpdxAiDocument.json(model);
            JsonNode document = JSON.readTree(json);
            assertThat(spdxSchema.validate(document)).as(json).isEmpty();
            JsonNode ai = find(document, "ai_AIPackage");
            assertThat(ai.path("software_primaryPurpose").asText()).isEqualTo("model");
            assertThat(ai.at("/verifiedUsing/0/hashValue").asText()).isEqualTo(model.sha256());
            long licences = 0;
            for (JsonNode node : document.path("@graph")) {
                String type = node.path("relationshipType").asText();
                if (type.equals("hasDeclaredLicense") || type.equals("hasConcludedLicense")) licences++;
            }
            assertThat(licences).as("the AI profile's one declared and one concluded licence").isEqualTo(2);
            assertThat(SpdxAiDocument.json(model)).as("deterministic").isEqualTo(json);
        }
        ObjectNode broken = (ObjectNode) JSON.readTree(SpdxAiDocument.json(models().getFirst()));
        ((ObjectNode) broken.path("@graph").get(0)).remove("created");
        assertThat(spdxSchema.validate(broken)).as("CreationInfo without created").isNotEmpty();
    }

    private static JsonNode find(JsonNode document, String type) {
        for (JsonNode node : document.path("@graph")) {
            if (node.path("type").asText().equals(type)) return node;
        }
        throw new AssertionError("no " + type + " in " + document);
    }
}
