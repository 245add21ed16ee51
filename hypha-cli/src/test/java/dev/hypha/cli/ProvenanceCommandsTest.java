package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.assets.AssetKind;
import dev.hypha.chain.assets.Licence;
import dev.hypha.chain.assets.Terms;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * {@code hypha model register} and {@code hypha lineage} against a real anvil chain with deployed contracts: a dataset
 * and a model built on it are registered from files with their content ids, licence and lineage; the lineage prints as
 * a tree and as JSON; bad input and the contract's refusals come back as one clear error line.
 */
class ProvenanceCommandsTest {
    private static final Pattern REGISTERED = Pattern.compile("Registered (?:model|dataset) #(\\d+) ");
    private static Devnet devnet;
    private static ChainClient chain;
    private static Deployment deployment;

    @TempDir
    Path dir;
    Path home;
    Path passwordFile;

    @BeforeAll
    static void startChain() {
        devnet = new AnvilLauncher().accounts(4).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        TransactionSender sender = new TransactionSender(chain, devnet.account(0), new NonceManager(chain),
                RevertDecoder.forHyphaContracts());
        deployment = new Deployer(sender).deploy(DeployParams.devnet());
    }

    @AfterAll
    static void stopChain() {
        chain.close();
        devnet.close();
    }

    @BeforeEach
    void homeWithAnAccount() throws IOException {
        home = dir.resolve("home");
        new Deployments(home.resolve("deployments")).save(deployment);
        passwordFile = Files.writeString(dir.resolve("password"), "pw\n");
        Credentials key = devnet.account(1);
        Path keyFile = Files.writeString(dir.resolve("key"), key.getEcKeyPair().getPrivateKey().toString(16));
        CliRun imported = hypha("account", "import", "--light-kdf", "--private-key-file", keyFile.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
    }

    private CliRun hypha(String... args) {
        String[] all = Stream.concat(Stream.of("--home", home.toString(), "--rpc", devnet.rpcUrl(),
                "--password-file", passwordFile.toString()), Stream.of(args)).toArray(String[]::new);
        return CliRun.run(all);
    }

    private static long registeredId(CliRun run) {
        assertThat(run.exitCode()).as(run.err()).isZero();
        Matcher m = REGISTERED.matcher(run.out());
        assertThat(m.find()).as(run.out()).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void aModelIsRegisteredWithItsLineage_andTheLineagePrintsAsATreeAndAsJson() throws Exception {
        Path data = Files.writeString(dir.resolve("data.csv"), "label,pixels\n3,0 0 1\n");
        Path weights = Files.write(dir.resolve("model.bin"), new byte[] {1, 2, 3, 4, 5});
        CliRun ds = hypha("model", "register", data.toString(), "--dataset", "--license", "CC-BY-4.0");
        long datasetId = registeredId(ds);
        assertThat(ds.out()).contains(ContentIds.of(data).toString()).contains("CC-BY-4.0, free");

        CliRun model = hypha("model", "register", weights.toString(), "--license", "Apache-2.0", "--terms",
                "paid-per-token", "--price", "20", "--parent", datasetId + ":2500");
        long modelId = registeredId(model);
        assertThat(model.out()).contains("parent #" + datasetId + " earns 25.00% of its revenue");

        CliRun tree = hypha("lineage", Long.toString(modelId));
        assertThat(tree.exitCode()).as(tree.err()).isZero();
        assertThat(tree.out().lines()).hasSize(2);
        assertThat(tree.out().lines().findFirst().orElseThrow())
                .startsWith("#" + modelId + " model " + ContentIds.of(weights))
                .contains("Apache-2.0, paid-per-token 20 units per 1,000 tokens");
        assertThat(tree.out()).contains("└── 25.00%  #" + datasetId + " dataset " + ContentIds.of(data));

        CliRun json = hypha("lineage", Long.toString(modelId), "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertThat(root.get("id").asLong()).isEqualTo(modelId);
        assertThat(root.get("licence").get("price").asText()).isEqualTo("20");
        assertThat(root.get("parents")).hasSize(1);
        assertThat(root.get("parents").get(0).get("id").asLong()).isEqualTo(datasetId);
        assertThat(root.get("parents").get(0).get("shareBps").asInt()).isEqualTo(2500);
        assertThat(root.get("parents").get(0).get("contentId").asText()).isEqualTo(ContentIds.of(data).toString());
    }

    @Test
    void badInputAndTheContractsRefusalsAreOneClearLine() throws Exception {
        Path weights = Files.write(dir.resolve("m.bin"), new byte[] {9});
        CliRun badParent = hypha("model", "register", weights.toString(), "--license", "MIT", "--parent", "7");
        assertThat(badParent.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(badParent.errorLine()).contains("ID:SHARE_BPS");

        CliRun noPrice = hypha("model", "register", weights.toString(), "--license", "MIT", "--terms", "paid-per-use");
        assertThat(noPrice.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(noPrice.errorLine()).contains("needs --price");

        CliRun unknown = hypha("model", "register", weights.toString(), "--license", "MIT", "--parent", "999:100");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.CHAIN);
        assertThat(unknown.errorLine()).contains("UnknownAsset(assetId=999)");

        CliRun missing = hypha("lineage", "999");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.CHAIN);
        assertThat(missing.errorLine()).contains("UnknownAsset");
    }

    @Test
    void revenuePaidToAModelReachesTheDatasetOwnerByItsShare_andIsWithdrawn() throws Exception {
        Credentials other = devnet.account(2);
        HyphaContracts asOther = HyphaContracts.connect(deployment, new TransactionSender(chain, other,
                new NonceManager(chain), RevertDecoder.forHyphaContracts()));
        long datasetId = asOther.assets().register(AssetKind.DATASET, ContentIds.of("other's data".getBytes()).bytes(),
                new byte[0], Licence.unpriced("CC-BY-4.0", Terms.FREE), List.of());
        Path weights = Files.write(dir.resolve("net.bin"), new byte[] {7, 7});
        long modelId = registeredId(hypha("model", "register", weights.toString(), "--license", "MIT",
                "--parent", datasetId + ":4000"));

        CliRun broke = hypha("royalties", "pay", Long.toString(modelId), "2.5");
        assertThat(broke.exitCode()).isEqualTo(ExitCodes.CHAIN); // the account holds no hUSD yet
        treasury().payment().mint(devnet.account(1).getAddress(), BigInteger.valueOf(2_500_000));
        CliRun paid = hypha("royalties", "pay", Long.toString(modelId), "2.5");
        assertThat(paid.exitCode()).as(paid.err()).isZero();
        assertThat(paid.out()).contains("Paid 2.5 hUSD to asset #" + modelId);

        CliRun theirs = hypha("royalties", "balance", other.getAddress());
        assertThat(theirs.out()).contains("may withdraw 1 hUSD"); // 40 % of 2.5
        CliRun mine = hypha("royalties", "balance");
        assertThat(mine.out()).contains("may withdraw 1.5 hUSD");
        CliRun withdrawn = hypha("royalties", "withdraw");
        assertThat(withdrawn.exitCode()).as(withdrawn.err()).isZero();
        assertThat(withdrawn.out()).contains("Withdrew 1.5 hUSD");
        assertThat(treasury().payment().balanceOf(devnet.account(1).getAddress())).isEqualTo(1_500_000);
        CliRun again = hypha("royalties", "withdraw");
        assertThat(again.exitCode()).isEqualTo(ExitCodes.CHAIN);
        assertThat(again.errorLine()).contains("ZeroAmount");

        CliRun bad = hypha("royalties", "pay", Long.toString(modelId), "0.0000001");
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(bad.errorLine()).contains("decimal places");
    }

    private static HyphaContracts treasury() {
        return HyphaContracts.connect(deployment, new TransactionSender(chain, devnet.account(0), new NonceManager(chain),
                RevertDecoder.forHyphaContracts()));
    }
}
