package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hypha account ...} on a temporary home, with light scrypt to stay fast. */
class AccountCommandTest {

    /** anvil's first dev key: public test key. */
    static final String DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    static final String DEV_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

    @TempDir
    Path dir;
    Path home;
    Path passwordFile;

    @BeforeEach
    void files() throws IOException {
        home = dir.resolve("home");
        passwordFile = Files.writeString(dir.resolve("password"), "correct horse\n");
    }

    private CliRun hypha(String... args) {
        String[] all = Stream.concat(Stream.of("--home", home.toString()), Stream.of(args)).toArray(String[]::new);
        return CliRun.run(all);
    }

    @Test
    void newAccountIsListedAndExported() {
        CliRun created = hypha("account", "new", "--light-kdf", "--password-file", passwordFile.toString());

        assertThat(created.exitCode()).as(created.err()).isZero();
        String address = created.out().strip();
        assertThat(address).matches("0x[0-9a-fA-F]{40}");
        assertThat(hypha("account", "list").out().strip()).isEqualTo(address);
        assertThat(hypha("account", "export-address", address.toLowerCase()).out().strip()).isEqualTo(address);
        assertThat(hypha("account", "export-address").out().strip()).as("the only account is the default")
                .isEqualTo(address);
    }

    @Test
    void importedPrivateKeyIsNeverPrintedOrStoredInClear() throws IOException {
        Path keyFile = Files.writeString(dir.resolve("key"), DEV_KEY + "\n");

        CliRun imported = hypha("account", "import", "--light-kdf", "--private-key-file", keyFile.toString(),
                "--password-file", passwordFile.toString());

        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.out().strip()).isEqualTo(DEV_ADDRESS);
        assertThat(imported.out() + imported.err()).doesNotContain(DEV_KEY.substring(2));
        try (Stream<Path> files = Files.list(home.resolve("keystore"))) {
            files.forEach(file -> {
                try {
                    assertThat(Files.readString(file)).doesNotContain(DEV_KEY.substring(2));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    @Test
    void importingAKeystoreWithTheWrongPasswordIsAnAuthError() throws IOException {
        Path otherHome = dir.resolve("other");
        CliRun created = CliRun.run("--home", otherHome.toString(), "account", "new", "--light-kdf",
                "--password-file", passwordFile.toString());
        Path keystoreFile;
        try (Stream<Path> files = Files.list(otherHome.resolve("keystore"))) {
            keystoreFile = files.findFirst().orElseThrow();
        }
        Path wrong = Files.writeString(dir.resolve("wrong"), "battery staple");

        CliRun run = hypha("account", "import", "--keystore", keystoreFile.toString(),
                "--password-file", wrong.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(run.errorLine()).isEqualTo("wrong password for account " + created.out().strip())
                .doesNotContain("battery");
    }

    @Test
    void badAddressIsAnInputError() {
        CliRun run = hypha("account", "export-address", "0x1234");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(run.errorLine()).contains("0x1234").contains("40 hex");
        assertThat(run.err().lines()).hasSize(1);
    }

    @Test
    void unknownAccountIsAnInputErrorPointingToList() {
        CliRun run = hypha("account", "export-address", DEV_ADDRESS);

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(run.errorLine()).contains("hypha account list");
    }

    @Test
    void passwordSourcesFailClearly() {
        CliRun unset = CliRun.run(Map.of(), "--home", home.toString(), "account", "new", "--light-kdf",
                "--password-env", "NO_SUCH_VARIABLE");
        CliRun missing = hypha("account", "new", "--light-kdf", "--password-file", dir.resolve("nope").toString());
        CliRun fromEnv = CliRun.run(Map.of("PW", "secret"), "--home", home.toString(), "account", "new",
                "--light-kdf", "--password-env", "PW");

        assertThat(unset.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unset.errorLine()).contains("NO_SUCH_VARIABLE").contains("not set");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(missing.errorLine()).contains("does not exist");
        assertThat(fromEnv.exitCode()).as(fromEnv.err()).isZero();
        assertThat(fromEnv.out() + fromEnv.err()).doesNotContain("secret");
    }

    @Test
    void malformedPrivateKeyIsRejectedWithoutEchoingIt() throws IOException {
        Path keyFile = Files.writeString(dir.resolve("key"), "0xnot-a-key-but-secret\n");

        CliRun run = hypha("account", "import", "--light-kdf", "--private-key-file", keyFile.toString(),
                "--password-file", passwordFile.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(run.errorLine()).contains("not a private key").doesNotContain("secret");
    }

    @Test
    void listOnAnEmptyHomeSaysSo() {
        CliRun run = hypha("account", "list");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("No accounts").contains("hypha account new");
    }

    @Test
    void aKeyFileThatNeverEndsIsRefusedAfterAFewKilobytes() {
        // /dev/zero as the key file: the whole "file" used to be read into memory, which never ends well
        CliRun run = hypha("account", "import", "--light-kdf", "--private-key-file", "/dev/zero",
                "--password-file", passwordFile.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(run.errorLine()).isEqualTo("private key file /dev/zero is longer than 4096 bytes (expected the key"
                + " on its first line)");
    }
}
