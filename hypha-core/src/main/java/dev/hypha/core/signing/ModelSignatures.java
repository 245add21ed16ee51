package dev.hypha.core.signing;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.web3j.crypto.ECKeyPair;

/** Signs the files of a model, and verifies a signature against the files as they are now. */
public final class ModelSignatures {
    /** A file of the model: its name in the manifest and where it is on disk. */
    public record ModelFile(String name, Path path) {}

    /** A signature that verified against every file: who signed, what they called the model, the files checked. */
    public record Verified(Address signer, String modelName, List<ManifestEntry> files, String rootDigest) {}

    private ModelSignatures() {}

    /** Hashes every file and signs the manifest with {@code key}; returns the bundle's JSON bytes. */
    public static byte[] sign(String modelName, List<ModelFile> files, ECKeyPair key) {
        return SignatureBundle.sign(ModelManifestStatement.encode(modelName, hash(files)), key);
    }

    /**
     * Verifies {@code bundle} offline against the model's files: the signature (and, when given, that {@code
     * expectedSigner} made it), then that the files are exactly those listed, each with its signed SHA-256.
     *
     * @throws HyphaException AUTH for a signature that does not verify or another signer; INPUT naming each file that
     *     differs, is missing or is extra
     */
    public static Verified verify(byte[] bundle, List<ModelFile> files, Optional<Address> expectedSigner) {
        SignatureBundle.Verified signed = SignatureBundle.verify(bundle);
        if (expectedSigner.isPresent() && !expectedSigner.get().equals(signed.signer())) {
            throw new HyphaException(ErrorCategory.AUTH, "signed by " + signed.signer().toChecksumString() + ", not by "
                    + expectedSigner.get().toChecksumString());
        }
        ModelManifestStatement.Parsed statement = ModelManifestStatement.decode(signed.statement());
        Map<String, String> signedDigests = new TreeMap<>();
        statement.files().forEach(f -> signedDigests.put(f.name(), f.sha256()));
        Map<String, String> actual = new TreeMap<>();
        hash(files).forEach(f -> actual.put(f.name(), f.sha256()));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : signedDigests.entrySet()) {
            String now = actual.get(e.getKey());
            if (now == null) problems.add(e.getKey() + " is signed but not part of the model");
            else if (!now.equals(e.getValue())) problems.add(e.getKey() + " has sha256 " + now + ", signed " + e.getValue());
        }
        for (String name : actual.keySet()) {
            if (!signedDigests.containsKey(name)) problems.add(name + " is part of the model but not signed");
        }
        if (!problems.isEmpty()) {
            throw HyphaException.input("the model does not match its signed manifest: " + String.join("; ", problems));
        }
        return new Verified(signed.signer(), statement.modelName(), statement.files(), statement.rootDigest());
    }

    private static List<ManifestEntry> hash(List<ModelFile> files) {
        List<ManifestEntry> entries = new ArrayList<>();
        for (ModelFile f : files) {
            entries.add(new ManifestEntry(f.name(), HexFormat.of().formatHex(Hashes.sha256(f.path()))));
        }
        return entries;
    }
}
