package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.node.content.BlockRoutes;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hypha model sign NAME} with the account's keystore key, then {@code hypha model verify NAME --signature FILE}
 * offline: valid as signed; a changed model byte, a changed signature or a required signer who did not sign fail.
 */
class ModelSignCommandTest {
    private static final String DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static final String DEV_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

    @Test
    void signsWithTheAccountKeyAndVerifiesOfflineCatchingTampering(@TempDir Path dir) throws Exception {
        Path home = dir.resolve("home");
        Map<String, String> env = Map.of("HYPHA_HOME", home.toString());
        Path password = Files.writeString(dir.resolve("pw"), "pw\n");
        Path key = Files.writeString(dir.resolve("key"), DEV_KEY);
        CliRun imported = CliRun.run(env, "account", "import", "--light-kdf", "--private-key-file", key.toString(),
                "--password-file", password.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        Path model = dir.resolve("hypha-tiny.gguf");
        try (InputStream in = BlockRoutes.class.getResourceAsStream("/dev/hypha/node/devnet/hypha-tiny.gguf")) {
            Files.copy(in, model);
        }
        CliRun importedModel = CliRun.run(env, "model", "import", model.toString(), "--name", "tiny");
        assertThat(importedModel.exitCode()).as(importedModel.err()).isZero();

        Path sig = dir.resolve("tiny.sig.json");
        CliRun signed = CliRun.run(env, "--password-file", password.toString(), "model", "sign", "tiny", "--out", sig.toString());
        assertThat(signed.exitCode()).as(signed.err()).isZero();
        assertThat(signed.out()).contains("Signed tiny:latest (1 file(s), sha256) as " + DEV_ADDRESS);

        CliRun ok = CliRun.run(env, "model", "verify", "tiny", "--signature", sig.toString(), "--signer", DEV_ADDRESS);
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("tiny:latest: signature valid, signed by " + DEV_ADDRESS + " as 'tiny:latest'; 1 file(s) match");

        CliRun otherSigner = CliRun.run(env, "model", "verify", "tiny", "--signature", sig.toString(), "--signer",
                "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        assertThat(otherSigner.exitCode()).isEqualTo(ExitCodes.AUTH);

        String text = Files.readString(sig);
        int at = text.indexOf("\"sig\" : \"") + 12;
        char c = text.charAt(at);
        Path forged = Files.writeString(dir.resolve("forged.json"), text.substring(0, at) + (c == 'A' ? 'B' : 'A') + text.substring(at + 1));
        CliRun badSig = CliRun.run(env, "model", "verify", "tiny", "--signature", forged.toString());
        assertThat(badSig.exitCode()).as(badSig.out() + badSig.err()).isIn(ExitCodes.AUTH, ExitCodes.INPUT);

        Path blob = Files.list(home.resolve("models").resolve("blobs")).findFirst().orElseThrow();
        try (RandomAccessFile f = new RandomAccessFile(blob.toFile(), "rw")) {
            f.seek(2_000_000);
            int b = f.read();
            f.seek(2_000_000);
            f.write(b ^ 0x40);
        }
        CliRun tampered = CliRun.run(env, "model", "verify", "tiny", "--signature", sig.toString());
        assertThat(tampered.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(tampered.errorLine()).contains("does not match its signed manifest: model.gguf has sha256");
    }
}
