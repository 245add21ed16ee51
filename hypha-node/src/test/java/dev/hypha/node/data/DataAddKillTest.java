package dev.hypha.node.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.assets.AssetRecord;
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
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.seal.RecipientKey;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.web3j.crypto.Credentials;

/**
 * Crash safety of {@code hypha data add}: a child JVM adding a file is killed with SIGKILL right after each durable
 * step (record written, registration mined, registration recorded); the next run finishes it. Afterwards the asset is
 * registered exactly once, the owner holds its own grant, and the key opens the data to the original bytes: no
 * half-registered asset, no lost key.
 */
class DataAddKillTest {
    private static Devnet devnet;
    private static ChainClient chain;
    private static Deployment deployment;

    @TempDir
    Path dir;

    @BeforeAll
    static void deploy() {
        devnet = new AnvilLauncher().accounts(2).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        deployment = new Deployer(new TransactionSender(chain, devnet.account(0), new NonceManager(chain),
                RevertDecoder.forHyphaContracts())).deploy(DeployParams.devnet());
    }

    @AfterAll
    static void stop() {
        chain.close();
        devnet.close();
    }

    @ParameterizedTest
    @EnumSource(value = DataOwner.Step.class, names = {"RECORDED", "REGISTERED", "REGISTRATION_RECORDED"})
    void anAddKilledAfterAnyStepIsFinishedOnceByTheNextRun(DataOwner.Step step) throws Exception {
        byte[] plain = new byte[1_200_000];
        new SplittableRandom(step.ordinal()).nextBytes(plain);
        Path file = Files.write(dir.resolve("data.bin"), plain);
        Path out = dir.resolve("opened.bin");
        assertThat(killThenFinish(step, file, out).size()).isEqualTo(plain.length);
        assertThat(Files.readAllBytes(out)).isEqualTo(plain);
    }

    @ParameterizedTest
    @EnumSource(value = DataOwner.Step.class, names = {"RECORDED", "REGISTERED", "REGISTRATION_RECORDED"})
    void aFolderAddKilledAfterAnyStepIsFinishedOnceByTheNextRun(DataOwner.Step step) throws Exception {
        Path folder = DataFolderTest.sampleTree(dir.resolve("corpus"), step.ordinal());
        Path out = dir.resolve("opened");
        DataOwner.Added added = killThenFinish(step, folder, out);
        assertThat(DataFolderTest.contents(out)).isEqualTo(DataFolderTest.contents(folder));
        assertThat(added.plaintext()).isEqualTo(DataTree.scan(folder).root().cid());
    }

    /** Adds {@code file} in a child JVM killed at {@code step}, finishes it here, checks it, and opens it to {@code out}. */
    private DataOwner.Added killThenFinish(DataOwner.Step step, Path file, Path out) throws Exception {
        Credentials key = devnet.account(1);
        Path home = dir.resolve("home");
        new Deployments(home.resolve("deployments")).save(deployment);
        HyphaContracts contracts = HyphaContracts.connect(deployment, new TransactionSender(chain, key,
                new NonceManager(chain), RevertDecoder.forHyphaContracts()));
        long before = contracts.assets().nextAssetId();

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DataAddChild.class.getName(), devnet.rpcUrl(),
                home.toString(), key.getEcKeyPair().getPrivateKey().toString(16), file.toString(), step.name()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> said = new ArrayList<>();
        try (BufferedReader childOut = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = childOut.readLine()) != null) {
                said.add(line);
                if (line.equals("AT " + step)) {
                    child.destroyForcibly(); // SIGKILL
                    break;
                }
            }
        }
        assertThat(child.waitFor()).as(String.join("\n", said)).isEqualTo(137);
        assertThat(said).contains("AT " + step);

        DataOwner owner = new DataOwner(home, contracts, key);
        List<DataOwner.Added> finished = owner.finishPending();
        assertThat(finished).hasSize(1);
        DataOwner.Added added = finished.getFirst();
        assertThat(added.resumed()).isTrue();
        assertThat(owner.finishPending()).isEmpty();
        assertThat(owner.records()).extracting(OwnedData::state).containsExactly(OwnedData.State.GRANTED);

        long after = contracts.assets().nextAssetId();
        List<Long> registered = new ArrayList<>();
        for (long id = before; id < after; id++) {
            AssetRecord a = contracts.assets().asset(id);
            if (Arrays.equals(a.contentId(), added.sealed().bytes())) registered.add(id);
        }
        assertThat(registered).containsExactly(added.assetId());
        Address me = Address.parse(key.getAddress());
        assertThat(contracts.grants().hasAccess(added.assetId(), me)).isTrue();

        DataReader reader = new DataReader(home, contracts);
        reader.open(added.assetId(), reader.accountKey(added.assetId(), me,
                RecipientKey.ofAccount(key.getEcKeyPair().getPrivateKey())), Optional.empty(), out, (d, t) -> {});
        assertThat(ContentId.parse(added.plaintext().toString())).isEqualTo(added.plaintext());
        return added;
    }
}
