package dev.hypha.node.bom;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.store.ModelManifest;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the BOM exports say about one stored model.
 *
 * @param manifest the store's manifest (name, content id, size, format, architecture, import time)
 * @param sha256   the flat SHA-256 of the weights file, lower-case hex
 * @param license  an SPDX licence expression ({@code Apache-2.0}, {@code MIT OR Apache-2.0}), or empty when not
 *     declared (written as NOASSERTION)
 * @param supplier who supplies the model (a person, organization or account), or empty when unknown
 * @param lineage  the datasets, base model and training job it came from ({@link ModelLineage#NONE} when unknown)
 */
public record ModelDescription(ModelManifest manifest, String sha256, Optional<String> license, Optional<String> supplier,
                               ModelLineage lineage) {
    /** Letters, digits and the operators/characters SPDX expressions use; a bound on what reaches the documents. */
    private static final Pattern LICENSE = Pattern.compile("[A-Za-z0-9.+:()\\- ]{1,200}");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    /** A model of unknown lineage. */
    public ModelDescription(ModelManifest manifest, String sha256, Optional<String> license, Optional<String> supplier) {
        this(manifest, sha256, license, supplier, ModelLineage.NONE);
    }

    public ModelDescription {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(lineage, "lineage");
        if (!HEX64.matcher(sha256).matches()) throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits");
        license.ifPresent(l -> {
            if (!LICENSE.matcher(l).matches()) {
                throw HyphaException.input("licence '" + l.replaceAll("[^\\x20-\\x7e]", "?")
                        + "' is not an SPDX licence expression (like Apache-2.0 or MIT OR Apache-2.0)");
            }
        });
        supplier.ifPresent(s -> {
            if (s.isBlank() || s.length() > 200 || s.chars().anyMatch(Character::isISOControl)) {
                throw HyphaException.input("supplier must be 1 to 200 printable characters");
            }
        });
    }

    ContentId cid() {
        return manifest.cid();
    }

    Instant created() {
        return manifest.created();
    }
}
