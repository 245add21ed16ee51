package dev.hypha.core.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.crypto.Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every failure path of the keystore, checked for leaked keys and passwords in messages, causes and toString. */
class SecretsNeverShownTest {
    static final String KEY_HEX = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // anvil key 1
    static final String PASSWORD = "Pa55-w0rd-that-must-not-leak";

    @TempDir
    Path dir;

    @Test
    void noMessageCauseOrDescriptionContainsAKeyOrPassword() throws Exception {
        KeystoreDirectory keys = new KeystoreDirectory(dir.resolve("keys"), KdfStrength.LIGHT, Clock.systemUTC());
        Address address = keys.importPrivateKey(KEY_HEX, PASSWORD.toCharArray());
        List<Throwable> failures = new ArrayList<>();
        collect(failures, () -> keys.unlock(address, (PASSWORD + "x").toCharArray()));
        collect(failures, () -> keys.importPrivateKey(KEY_HEX, PASSWORD.toCharArray()));
        collect(failures, () -> keys.importPrivateKey(KEY_HEX.substring(1), PASSWORD.toCharArray()));
        collect(failures, () -> keys.importPrivateKey("0x" + KEY_HEX + "00", PASSWORD.toCharArray()));
        collect(failures, () -> keys.importPrivateKey("zz" + KEY_HEX.substring(2), PASSWORD.toCharArray()));
        collect(failures, () -> keys.importKeystoreFile(keys.fileOf(address).orElseThrow(), "wrong".toCharArray()));
        Path corrupt = Files.writeString(dir.resolve("corrupt.json"), "{\"version\":3,\"address\":\"" + address.lowercaseHex().substring(2)
                + "\",\"crypto\":{\"cipher\":\"aes-128-ctr\",\"ciphertext\":\"" + KEY_HEX + "\"}}");
        collect(failures, () -> keys.importKeystoreFile(corrupt, PASSWORD.toCharArray()));
        assertThat(failures).hasSize(7);

        String fileText = Files.readString(keys.fileOf(address).orElseThrow());
        assertThat(fileText).doesNotContain(KEY_HEX).doesNotContain(PASSWORD);
        assertThat(keys.toString()).doesNotContain(KEY_HEX).doesNotContain(PASSWORD);
        assertThat(keys.unlock(address, PASSWORD.toCharArray()).toString()).doesNotContain(KEY_HEX);
        for (Throwable failure : failures) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).as("message of %s", t.getClass())
                        .doesNotContain(KEY_HEX).doesNotContain(KEY_HEX.substring(1, 20)).doesNotContain(PASSWORD);
                assertThat(t.toString()).doesNotContain(KEY_HEX.substring(1, 20)).doesNotContain(PASSWORD);
            }
        }
    }

    private static void collect(List<Throwable> failures, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }
}
