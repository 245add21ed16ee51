package dev.hypha.cli;

import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.config.HyphaConfig;
import dev.hypha.core.config.Settings;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.keys.KdfStrength;
import dev.hypha.core.keys.KeystoreDirectory;
import dev.hypha.core.keys.PasswordSource;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What one command run works with, resolved from the global options, the environment and the config file: the
 * effective configuration, the keystore, the signing account and its password. Built once per command.
 */
final class Session implements AutoCloseable {

    private final Hypha root;
    private final CommandSpec spec;

    private HyphaConfig config;
    private ChainClient chain;

    private Session(CommandSpec spec) {
        this.spec = spec;
        this.root = Hypha.of(spec);
    }

    /** The session of the command whose spec this is. */
    static Session of(CommandSpec spec) {
        return new Session(spec);
    }

    /** Where command output goes (stdout, or the test's writer). */
    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Where progress and warnings go (stderr). */
    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** The injected process environment. */
    CliEnvironment environment() {
        return root.environment();
    }

    /**
     * The effective configuration: defaults, then the config file, then HYPHA_* variables, then flags. Loading it
     * also applies log.level.
     *
     * @throws HyphaException (CONFIG) naming the file, key and expectation when anything is malformed
     */
    HyphaConfig config() {
        if (config == null) {
            config = HyphaConfig.load(Optional.ofNullable(root.config), environment().env(), flags(),
                    environment().userHome());
            Logging.applyConfigured(root, config.get(Settings.LOG_LEVEL));
        }
        return config;
    }

    /** Global options that are also settings, under their setting keys. */
    private Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>();
        if (root.home != null) {
            flags.put(Settings.HOME.key(), root.home.toString());
        }
        if (root.rpc != null) {
            flags.put(Settings.RPC_URL.key(), root.rpc);
        }
        if (root.account != null) {
            flags.put(Settings.ACCOUNT.key(), root.account);
        }
        return flags;
    }

    /** The Hypha home folder. */
    Path home() {
        return config().get(Settings.HOME);
    }

    /** The config file that is (or would be) read. */
    Path configFile() {
        return root.config != null ? root.config : home().resolve(HyphaConfig.FILE_NAME);
    }

    /** The keystore folder, {@code <home>/keystore}, with the standard scrypt cost for new keys. */
    KeystoreDirectory keystore() {
        return keystore(KdfStrength.STANDARD);
    }

    /** The keystore folder with a chosen scrypt cost for new keys. */
    KeystoreDirectory keystore(KdfStrength strength) {
        return new KeystoreDirectory(home().resolve("keystore"), strength, Clock.systemUTC());
    }

    /**
     * The account that signs: {@code --account}, else the {@code account} setting, else the only account in the
     * keystore.
     *
     * @throws HyphaException (INPUT) when none can be chosen, listing what there is
     */
    Address account() {
        Optional<Address> configured = config().find(Settings.ACCOUNT);
        if (configured.isPresent()) {
            return configured.get();
        }
        KeystoreDirectory keystore = keystore();
        List<Address> accounts = keystore.list();
        if (accounts.size() == 1) {
            return accounts.getFirst();
        }
        if (accounts.isEmpty()) {
            throw HyphaException.input("no account in " + keystore.directory()
                    + ": create one with `hypha account new` or import one with `hypha account import`");
        }
        throw HyphaException.input("which account? the keystore has " + accounts.size()
                + " accounts: pass --account ADDR or set account in the config (see `hypha account list`)");
    }

    /** Where the password comes from: {@code --password-file}, {@code --password-env}, else the terminal. */
    PasswordSource passwordSource(String prompt, boolean confirm) {
        if (root.passwordFile != null && root.passwordEnv != null) {
            throw new HyphaException(ErrorCategory.USAGE, "give either --password-file or --password-env, not both");
        }
        if (root.passwordFile != null) {
            return PasswordSource.file(root.passwordFile);
        }
        if (root.passwordEnv != null) {
            return PasswordSource.environment(root.passwordEnv, environment().env());
        }
        return PasswordSource.prompt(prompt, confirm);
    }

    /** Runs {@code action} with the password, clearing it afterwards. */
    <T> T withPassword(String prompt, boolean confirm, Function<char[], T> action) {
        char[] password = passwordSource(prompt, confirm).read();
        try {
            return action.apply(password);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /**
     * A client for the configured RPC URL (nothing is sent yet). When {@code chain.id} is configured, the first use
     * checks the endpoint serves that chain.
     */
    ChainClient chain() {
        if (chain == null) {
            chain = ChainClient.connect(config().get(Settings.RPC_URL).toString());
            Optional<Long> expected = config().find(Settings.CHAIN_ID);
            if (expected.isPresent() && chain.chainId() != expected.get()) {
                long actual = chain.chainId();
                chain.close();
                chain = null;
                throw HyphaException.input("the RPC endpoint " + config().get(Settings.RPC_URL) + " serves chain "
                        + actual + " but chain.id is " + expected.get() + ": fix rpc.url or chain.id");
            }
        }
        return chain;
    }

    /** The deployments folder, {@code <home>/deployments}. */
    Deployments deployments() {
        return new Deployments(home().resolve("deployments"));
    }

    /**
     * Hypha's deployment on the connected chain, checked against the chain (every contract still has its code).
     *
     * @throws HyphaException (CHAIN) when none is recorded or it is stale, saying how to get one
     */
    Deployment deployment() {
        ChainClient client = chain();
        long chainId = client.chainId();
        Deployments deployments = deployments();
        Deployment deployment = deployments.load(chainId).orElseThrow(() -> new HyphaException(ErrorCategory.CHAIN,
                "no Hypha contracts recorded for chain " + chainId + " in " + deployments.file(chainId).getParent()
                        + ": start a local network with `hypha up` or deploy with `hypha deploy --rpc URL`"));
        List<String> problems = Deployments.verify(deployment, client);
        if (!problems.isEmpty()) {
            throw new HyphaException(ErrorCategory.CHAIN, "the deployment recorded in " + deployments.file(chainId)
                    + " does not match the chain (" + String.join("; ", problems)
                    + "): was the chain reset? run `hypha up` or `hypha deploy` again");
        }
        return deployment;
    }

    /** Hypha's contracts, written to as the (unlocked) signing account. */
    HyphaContracts contractsAsSigner() {
        Deployment deployment = deployment();
        return HyphaContracts.connect(deployment, sender(credentials()));
    }

    /**
     * Hypha's contracts for reading only: no account is unlocked, so `status` and `provider show` never ask for a
     * password, and any attempt to write through them fails.
     */
    HyphaContracts contractsForReading() {
        Deployment deployment = deployment();
        return HyphaContracts.readOnly(deployment, chain());
    }

    /** A transaction sender for an account on the connected chain. */
    TransactionSender sender(Credentials credentials) {
        ChainClient client = chain();
        BigInteger maxFee = BigInteger.valueOf(config().get(Settings.TX_MAX_FEE_GWEI)).multiply(BigInteger.TEN.pow(9));
        return new TransactionSender(client, credentials, new NonceManager(client), RevertDecoder.forHyphaContracts(),
                TransactionSender.Options.DEFAULT.withMaxFeePerGas(maxFee));
    }

    /** Closes what the session opened. */
    @Override
    public void close() {
        if (chain != null) {
            chain.close();
            chain = null;
        }
    }

    /**
     * Unlocks the signing account.
     *
     * @throws dev.hypha.core.keys.WrongPasswordException (AUTH) for a wrong password
     */
    Credentials credentials() {
        Address account = account();
        KeystoreDirectory keystore = keystore();
        if (!keystore.contains(account)) {
            throw HyphaException.input("account " + account + " is not in the keystore " + keystore.directory()
                    + " (see `hypha account list`, or import it with `hypha account import`)");
        }
        return withPassword("Password for " + account + ": ", false, password -> keystore.unlock(account, password));
    }

    /**
     * The signing account unlocked without asking anyone (a password file or variable is given), for servers that run
     * unattended; empty when a terminal prompt would be needed or no account is chosen.
     */
    Optional<Credentials> credentialsIfUnattended() {
        if (root.passwordFile == null && root.passwordEnv == null) return Optional.empty();
        try {
            account();
        } catch (HyphaException noAccount) {
            return Optional.empty();
        }
        return Optional.of(credentials());
    }
}
