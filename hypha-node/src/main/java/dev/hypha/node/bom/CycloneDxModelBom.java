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
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.OrganizationalEntity;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.component.ModelCard;
import org.cyclonedx.model.component.modelCard.ModelParameters;
import org.cyclonedx.model.license.Expression;
import org.cyclonedx.model.metadata.ToolInformation;

/**
 * A CycloneDX 1.6 ML-BOM of one stored model, built with CycloneDX's Java library: the model is a {@code
 * machine-learning-model} component with its SHA-256, licence expression, supplier, a model card (architecture family,
 * parameter count, quantization) and Hypha's content id as a property; a LoRA adapter, when the model has one, is a
 * nested {@code data} component. The serial number is a name-based UUID of the content id, so one model always gets
 * the same document. (1.6 is the newest schema the library writes and validates.)
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
        bom.setComponents(List.of(component));
        return bom;
    }
}
