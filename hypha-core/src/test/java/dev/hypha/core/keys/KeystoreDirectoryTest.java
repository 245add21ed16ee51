package dev.hypha.core.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

class KeystoreDirectoryTest {
    /** Anvil's first development key: public knowledge, never a real secret. */
    static final String ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    static final Address ANVIL_ADDRESS_0 = Address.parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    static final char[] PASSWORD = "correct horse battery staple".toCharArray();
    static final Clock FIXED = Clock.fixed(Instant.parse("2026-11-25T12:34:56.123456789Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    KeystoreDirectory light() {
        return new KeystoreDirectory(dir.resolve("keystore"), KdfStrength.LIGHT, FIXED);
    }

    @Test
    void importedKeyUnlocksWithItsPasswordAndIsNamedLikeGeth() throws Exception {
        KeystoreDirectory keys = light();
        Address address = keys.importPrivateKey(ANVIL_KEY_0, PASSWORD);
        assertThat(address).isEqualTo(ANVIL_ADDRESS_0);
        Path file = keys.fileOf(address).orElseThrow();
        assertThat(file.getFileName().toString())
                .isEqualTo("UTC--2026-11-25T12-34-56.123456789Z--f39fd6e51aad88f6f4ce6ab8827279cfffb92266");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Credentials credentials = keys.unlock(address, PASSWORD);
        assertThat(credentials.getAddress()).isEqualTo(ANVIL_ADDRESS_0.lowercaseHex());
        assertThat(keys.list()).containsExactly(ANVIL_ADDRESS_0);
        assertThat(keys.exportAddress(address)).isEqualTo("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    }

    @Test
    void wrongPasswordNamesTheAccountButNotThePassword() {
        KeystoreDirectory keys = light();
        Address address = keys.importPrivateKey(ANVIL_KEY_0, PASSWORD);
        assertThatThrownBy(() -> keys.unlock(address, "hunter2".toCharArray()))
                .isInstanceOf(WrongPasswordException.class)
                .hasMessage("wrong password for account 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
                .satisfies(e -> assertThat(((HyphaException) e).category()).isEqualTo(ErrorCategory.AUTH));
    }

    @Test
    void createdAccountsAreListedSortedAndNeverOverwritten() {
        KeystoreDirectory keys = light();
        Address a = keys.create(PASSWORD);
        Address b = keys.create(PASSWORD);
        assertThat(keys.list()).containsExactlyElementsOf(List.of(a, b).stream().sorted().toList());
        keys.importPrivateKey(ANVIL_KEY_0, PASSWORD);
        assertThatThrownBy(() -> keys.importPrivateKey(ANVIL_KEY_0, PASSWORD))
                .isInstanceOf(HyphaException.class).hasMessageContaining("already exists");
    }

    @Test
    void badPrivateKeyIsRejectedWithoutEchoingIt() {
        String secretLooking = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff8";
        assertThatThrownBy(() -> light().importPrivateKey(secretLooking, PASSWORD))
                .isInstanceOf(HyphaException.class)
                .hasMessageContaining("not a private key")
                .hasMessageNotContaining("ac0974bec39a17e36ba4");
    }

    @Test
    void keystoreFileImportChecksThePassword() {
        KeystoreDirectory source = new KeystoreDirectory(dir.resolve("elsewhere"), KdfStrength.LIGHT, FIXED);
        Address address = source.importPrivateKey(ANVIL_KEY_0, PASSWORD);
        Path file = source.fileOf(address).orElseThrow();
        KeystoreDirectory keys = light();
        assertThatThrownBy(() -> keys.importKeystoreFile(file, "nope".toCharArray())).isInstanceOf(WrongPasswordException.class);
        assertThat(keys.list()).isEmpty();
        assertThat(keys.importKeystoreFile(file, PASSWORD)).isEqualTo(address);
        assertThat(keys.unlock(address, PASSWORD).getAddress()).isEqualTo(address.lowercaseHex());
    }

    @Test
    void unknownAccountIsNotFound() {
        assertThatThrownBy(() -> light().unlock(ANVIL_ADDRESS_0, PASSWORD))
                .isInstanceOf(HyphaException.class).hasMessageContaining("no account 0xf39F");
    }
}
