package dev.hypha.cli;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.keys.KdfStrength;
import dev.hypha.core.keys.KeystoreDirectory;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha account new|list|import|export-address}: encrypted keystores under {@code <home>/keystore}. Private
 * keys and passwords are never printed and never taken as command-line arguments (they would land in shell history).
 */
@Command(name = "account", description = "Manage the encrypted keys in <home>/keystore.",
        subcommands = {
            AccountCommand.New.class,
            AccountCommand.ListAccounts.class,
            AccountCommand.Import.class,
            AccountCommand.ExportAddress.class,
        })
final class AccountCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** Shared by the commands that write keys. */
    static final class KdfOption {
        @Option(names = "--light-kdf",
                description = "Cheap scrypt (n=4096) for throw-away devnet keys; the default is geth's standard cost.")
        boolean light;

        KdfStrength strength() {
            return light ? KdfStrength.LIGHT : KdfStrength.STANDARD;
        }
    }

    @Command(name = "new", description = "Create a new key, encrypted with a password; prints its address.")
    static final class New implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        KdfOption kdf = new KdfOption();

        @Override
        public Integer call() {
            Session session = Session.of(spec);
            KeystoreDirectory keystore = session.keystore(kdf.strength());
            Address address = session.withPassword("Password for the new account: ", true, keystore::create);
            session.out().println(address.toChecksumString());
            session.err().println("Created account " + address.toChecksumString() + " in " + keystore.directory());
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "List the accounts in the keystore (addresses only).")
    static final class ListAccounts implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Session session = Session.of(spec);
            KeystoreDirectory keystore = session.keystore();
            List<Address> accounts = keystore.list();
            for (Address account : accounts) {
                session.out().println(account.toChecksumString());
            }
            if (accounts.isEmpty()) {
                session.err().println("No accounts in " + keystore.directory()
                        + " (create one with `hypha account new`).");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "import",
            description = {"Import a private key or a keystore file into the keystore.",
                "Without --keystore or --private-key-file, the private key is asked for on the terminal (no echo)."})
    static final class Import implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        KdfOption kdf = new KdfOption();

        static final class Source {
            @Option(names = "--keystore", paramLabel = "FILE",
                    description = "A Web3 Secret Storage (v3) file, e.g. from geth or cast; the password must open it.")
            Path keystoreFile;

            @Option(names = "--private-key-file", paramLabel = "FILE",
                    description = "A file whose first line is the private key (64 hex digits, 0x optional).")
            Path privateKeyFile;
        }

        @ArgGroup(exclusive = true)
        Source source = new Source();

        @Override
        public Integer call() {
            Session session = Session.of(spec);
            KeystoreDirectory keystore = session.keystore(kdf.strength());
            Address address;
            if (source.keystoreFile != null) {
                address = session.withPassword("Password of " + source.keystoreFile + ": ", false,
                        password -> keystore.importKeystoreFile(source.keystoreFile, password));
            } else {
                char[] key = source.privateKeyFile != null ? firstLine(source.privateKeyFile) : promptKey();
                try {
                    String hex = new String(key);
                    address = session.withPassword("Password to encrypt the key with: ", true,
                            password -> keystore.importPrivateKey(hex, password));
                } finally {
                    Arrays.fill(key, '\0');
                }
            }
            session.out().println(address.toChecksumString());
            session.err().println("Imported account " + address.toChecksumString() + " into " + keystore.directory());
            return ExitCodes.OK;
        }

        /** A key line is 66 characters; reading stops here (a key "file" could be /dev/zero). */
        static final int MAX_KEY_FILE_BYTES = 4096;

        private static char[] firstLine(Path file) {
            try (java.io.InputStream in = Files.newInputStream(file)) {
                byte[] bytes = in.readNBytes(MAX_KEY_FILE_BYTES + 1);
                if (bytes.length > MAX_KEY_FILE_BYTES) {
                    Arrays.fill(bytes, (byte) 0);
                    throw HyphaException.input("private key file " + file + " is longer than " + MAX_KEY_FILE_BYTES
                            + " bytes (expected the key on its first line)");
                }
                String text = new String(bytes, StandardCharsets.UTF_8);
                Arrays.fill(bytes, (byte) 0);
                String line = text.lines().findFirst().orElse("").strip();
                if (line.isEmpty()) {
                    throw HyphaException.input("private key file " + file + " is empty (expected the key on its first line)");
                }
                return line.toCharArray();
            } catch (NoSuchFileException e) {
                throw HyphaException.input("private key file " + file + " does not exist", e);
            } catch (IOException e) {
                throw HyphaException.io("cannot read private key file " + file + ": " + e.getMessage(), e);
            }
        }

        private static char[] promptKey() {
            Console console = System.console();
            if (console == null) {
                throw new HyphaException(ErrorCategory.USAGE,
                        "no terminal to ask for the private key; use --private-key-file FILE or --keystore FILE");
            }
            char[] key = console.readPassword("%s", "Private key (hex): ");
            if (key == null || key.length == 0) {
                throw HyphaException.input("empty private key");
            }
            return key;
        }
    }

    @Command(name = "export-address",
            description = "Print an account's checksummed address (checks the keystore holds it). Never prints keys.")
    static final class ExportAddress implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ADDR", arity = "0..1",
                description = "The account (default: --account, the account setting, or the only account).")
        String address;

        @Override
        public Integer call() {
            Session session = Session.of(spec);
            Address account = address != null ? Address.parse(address) : session.account();
            session.out().println(session.keystore().exportAddress(account));
            return ExitCodes.OK;
        }
    }
}
