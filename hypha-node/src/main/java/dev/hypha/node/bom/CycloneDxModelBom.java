package dev.hypha.node.bom;

import dev.hypha.ml.store.ModelManifest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.cyclonedx.Version;
import org.cyclonedx.exception.GeneratorException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Ancestors;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Dependency;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.OrganizationalEntity;
import org.cyclonedx.model.Pedigree;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.component.ModelCard;
import org.cyclonedx.model.component.data.DatasetChoice;
import org.cyclonedx.model.component.modelCard.ModelParameters;
import org.cyclonedx.model.formulation.FormulationCommon;
import org.cyclonedx.model.formulation.Formula;
import org.cyclonedx.model.formulation.Workflow;
import org.cyclonedx.model.formulation.common.InputType;
import org.cyclonedx.model.formulation.common.OutputType;
import org.cyclonedx.model.formulation.common.ResourceReferenceChoice;
import org.cyclonedx.model.license.Expression;
import org.cyclonedx.model.metadata.ToolInformation;

/**
 * A CycloneDX 1.6 ML-BOM of one stored model, built with CycloneDX's Java library: the model is a {@code
 * machine-learning-model} component with its SHA-256, licence expression, supplier, a model card (architecture family,
 * parameter count, quantization) and Hypha's content id as a property; a LoRA adapter, when the model has one, is a
 * nested {@code data} component. The serial number is a name-based UUID of the content id, so one model always gets
 * the same document. (1.6 is the newest schema the library writes and validates.)
 *
 * <p>Lineage, in the fields CycloneDX has for it: each dataset the model was trained on is a top-level {@code data}
 * component named in the model card's {@code modelParameters.datasets} and in the model's {@code dependencies}; a base
 * model is an ancestor in the model's {@code pedigree}; the training job is a {@code formulation} workflow (task type
 * build, uid = chain, market and order) whose inputs are those datasets and base model and whose output is the model.
 */
public final class CycloneDxModelBom {
    /** The schema version written. */
    public static final Version VERSION = Version.VERSION_16;

    private CycloneDxModelBom() {}

    /** The BOM as JSON. */
    public static String json(ModelDescription model) {
        try {
            return BomGeneratorFactory.createJson(VERSION, bom(model)).toJsonString();
        } catch (GeneratorException e) {
            throw new IllegalStateException("CycloneDX could not write the BOM of " + model.manifest().name(), e);
        }
    }

    static Bom bom(ModelDescription model) {
        ModelManifest m = model.manifest();
        Bom bom = new Bom();
        bom.setSerialNumber("urn:uuid:" + UUID.nameUUIDFromBytes(("hypha-bom:" + m.cid()).getBytes(StandardCharsets.UTF_8)));
        bom.setVersion(1);
        Metadata metadata = new Metadata();
        metadata.setTimestamp(Date.from(model.created()));
        Component tool = new Component();
        tool.setType(Component.Type.APPLICATION);
        tool.setName("hypha");
        ToolInformation tools = new ToolInformation();
        tools.setComponents(List.of(tool));
        metadata.setToolChoice(tools);
        bom.setMetadata(metadata);

        Component component = new Component();
        component.setType(Component.Type.MACHINE_LEARNING_MODEL);
        component.setBomRef(m.cid().toString());
        component.setName(m.name().name());
        component.setVersion(m.name().tag());
        component.setHashes(List.of(new Hash(Hash.Algorithm.SHA_256, model.sha256())));
        LicenseChoice licenses = new LicenseChoice();
        licenses.setExpression(new Expression(model.license().orElse("NOASSERTION")));
        if (model.license().isPresent()) component.setLicenses(licenses);
        model.supplier().ifPresent(s -> {
            OrganizationalEntity supplier = new OrganizationalEntity();
            supplier.setName(s);
            component.setSupplier(supplier);
        });
        ModelParameters parameters = new ModelParameters();
        parameters.setArchitectureFamily(m.summary().architecture());
        parameters.setModelArchitecture(m.summary().architecture() + " (" + m.format() + ", " + m.summary().quantization() + ")");
        ModelCard card = new ModelCard();
        card.setModelParameters(parameters);
        component.setModelCard(card);
        List<Property> properties = new ArrayList<>(List.of(
                new Property("hypha:cid", m.cid().toString()),
                new Property("hypha:format", m.format()),
                new Property("hypha:sizeBytes", Long.toString(m.size())),
                new Property("hypha:parameterCount", Long.toString(m.summary().parameterCount())),
                new Property("hypha:quantization", m.summary().quantization()),
                new Property("hypha:contextLength", Long.toString(m.summary().contextLength()))));
        model.lineage().assetId().ifPresent(id -> properties.add(new Property("hypha:assetId", Long.toString(id))));
        component.setProperties(properties);
        m.adapter().ifPresent(a -> {
            Component adapter = new Component();
            adapter.setType(Component.Type.DATA);
            adapter.setBomRef(a.cid().toString());
            adapter.setName(a.sourceFile());
            adapter.setDescription("LoRA adapter applied to the weights");
            adapter.setProperties(List.of(new Property("hypha:cid", a.cid().toString()),
                    new Property("hypha:sizeBytes", Long.toString(a.size()))));
            component.setComponents(List.of(adapter));
        });
        List<Component> components = new ArrayList<>(List.of(component));
        ModelLineage lineage = model.lineage();
        List<DatasetChoice> datasets = new ArrayList<>();
        List<Dependency> dependsOn = new ArrayList<>();
        for (ModelLineage.Source d : lineage.datasets()) {
            components.add(source(d, Component.Type.DATA));
            DatasetChoice choice = new DatasetChoice();
            choice.setRef(d.ref());
            datasets.add(choice);
            dependsOn.add(new Dependency(d.ref()));
        }
        if (!datasets.isEmpty()) parameters.setDatasets(datasets);
        if (!lineage.baseModels().isEmpty()) {
            Ancestors ancestors = new Ancestors();
            ancestors.setComponents(lineage.baseModels().stream().map(b -> source(b, Component.Type.MACHINE_LEARNING_MODEL))
                    .toList());
            Pedigree pedigree = new Pedigree();
            pedigree.setAncestors(ancestors);
            component.setPedigree(pedigree);
        }
        bom.setComponents(components);
        if (!dependsOn.isEmpty()) {
            Dependency modelDependency = new Dependency(m.cid().toString());
            modelDependency.setDependencies(dependsOn);
            List<Dependency> all = new ArrayList<>(List.of(modelDependency));
            for (Dependency d : dependsOn) all.add(new Dependency(d.getRef()));
            bom.setDependencies(all);
        }
        lineage.job().ifPresent(job -> bom.setFormulation(List.of(formula(job, lineage, m.cid().toString()))));
        return bom;
    }

    private static Component source(ModelLineage.Source s, Component.Type type) {
        Component c = new Component();
        c.setType(type);
        c.setBomRef(s.ref());
        c.setName(s.name());
        s.licence().ifPresent(l -> {
            LicenseChoice licence = new LicenseChoice();
            licence.setExpression(new Expression(l));
            c.setLicenses(licence);
        });
        List<Property> properties = new ArrayList<>(List.of(new Property("hypha:cid", s.contentId())));
        if (s.assetId() > 0) properties.add(new Property("hypha:assetId", Long.toString(s.assetId())));
        if (s.shareBps() > 0) properties.add(new Property("hypha:royaltyShareBps", Integer.toString(s.shareBps())));
        c.setProperties(properties);
        return c;
    }

    private static Formula formula(ModelLineage.TrainingJob job, ModelLineage lineage, String modelRef) {
        Workflow workflow = new Workflow();
        workflow.setBomRef("hypha:job:" + job.uid());
        workflow.setUid(job.uid());
        workflow.setName("training job (compute market order " + job.orderId() + ")");
        workflow.setTaskTypes(List.of(FormulationCommon.TaskType.BUILD));
        List<InputType> inputs = new ArrayList<>();
        for (ModelLineage.Source s : lineage.sources()) {
            InputType in = new InputType();
            in.setResource(reference(s.ref()));
            inputs.add(in);
        }
        if (!inputs.isEmpty()) workflow.setInputs(inputs);
        OutputType out = new OutputType();
        out.setType(OutputType.OutputTypeEnum.ARTIFACT);
        out.setResource(reference(modelRef));
        workflow.setOutputs(List.of(out));
        workflow.setProperties(List.of(new Property("hypha:spec", job.spec()),
                new Property("hypha:chainId", Long.toString(job.chainId())),
                new Property("hypha:market", job.market()),
                new Property("hypha:order", job.orderId()),
                new Property("hypha:provider", job.provider())));
        Formula formula = new Formula();
        formula.setBomRef("hypha:formula:" + job.uid());
        formula.setWorkflows(List.of(workflow));
        return formula;
    }

    private static ResourceReferenceChoice reference(String ref) {
        ResourceReferenceChoice r = new ResourceReferenceChoice();
        r.setRef(ref);
        return r;
    }
}
