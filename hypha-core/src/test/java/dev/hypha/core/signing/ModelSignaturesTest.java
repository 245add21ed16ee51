package dev.hypha.core.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.ECKeyPair;
import org.web3j.utils.Numeric;

/**
 * A signed model manifest verifies offline against the files it lists, and every kind of tampering is caught with a
 * message naming it: a changed, missing or extra file, a changed signature, a changed statement, another signer.
 */
class ModelSignaturesTest {
    /** Anvil's public dev key (0): 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266. */
    private static final ECKeyPair KEY = ECKeyPair.create(Numeric.toBigInt(
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"));
    private static final ECKeyPair OTHER = ECKeyPair.create(Numeric.toBigInt(
            "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private List<ModelSignatures.ModelFile> files;

    @BeforeEach
    void files() throws Exception {
        Path weights = Files.write(dir.resolve("w.gguf"), "weights".repeat(1000).getBytes(StandardCharsets.UTF_8));
        Path adapter = Files.write(dir.resolve("a.gguf"), "adapter".getBytes(StandardCharsets.UTF_8));
        files = List.of(new ModelSignatures.ModelFile("model.gguf", weights), new ModelSignatures.ModelFile("adapter.gguf", adapter));
    }

    @Test
    void aSignedManifestVerifiesAndNamesItsSigner() throws Exception {
        byte[] bundle = ModelSignatures.sign("tiny:latest", files, KEY);
        ModelSignatures.Verified v = ModelSignatures.verify(bundle, files, Optional.of(Address.of(KEY)));
        assertThat(v.signer().toChecksumString()).isEqualTo("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assertThat(v.modelName()).isEqualTo("tiny:latest");
        assertThat(v.files()).extracting(ManifestEntry::name).containsExactly("adapter.gguf", "model.gguf");
        // The subject's digest is model-transparency's: sha256 over the files' digests in name order.
        byte[] a = Hashes.sha256(files.get(1).path());
        byte[] m = Hashes.sha256(files.get(0).path());
        byte[] both = new byte[64];
        System.arraycopy(a, 0, both, 0, 32);
        System.arraycopy(m, 0, both, 32, 32);
        assertThat(v.rootDigest()).isEqualTo(HexFormat.of().formatHex(Hashes.sha256(both)));
        var statement = JSON.readTree(Base64.getDecoder().decode(JSON.readTree(bundle).at("/dsseEnvelope/payload").asText()));
        assertThat(statement.path("predicateType").asText()).isEqualTo("https://model_signing/signature/v1.0");
        assertThat(statement.at("/subject/0/digest/sha256").asText()).isEqualTo(v.rootDigest());
        assertThat(JSON.readTree(bundle).path("mediaType").asText()).isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
    }

    @Test
    void aChangedByteInAnyFileIsCaughtNamingTheFile() throws Exception {
        byte[] bundle = ModelSignatures.sign("tiny:latest", files, KEY);
        for (ModelSignatures.ModelFile file : files) {
            try (RandomAccessFile f = new RandomAccessFile(file.path().toFile(), "rw")) {
                f.seek(3);
                int b = f.read();
                f.seek(3);
                f.write(b ^ 0x01);
                assertThatThrownBy(() -> ModelSignatures.verify(bundle, files, Optional.empty()))
                        .isInstanceOf(HyphaException.class)
                        .hasMessageContaining("does not match its signed manifest: " + file.name() + " has sha256");
                f.seek(3);
                f.write(b);
            }
        }
        assertThat(ModelSignatures.verify(bundle, files, Optional.empty()).signer()).isEqualTo(Address.of(KEY));
    }

    @Test
    void aMissingOrExtraFileIsCaught() {
        byte[] bundle = ModelSignatures.sign("tiny:latest", files, KEY);
        assertThatThrownBy(() -> ModelSignatures.verify(bundle, files.subList(0, 1), Optional.empty()))
                .hasMessageContaining("adapter.gguf is signed but not part of the model");
        byte[] one = ModelSignatures.sign("tiny:latest", files.subList(0, 1), KEY);
        assertThatThrownBy(() -> ModelSignatures.verify(one, files, Optional.empty()))
                .hasMessageContaining("adapter.gguf is part of the model but not signed");
    }

    @Test
    void aChangedSignatureStatementOrSignerIsCaught() throws Exception {
        byte[] bundle = ModelSignatures.sign("tiny:latest", files, KEY);
        ObjectNode tree = (ObjectNode) JSON.readTree(bundle);

        ObjectNode badSig = tree.deepCopy();
        byte[] sig = Base64.getDecoder().decode(badSig.at("/dsseEnvelope/signatures/0/sig").asText());
        sig[10] ^= 1;
        ((ObjectNode) badSig.at("/dsseEnvelope/signatures/0")).put("sig", Base64.getEncoder().encodeToString(sig));
        assertAuthFailure(JSON.writeValueAsBytes(badSig), "the signature does not verify");

        // A statement with another file digest (and a root digest to match), under the original signature.
        String payload = new String(Base64.getDecoder().decode(tree.at("/dsseEnvelope/payload").asText()), StandardCharsets.UTF_8);
        String forged = new String(ModelManifestStatement.encode("tiny:latest", List.of(
                new ManifestEntry("model.gguf", "00".repeat(32)), new ManifestEntry("adapter.gguf", "11".repeat(32)))),
                StandardCharsets.UTF_8);
        assertThat(forged).isNotEqualTo(payload);
        ObjectNode badPayload = tree.deepCopy();
        ((ObjectNode) badPayload.path("dsseEnvelope")).put("payload",
                Base64.getEncoder().encodeToString(forged.getBytes(StandardCharsets.UTF_8)));
        assertAuthFailure(JSON.writeValueAsBytes(badPayload), "the signature does not verify");

        ObjectNode otherHint = tree.deepCopy();
        ((ObjectNode) otherHint.at("/verificationMaterial/publicKey")).put("hint", Address.of(OTHER).toChecksumString());
        assertAuthFailure(JSON.writeValueAsBytes(otherHint), "was not made by " + Address.of(OTHER).toChecksumString());

        byte[] byOther = ModelSignatures.sign("tiny:latest", files, OTHER);
        assertThatThrownBy(() -> ModelSignatures.verify(byOther, files, Optional.of(Address.of(KEY))))
                .isInstanceOf(HyphaException.class)
                .hasMessageContaining("signed by " + Address.of(OTHER).toChecksumString() + ", not by " + Address.of(KEY).toChecksumString());
    }

    @Test
    void malformedBundlesAndStatementsAreNamed() {
        assertThatThrownBy(() -> SignatureBundle.verify("{".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("signature file is not JSON");
        assertThatThrownBy(() -> SignatureBundle.verify("{\"mediaType\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("is not a Sigstore bundle");
        byte[] statement = ModelManifestStatement.encode("m", List.of(new ManifestEntry("model.gguf", "ab".repeat(32))));
        String tampered = new String(statement, StandardCharsets.UTF_8).replace("abab", "abac");
        assertThatThrownBy(() -> ModelManifestStatement.decode(tampered.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("root digest");
        assertThatThrownBy(() -> new ManifestEntry("../etc/passwd", "ab".repeat(32))).hasMessageContaining("not a plain relative name");
        assertThatThrownBy(() -> ModelManifestStatement.encode("m", List.of(new ManifestEntry("a", "ab".repeat(32)),
                new ManifestEntry("a", "cd".repeat(32))))).hasMessageContaining("twice");
    }

    private static void assertAuthFailure(byte[] bundle, String message) {
        assertThatThrownBy(() -> SignatureBundle.verify(bundle)).isInstanceOf(HyphaException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((HyphaException) e).category()).isEqualTo(ErrorCategory.AUTH));
    }
}
