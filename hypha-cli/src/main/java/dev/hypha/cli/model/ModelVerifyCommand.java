package dev.hypha.cli.model;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.signing.ModelSignatures;
import dev.hypha.core.signing.SignatureBundle;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha model verify NAME}: re-reads the model file and checks it still has its content id. With {@code
 * --signature FILE} it checks a signed manifest ({@code hypha model sign}) instead, offline: the signature, the signer
 * ({@code --signer ADDR} to require one) and the SHA-256 of every file.
 */
@Command(name = "verify", description = {"Re-hash a stored model file and check it against its content id;",
        "with --signature FILE, check a signed manifest (hypha model sign) against every file, offline."})
final class ModelVerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME[:TAG]", description = "The model to check.")
    String name;

    @Option(names = "--signature", paramLabel = "FILE", description = "A signature bundle written by `hypha model sign`.")
    Path signature;

    @Option(names = "--signer", paramLabel = "ADDR", description = "With --signature: require this account to have signed.")
    String signer;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (signature == null) {
            if (signer != null) throw new HyphaException(ErrorCategory.USAGE, "--signer needs --signature FILE");
            ModelManifest m = StoreAccess.store(spec).verify(ModelName.parse(name));
            out.println(m.name() + ": intact (" + m.cid() + ", " + Formats.bytes(m.size()) + ")");
            return CommandLine.ExitCode.OK;
        }
        Optional<Address> expected = signer == null ? Optional.empty() : Optional.of(Address.parse(signer));
        byte[] bundle;
        try {
            if (Files.size(signature) > SignatureBundle.MAX_BYTES) {
                throw HyphaException.input(signature + " is larger than " + SignatureBundle.MAX_BYTES + " bytes; not a signature");
            }
            bundle = Files.readAllBytes(signature);
        } catch (NoSuchFileException e) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no such file: " + signature, e);
        }
        ModelStore store = StoreAccess.store(spec);
        ModelName model = ModelName.parse(name);
        ModelSignatures.Verified v = ModelSignatures.verify(bundle, ModelFiles.of(store, model, false), expected);
        out.println(store.show(model).name() + ": signature valid, signed by " + v.signer().toChecksumString()
                + " as '" + v.modelName() + "'; " + v.files().size() + " file(s) match (root sha256 " + v.rootDigest() + ")");
        return CommandLine.ExitCode.OK;
    }
}
