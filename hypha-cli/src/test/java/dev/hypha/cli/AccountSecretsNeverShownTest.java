package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.keys.KdfStrength;
import dev.hypha.core.keys.KeystoreDirectory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.utils.Numeric;

/**
 * Every {@code hypha account} command, in every form and with wrong inputs, with and without {@code --verbose}: the
 * private key never appears on stdout or stderr, neither in the command's writers nor in anything printed to the
 * process streams (logs, stack traces).
 */
class AccountSecretsNeverShownTest {

    /** anvil's dev key 0 (public test key). Starts with a letter: a JSON parser reads it as one bad token. */
    static final String LETTER_KEY = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    /** anvil's key 1. Starts with digits: a JSON parser reads a number, then fails on the letters. */
    static final String DIGIT_KEY = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    /** anvil's key 2, held by a keystore file from another home. */
    static final String KEYSTORE_KEY = "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

    @TempDir
    Path dir;

    /** One command's output: the command's own writers plus what reached System.out / System.err meanwhile. */
    record Shown(String label, int exitCode, String text) {
    }

    private Shown run(String label, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream process = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(process, true, StandardCharsets.UTF_8);
        CliRun run;
        try {
            System.setOut(capture);
            System.setErr(capture);
            run = CliRun.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Shown(label, run.exitCode(), run.out() + run.err() + process.toString(StandardCharsets.UTF_8));
    }

    @Test
    void noAccountCommandEverPrintsAPrivateKey() throws IOException {
        Path home = dir.resolve("home");
        Path password = Files.writeString(dir.resolve("password"), "correct horse\n");
        Path wrongPassword = Files.writeString(dir.resolve("wrong"), "battery staple\n");
        List<String> keys = new ArrayList<>(List.of(LETTER_KEY, DIGIT_KEY, KEYSTORE_KEY));

        // plaintext key files in every shape a user might have
        Path letterKey = Files.writeString(dir.resolve("letter.key"), LETTER_KEY + "\n");
        Path digitKey = Files.writeString(dir.resolve("digit.key"), DIGIT_KEY + "\n");
        Path prefixedKey = Files.writeString(dir.resolve("prefixed.key"), "0x" + LETTER_KEY + "\n");
        Path quotedKey = Files.writeString(dir.resolve("quoted.key"), "\"" + DIGIT_KEY + "\"\n");
        Path jsonKey = Files.writeString(dir.resolve("json.key"), "{\"privateKey\":\"" + DIGIT_KEY + "\"}\n");
        Path brokenJsonKey = Files.writeString(dir.resolve("broken.key"), "{\"version\":3,\"crypto\":" + DIGIT_KEY);
        Path shortKey = Files.writeString(dir.resolve("short.key"), DIGIT_KEY.substring(1) + "\n");
        Path longKey = Files.writeString(dir.resolve("long.key"), DIGIT_KEY + "00\n");
        Path badDigitKey = Files.writeString(dir.resolve("bad.key"), "zz" + DIGIT_KEY.substring(2) + "\n");
        Path emptyKey = Files.writeString(dir.resolve("empty.key"), "\n");

        // a real keystore of another home, and one whose scrypt cost is absurd
        Path otherHome = dir.resolve("other");
        KeystoreDirectory other = new KeystoreDirectory(otherHome.resolve("keystore"), KdfStrength.LIGHT,
                Clock.systemUTC());
        Address otherAddress = other.importPrivateKey(KEYSTORE_KEY, "correct horse".toCharArray());
        Path keystoreFile = other.fileOf(otherAddress).orElseThrow();
        Path hugeN = Files.writeString(dir.resolve("huge-n.json"),
                Files.readString(keystoreFile).replace("\"n\":4096", "\"n\":4194304"));
        Path keyInCiphertext = Files.writeString(dir.resolve("key-in-ciphertext.json"),
                Files.readString(keystoreFile).replaceFirst("\"ciphertext\":\"[0-9a-f]+\"",
                        "\"ciphertext\":\"" + KEYSTORE_KEY + "\""));

        List<Shown> shown = new ArrayList<>();
        for (boolean verbose : new boolean[] {false, true}) {
            Path h = home.resolve(verbose ? "verbose" : "quiet");
            List<String> base = new ArrayList<>(List.of("--home", h.toString()));
            if (verbose) base.add("--verbose");
            String v = verbose ? " --verbose" : "";
            shown.add(run("new" + v, args(base, "account", "new", "--light-kdf", "--password-file", password.toString())));
            shown.add(run("new without password" + v, args(base, "account", "new", "--light-kdf",
                    "--password-env", "NO_SUCH_VARIABLE")));
            shown.add(run("list" + v, args(base, "account", "list")));
            for (Path keyFile : List.of(letterKey, digitKey, prefixedKey, quotedKey, jsonKey, brokenJsonKey, shortKey,
                    longKey, badDigitKey, emptyKey, dir.resolve("missing.key"), dir)) {
                shown.add(run("import --private-key-file " + keyFile.getFileName() + v, args(base, "account", "import",
                        "--light-kdf", "--private-key-file", keyFile.toString(), "--password-file", password.toString())));
                shown.add(run("import --keystore " + keyFile.getFileName() + v, args(base, "account", "import",
                        "--keystore", keyFile.toString(), "--password-file", password.toString())));
            }
            shown.add(run("import --private-key-file (again: already there)" + v, args(base, "account", "import",
                    "--light-kdf", "--private-key-file", digitKey.toString(), "--password-file", password.toString())));
            for (Path keystore : List.of(keystoreFile, hugeN, keyInCiphertext)) {
                shown.add(run("import --keystore " + keystore.getFileName() + v, args(base, "account", "import",
                        "--keystore", keystore.toString(), "--password-file", password.toString())));
                shown.add(run("import --keystore " + keystore.getFileName() + " wrong password" + v, args(base,
                        "account", "import", "--keystore", keystore.toString(), "--password-file",
                        wrongPassword.toString())));
            }
            shown.add(run("import (no terminal to prompt)" + v, args(base, "account", "import", "--light-kdf",
                    "--password-file", password.toString())));
            shown.add(run("import with both sources" + v, args(base, "account", "import", "--keystore",
                    keystoreFile.toString(), "--private-key-file", digitKey.toString())));
            shown.add(run("list after imports" + v, args(base, "account", "list")));
            shown.add(run("export-address" + v, args(base, "account", "export-address",
                    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")));
            shown.add(run("export-address of the imported keystore" + v, args(base, "account", "export-address",
                    otherAddress.toString())));
            shown.add(run("export-address of a missing account" + v, args(base, "account", "export-address",
                    "0x0000000000000000000000000000000000000001")));
            shown.add(run("export-address of a bad address" + v, args(base, "account", "export-address", "0x12")));
            KeystoreDirectory created = new KeystoreDirectory(h.resolve("keystore"));
            for (Address account : created.list()) { // includes the key `account new` made, decrypted to look for it
                keys.add(Numeric.toHexStringNoPrefixZeroPadded(
                        created.unlock(account, "correct horse".toCharArray()).getEcKeyPair().getPrivateKey(), 64));
            }
        }

        for (Shown s : shown) {
            String text = s.text().toLowerCase(Locale.ROOT);
            for (String key : keys) {
                assertThat(text).as("output of `%s`:%n%s", s.label(), s.text())
                        .doesNotContain(key.substring(0, 16)).doesNotContain(key.substring(40));
            }
        }
        assertThat(shown.stream().filter(s -> s.exitCode() == 0).map(Shown::label))
                .as("the commands that should succeed did").contains("new", "new --verbose", "list", "import --private-key-file letter.key",
                        "import --keystore " + keystoreFile.getFileName() + " --verbose");
        assertThat(shown.stream().filter(s -> s.label().contains("--verbose") && s.exitCode() != 0)
                .filter(s -> s.text().contains("\tat ")).count())
                .as("verbose failures print stack traces, so causes are shown too").isPositive();
        assertThat(keys).as("the keys made by `account new` were found").hasSizeGreaterThanOrEqualTo(7);
    }

    private static String[] args(List<String> base, String... more) {
        return Stream.concat(base.stream(), Stream.of(more)).toArray(String[]::new);
    }
}
