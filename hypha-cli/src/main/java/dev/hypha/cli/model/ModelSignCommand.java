package dev.hypha.cli.model;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.io.DurableFiles;
import dev.hypha.core.signing.ModelSignatures;
import dev.hypha.core.text.TerminalText;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha model sign NAME [--out FILE]}: the SHA-256 of every file of a stored model in an OpenSSF model-signing
 * manifest, signed with the account's key (the keystore's secp256k1 key, unlocked with its password), written as a
 * Sigstore bundle that {@code hypha model verify NAME --signature FILE} checks offline.
 */
@Command(name = "sign", description = {"Sign a stored model: an OpenSSF model-signing manifest (SHA-256 of every file)",
        "signed with your account key, written as a Sigstore bundle (default: NAME-TAG.sig.json)."})
final class ModelSignCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME[:TAG]", description = "The model to sign.")
    String name;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the signature (default: NAME-TAG.sig.json here).")
    Path out;

    @Override
    public Integer call() throws IOException {
        ModelStore store = StoreAccess.store(spec);
        ModelName model = ModelName.parse(name);
        ModelManifest manifest = store.show(model);
        var files = ModelFiles.of(store, model, true); // refuses a damaged blob before asking for the password
        Credentials key = GlobalOptions.of(spec).unlockAccount();
        byte[] bundle = ModelSignatures.sign(manifest.name().toString(), files, key.getEcKeyPair());
        Path target = out != null ? out : Path.of(manifest.name().toString().replace(':', '-').replace('/', '_') + ".sig.json");
        Path parent = target.toAbsolutePath().getParent();
        java.nio.file.Files.createDirectories(parent);
        DurableFiles.replace(target.toAbsolutePath(), bundle);
        spec.commandLine().getOut().println("Signed " + manifest.name() + " (" + files.size() + " file(s), sha256) as "
                + Address.of(key.getEcKeyPair()).toChecksumString() + ": " + TerminalText.line(target.toString()));
        spec.commandLine().getOut().flush();
        return picocli.CommandLine.ExitCode.OK;
    }
}
