package dev.hypha.core.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The key-derivation cost stored in a keystore file is outside input: a file asking for n = 2^22 made scrypt allocate
 * 4 GiB and end in an OutOfMemoryError. Costs beyond what geth and web3j write are refused before any work, with an
 * error naming the file and the field.
 */
class KeystoreKdfLimitsTest {
    static final String KEY = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    static final char[] PASSWORD = "correct horse".toCharArray();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "n, 4194304, 'kdfparams.n is 4194304; expected a power of two from 2 to 262144'",
        "n, 3000, 'kdfparams.n is 3000; expected a power of two from 2 to 262144'",
        "r, 1048576, 'kdfparams.r is 1048576; expected 1 to 8'",
        "p, 64, 'kdfparams.p is 64; expected 1 to 16'",
        "dklen, 1048576, 'kdfparams.dklen is 1048576; expected 32'",
    })
    void scryptCostBeyondWhatWalletsWriteIsRefusedNamingFileAndField(String field, int value, String expected)
            throws Exception {
        Path file = keystoreWith(json -> ((ObjectNode) json.path("crypto").path("kdfparams")).put(field, value));
        KeystoreDirectory target = new KeystoreDirectory(dir.resolve("target"), KdfStrength.LIGHT, Clock.systemUTC());

        assertThatThrownBy(() -> target.importKeystoreFile(file, PASSWORD))
                .isInstanceOf(HyphaException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(expected)
                .satisfies(e -> assertThat(((HyphaException) e).category()).isEqualTo(ErrorCategory.INPUT));
    }

    @ParameterizedTest(name = "c = {0}")
    @CsvSource({"16777216", "0"})
    void pbkdf2IterationsBeyondWhatWalletsWriteAreRefused(int iterations) throws Exception {
        Path file = keystoreWith(json -> {
            ObjectNode crypto = (ObjectNode) json.path("crypto");
            crypto.put("kdf", "pbkdf2");
            ObjectNode params = crypto.putObject("kdfparams");
            params.put("c", iterations).put("dklen", 32).put("prf", "hmac-sha256")
                    .put("salt", "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd");
        });
        KeystoreDirectory target = new KeystoreDirectory(dir.resolve("target"), KdfStrength.LIGHT, Clock.systemUTC());

        assertThatThrownBy(() -> target.importKeystoreFile(file, PASSWORD))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("kdfparams.c is " + iterations + "; expected 1 to 1048576");
    }

    @Test
    void aKeystoreInTheFolderWithAHugeCostIsStillListedButRefusedOnUnlock() throws Exception {
        KeystoreDirectory keys = new KeystoreDirectory(dir.resolve("keys"), KdfStrength.LIGHT, Clock.systemUTC());
        Address address = keys.importPrivateKey(KEY, PASSWORD);
        Path file = keys.fileOf(address).orElseThrow();
        ObjectNode json = (ObjectNode) JSON.readTree(file.toFile());
        ((ObjectNode) json.path("crypto").path("kdfparams")).put("n", 1 << 22);
        Files.write(file, JSON.writeValueAsBytes(json));

        assertThat(keys.list()).containsExactly(address);
        assertThatThrownBy(() -> keys.unlock(address, PASSWORD))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("kdfparams.n is 4194304");
    }

    private Path keystoreWith(java.util.function.Consumer<ObjectNode> edit) throws Exception {
        KeystoreDirectory source = new KeystoreDirectory(dir.resolve("source"), KdfStrength.LIGHT, Clock.systemUTC());
        Address address = source.importPrivateKey(KEY, PASSWORD);
        ObjectNode json = (ObjectNode) JSON.readTree(source.fileOf(address).orElseThrow().toFile());
        edit.accept(json);
        return Files.write(dir.resolve("edited.json"), JSON.writeValueAsBytes(json));
    }
}
