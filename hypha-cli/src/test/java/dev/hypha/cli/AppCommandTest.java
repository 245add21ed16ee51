package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.EmissionAuctionClient;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.cid.ContentIds;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * {@code hypha app} against a real anvil chain with `hypha deploy`'s contracts, in two homes: a creator publishes an app
 * (its spec file's content id) and a user pays for its use; after the epoch the creator claims its reward and
 * {@code earnings} splits what others paid from its own (ineligible) use; bad input is one clear error line.
 */
class AppCommandTest {
    private static final Pattern PUBLISHED = Pattern.compile("Published app #(\\d+):");
    private static Devnet devnet;
    private static ChainClient chain;
    private static Deployment deployment;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startChain() {
        devnet = new AnvilLauncher().accounts(4).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        TransactionSender sender = new TransactionSender(chain, devnet.account(0), new NonceManager(chain),
                RevertDecoder.forHyphaContracts());
        deployment = new Deployer(sender).deploy(DeployParams.devnet());
        HyphaContracts faucet = HyphaContracts.connect(deployment, sender);
        for (int i = 1; i <= 3; i++) {
            faucet.payment().mint(devnet.account(i).getAddress(), BigInteger.valueOf(100_000_000));
        }
        faucet.payment().mint(devnet.account(0).getAddress(), BigInteger.valueOf(100_000_000));
        faucet.apps().fund(BigInteger.valueOf(100_000_000)); // 100 hUSD of rewards
    }

    @AfterAll
    static void stopChain() {
        chain.close();
        devnet.close();
    }

    /** A home holding dev account {@code account}'s key. */
    private static Path home(int account) throws IOException {
        Path home = dir.resolve("home-" + account);
        new Deployments(home.resolve("deployments")).save(deployment);
        Credentials key = devnet.account(account);
        Path keyFile = Files.writeString(dir.resolve("key-" + account), key.getEcKeyPair().getPrivateKey().toString(16));
        CliRun imported = hypha(home, "account", "import", "--light-kdf", "--private-key-file", keyFile.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        return home;
    }

    private static CliRun hypha(Path home, String... args) {
        String[] all = Stream.concat(Stream.of("--home", home.toString(), "--rpc", devnet.rpcUrl(),
                "--password-file", dir.resolve("password").toString()), Stream.of(args)).toArray(String[]::new);
        return CliRun.run(all);
    }

    private static CliRun ok(CliRun run) {
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run;
    }

    @Test
    void aCreatorPublishesAUserPaysAndTheCreatorClaimsWhatOthersPaidItFor() throws Exception {
        Files.writeString(dir.resolve("password"), "pw\n");
        Path creator = home(1);
        Path user = home(2);
        String provider = devnet.account(3).getAddress();
        Path spec = Files.writeString(dir.resolve("app.json"), "{\"model\":\"hypha-tiny\",\"system\":\"Be brief.\"}");

        CliRun published = ok(hypha(creator, "app", "publish", "--spec", spec.toString(), "--price", "0.5",
                "--share", "40%"));
        Matcher m = PUBLISHED.matcher(published.out());
        assertThat(m.find()).as(published.out()).isTrue();
        String id = m.group(1);
        assertThat(published.out()).contains("0.5 hUSD per use, creator share 40.0%", "X-Hypha-App: " + id);
        assertThat(ok(hypha(user, "app", "list")).out()).contains("app #" + id, "price 0.5 hUSD per use",
                HexOf.digest(ContentIds.of(spec).multihash().digest()));

        HyphaContracts reader = HyphaContracts.readOnly(deployment, chain);
        // start at an epoch's first block: the three payments (approval and payment each) fit one 20-block epoch
        while ((chain.blockNumber() + 1 - reader.apps().startBlock()) % reader.apps().epochBlocks() != 0) {
            chain.request("evm_mine");
        }
        ok(hypha(user, "app", "pay", id, provider)); // the app's price
        ok(hypha(user, "app", "pay", id, provider, "--amount", "1.5"));
        ok(hypha(creator, "app", "pay", id, provider)); // its own use: paid, not eligible
        assertThat(ok(hypha(user, "app", "show", id)).out()).contains("eligible fees 2 hUSD of 2 hUSD");
        assertThat(ok(hypha(creator, "app", "claim", id)).out()).contains("Nothing to claim");

        long epoch = reader.apps().currentEpoch();
        while (reader.apps().currentEpoch() <= epoch) {
            chain.request("evm_mine");
        }
        // 5 % of the 2 hUSD others paid; the creator's own 0.5 earned nothing
        assertThat(ok(hypha(user, "app", "claim", id)).out()).contains("epoch " + epoch + ": 0.1 hUSD",
                "Claimed 0.1 hUSD for app #" + id);
        CliRun earnings = ok(hypha(creator, "app", "earnings", id));
        // shares: 40 % of 90 % of 2.5 hUSD = 0.9 hUSD
        assertThat(earnings.out()).contains("3 paid uses: 2 hUSD by others (eligible), 0.5 hUSD by the creator",
                "revenue share 0.9 hUSD, rewards claimed 0.1 hUSD");

        CliRun badShare = hypha(creator, "app", "publish", "--spec", spec.toString(), "--price", "1", "--share", "120%");
        assertThat(badShare.exitCode()).isNotZero();
        assertThat(badShare.err()).contains("share \"120%\" is not 0%..100%");
        CliRun badSpec = hypha(creator, "app", "publish", "--spec", "no-such-file", "--price", "1");
        assertThat(badSpec.err()).contains("is neither a file nor a content id");
        CliRun unknown = hypha(user, "app", "show", "99");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.err()).contains("UnknownApp");
    }

    @Test
    void anyoneBuysTheAppsEmissionLotAndWhatItPaysFundsThePool() throws Exception {
        Files.writeString(dir.resolve("password"), "pw\n");
        Path buyer = home(3);
        HyphaContracts reader = HyphaContracts.readOnly(deployment, chain);
        chain.request("evm_increaseTime", deployment.governanceDelaySeconds() + 1);
        chain.request("evm_mine");
        TransactionSender admin = new TransactionSender(chain, devnet.account(0), new NonceManager(chain),
                RevertDecoder.forHyphaContracts());
        HyphaContracts.connect(deployment, admin).payment().mint(devnet.account(3).getAddress(),
                BigInteger.valueOf(1_000_000_000)); // 1000 hUSD: whatever the lot grew to while the other test ran
        assertThat(ok(hypha(buyer, "app", "auction")).out()).contains("no lot opened yet",
                "the apps' share does not accrue to this auction yet: governance binds it",
                "lots start at 10 hUSD/HYP and fall to 0.01 hUSD/HYP over 100 blocks");
        CliRun blind = hypha(buyer, "app", "auction", "buy"); // no live lot: no price to default to
        assertThat(blind.exitCode()).isNotZero();
        assertThat(blind.err()).contains("no lot opened yet", "no live lot to read a price from", "give --max-price HUSD");
        assertThat(reader.auction().lot().id()).as("nothing opened, nothing bought").isEqualTo(-1);
        assertThat(new Deployer(admin).completeEmissionsGrant(deployment)).isTrue();
        assertThat(reader.subnets().appRecipient()).as("governance's binding executed")
                .isEqualTo(reader.auction().address());
        while (reader.auction().lot().nextLotAmount().compareTo(Deployer.hyp(1)) < 0) {
            chain.request("evm_mine");
        }
        CliRun tooLow = hypha(buyer, "app", "auction", "buy", "--max-price", "2");
        assertThat(tooLow.exitCode()).isNotZero();
        assertThat(tooLow.out()).contains("Opened lot #0");
        assertThat(tooLow.err()).contains("at 10 hUSD/HYP", "above --max-price 2 hUSD/HYP: not bought");
        BigInteger pool = reader.apps().pool();
        BigInteger lot = reader.auction().lot().amount();
        CliRun bought = ok(hypha(buyer, "app", "auction", "buy", "--max-price", "10"));
        BigInteger paid = pool.negate().add(reader.apps().pool());
        assertThat(paid).isPositive();
        assertThat(bought.out()).contains("Bought lot #0: " + EmissionAuctionClient.hyp(lot) + " HYP at ",
                "for " + TokenAmount.format(paid, 6) + " hUSD", "app reward pool now ");
        assertThat(ok(hypha(buyer, "app", "auction")).out()).contains("lot #0", "sold",
                "auctions paid into it " + TokenAmount.format(paid, 6) + " hUSD");
    }

    /** Hex of a spec digest as `hypha app list` prints it. */
    private static final class HexOf {
        static String digest(byte[] d) {
            return "spec 0x" + java.util.HexFormat.of().formatHex(d);
        }
    }
}
