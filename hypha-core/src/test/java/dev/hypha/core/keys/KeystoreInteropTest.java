package dev.hypha.core.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.core.crypto.Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keystores move between Hypha and other wallets: Foundry's cast (a Rust implementation of Web3 Secret Storage) opens
 * ours, and we open the ones cast writes. One test uses geth's standard scrypt cost, the default for real keys.
 */
class KeystoreInteropTest {
    static final char[] PASSWORD = "interop password".toCharArray();

    @TempDir
    Path dir;

    @Test
    void castOpensOurKeystore() throws Exception {
        KeystoreDirectory keys = new KeystoreDirectory(dir.resolve("ours"), KdfStrength.LIGHT, java.time.Clock.systemUTC());
        Address address = keys.create(PASSWORD);
        Path file = keys.fileOf(address).orElseThrow();
        String output = run(cast(), "wallet", "address", "--keystore", file.toString(), "--password", new String(PASSWORD));
        assertThat(Address.parse(output)).isEqualTo(address);
    }

    @Test
    void weOpenTheKeystoreCastWrites() throws Exception {
        Path castDir = Files.createDirectories(dir.resolve("cast"));
        String output = run(cast(), "wallet", "new", castDir.toString(), "--unsafe-password", new String(PASSWORD));
        Address expected = Address.parse(output.lines().filter(l -> l.startsWith("Address:")).findFirst().orElseThrow()
                .substring("Address:".length()).strip());
        Path castFile;
        try (var files = Files.list(castDir)) {
            castFile = files.findFirst().orElseThrow();
        }
        KeystoreDirectory keys = new KeystoreDirectory(dir.resolve("ours"), KdfStrength.LIGHT, java.time.Clock.systemUTC());
        assertThat(keys.importKeystoreFile(castFile, PASSWORD)).isEqualTo(expected);
        assertThat(keys.unlock(expected, PASSWORD).getAddress()).isEqualTo(expected.lowercaseHex());
    }

    @Test
    void standardScryptCostIsWrittenAndReadBack() throws Exception {
        KeystoreDirectory keys = new KeystoreDirectory(dir.resolve("standard"));
        Address address = keys.create(PASSWORD);
        JsonNode json = new ObjectMapper().readTree(keys.fileOf(address).orElseThrow().toFile());
        assertThat(json.get("version").asInt()).isEqualTo(3);
        assertThat(json.at("/crypto/kdf").asText()).isEqualTo("scrypt");
        assertThat(json.at("/crypto/kdfparams/n").asInt()).isEqualTo(1 << 18);
        assertThat(json.at("/crypto/kdfparams/p").asInt()).isEqualTo(1);
        assertThat(json.at("/crypto/cipher").asText()).isEqualTo("aes-128-ctr");
        assertThat(keys.unlock(address, PASSWORD).getAddress()).isEqualTo(address.lowercaseHex());
    }

    static String cast() {
        Path cast = Path.of(System.getProperty("hypha.repo.root"), "node_modules", ".bin", "cast");
        if (!Files.isExecutable(cast)) throw new IllegalStateException("Foundry's cast is not installed at " + cast);
        return cast.toString();
    }

    static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.waitFor() != 0) throw new IllegalStateException(command[1] + " failed: " + output);
        return output;
    }
}
