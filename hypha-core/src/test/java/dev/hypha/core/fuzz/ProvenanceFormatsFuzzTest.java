package dev.hypha.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hypha.core.car.CarReader;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.signing.ModelManifestStatement;
import dev.hypha.core.signing.SignatureBundle;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;

/**
 * Jazzer fuzz targets for the outside formats of provenance and IPFS interop: CAR streams from any gateway, and
 * signature bundles and manifest statements from any publisher. The contract, as in {@link ParserFuzzTest}: any input
 * reads or fails with a {@link HyphaException} carrying a message; any other exception is a bug. Every block a CAR
 * yields matches its CID. Seeds: {@code src/test/resources/dev/hypha/core/fuzz/ProvenanceFormatsFuzzTestInputs}.
 */
@org.junit.jupiter.api.Tag("fuzz")
class ProvenanceFormatsFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void carStream(byte[] bytes) throws IOException {
        try {
            CarReader reader = CarReader.open(new ByteArrayInputStream(bytes));
            reader.roots();
            for (Optional<CarReader.Block> b = reader.next(); b.isPresent(); b = reader.next()) {
                if (!b.get().cid().matches(b.get().bytes())) throw new AssertionError("a block that does not match its CID");
            }
        } catch (HyphaException expected) {
            requireMessage(expected);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void signatureBundle(byte[] bytes) {
        try {
            SignatureBundle.verify(bytes);
        } catch (HyphaException expected) {
            requireMessage(expected);
        }
        try {
            ModelManifestStatement.decode(bytes);
        } catch (HyphaException expected) {
            requireMessage(expected);
        }
    }

    private static void requireMessage(HyphaException e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) throw new AssertionError("error without a message", e);
    }
}
