package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.node.content.BlockRoutes;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hypha model bom NAME --format cyclonedx|spdx}: valid CycloneDX to standard output, SPDX 3 to a file. */
class ModelBomCommandTest {
    @Test
    void exportsAValidMlBomOfAStoredModel(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("HYPHA_HOME", dir.resolve("home").toString());
        Path model = dir.resolve("hypha-tiny.gguf");
        try (InputStream in = BlockRoutes.class.getResourceAsStream("/dev/hypha/node/devnet/hypha-tiny.gguf")) {
            Files.copy(in, model);
        }
        assertThat(CliRun.run(env, "model", "import", model.toString(), "--name", "tiny").exitCode()).isZero();

        CliRun cdx = CliRun.run(env, "model", "bom", "tiny", "--format", "cyclonedx", "--license", "Apache-2.0");
        assertThat(cdx.exitCode()).as(cdx.err()).isZero();
        assertThat(new JsonParser().validate(cdx.out().getBytes(StandardCharsets.UTF_8), Version.VERSION_16)).isEmpty();
        JsonNode component = new ObjectMapper().readTree(cdx.out()).at("/components/0");
        assertThat(component.path("name").asText()).isEqualTo("tiny");
        assertThat(component.at("/licenses/0/expression").asText()).isEqualTo("Apache-2.0");

        Path spdx = dir.resolve("tiny.spdx.json");
        CliRun written = CliRun.run(env, "model", "bom", "tiny", "--format", "spdx", "--out", spdx.toString());
        assertThat(written.exitCode()).as(written.err()).isZero();
        assertThat(written.out()).contains("Wrote the SPDX 3.0.1 AI document of tiny:latest to " + spdx);
        assertThat(new ObjectMapper().readTree(spdx.toFile()).path("@context").asText())
                .isEqualTo("https://spdx.org/rdf/3.0.1/spdx-context.jsonld");

        CliRun bad = CliRun.run(env, "model", "bom", "tiny", "--format", "xml");
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(bad.err()).contains("unknown --format 'xml'; use cyclonedx or spdx");
        CliRun badLicense = CliRun.run(env, "model", "bom", "tiny", "--format", "spdx", "--license", "<script>");
        assertThat(badLicense.exitCode()).isEqualTo(ExitCodes.INPUT);
    }

    /**
     * {@code --asset ID}: the model's registered lineage, read from a real anvil chain, lands in both documents (the
     * dataset as a data component the model card names and SPDX's trainedOn), which still validate; an asset that is a
     * dataset, or that registers other bytes, is refused naming it.
     */
    @Test
    void theRegisteredLineageOfTheModelGoesIntoTheBom(@TempDir Path dir) throws Exception {
        try (dev.hypha.chain.devnet.Devnet devnet = new dev.hypha.chain.devnet.AnvilLauncher().accounts(2).start();
             dev.hypha.chain.rpc.ChainClient chain = dev.hypha.chain.rpc.ChainClient.connect(devnet.rpcUrl())) {
            var sender = new dev.hypha.chain.tx.TransactionSender(chain, devnet.account(0),
                    new dev.hypha.chain.tx.NonceManager(chain), dev.hypha.chain.tx.RevertDecoder.forHyphaContracts());
            var deployment = new dev.hypha.chain.deploy.Deployer(sender).deploy(dev.hypha.chain.deploy.DeployParams.devnet());
            Path home = dir.resolve("home");
            new dev.hypha.chain.deploy.Deployments(home.resolve("deployments")).save(deployment);
            Path password = Files.writeString(dir.resolve("pw"), "pw\n");
            Path keyFile = Files.writeString(dir.resolve("key"), devnet.account(1).getEcKeyPair().getPrivateKey().toString(16));
            java.util.function.Function<String[], CliRun> hypha = args -> CliRun.run(java.util.stream.Stream.concat(
                    java.util.stream.Stream.of("--home", home.toString(), "--rpc", devnet.rpcUrl(), "--password-file",
                            password.toString()), java.util.Arrays.stream(args)).toArray(String[]::new));
            assertThat(hypha.apply(new String[] {"account", "import", "--light-kdf", "--private-key-file", keyFile.toString()})
                    .exitCode()).isZero();
            Path model = dir.resolve("hypha-tiny.gguf");
            try (InputStream in = BlockRoutes.class.getResourceAsStream("/dev/hypha/node/devnet/hypha-tiny.gguf")) {
                Files.copy(in, model);
            }
            assertThat(hypha.apply(new String[] {"model", "import", model.toString(), "--name", "tiny"}).exitCode()).isZero();
            Path data = Files.writeString(dir.resolve("train.csv"), "x,y\n1,2\n");
            CliRun dataset = hypha.apply(new String[] {"model", "register", data.toString(), "--dataset", "--license", "CC-BY-4.0"});
            assertThat(dataset.out()).as(dataset.err()).contains("Registered dataset #1 ");
            CliRun registered = hypha.apply(new String[] {"model", "register", model.toString(), "--license", "Apache-2.0",
                    "--parent", "1:2500"});
            assertThat(registered.out()).as(registered.err()).contains("Registered model #2 ");

            CliRun cdx = hypha.apply(new String[] {"model", "bom", "tiny", "--format", "cyclonedx", "--asset", "2"});
            assertThat(cdx.exitCode()).as(cdx.err()).isZero();
            assertThat(new JsonParser().validate(cdx.out().getBytes(StandardCharsets.UTF_8), Version.VERSION_16)).isEmpty();
            JsonNode bom = new ObjectMapper().readTree(cdx.out());
            assertThat(bom.at("/components/0/modelCard/modelParameters/datasets/0/ref").asText()).isEqualTo("hypha:dataset:asset-1");
            assertThat(bom.at("/components/1/licenses/0/expression").asText()).isEqualTo("CC-BY-4.0");
            assertThat(bom.at("/components/1/properties").toString()).contains("hypha:royaltyShareBps", "2500");
            CliRun spdx = hypha.apply(new String[] {"model", "bom", "tiny", "--format", "spdx", "--asset", "2"});
            assertThat(spdx.exitCode()).as(spdx.err()).isZero();
            assertThat(spdx.out()).contains("\"trainedOn\"", "dataset_DatasetPackage", "\"dataset #1\"");

            CliRun notAModel = hypha.apply(new String[] {"model", "bom", "tiny", "--format", "spdx", "--asset", "1"});
            assertThat(notAModel.exitCode()).isEqualTo(ExitCodes.INPUT);
            assertThat(notAModel.errorLine()).contains("asset #1 is a DATASET, not a model");
            CliRun other = hypha.apply(new String[] {"model", "register", data.toString(), "--license", "MIT"});
            assertThat(other.exitCode()).as(other.err()).isNotZero(); // the account already claimed these bytes
            Path otherFile = Files.writeString(dir.resolve("other.bin"), "not the model");
            assertThat(hypha.apply(new String[] {"model", "register", otherFile.toString(), "--license", "MIT"}).out())
                    .contains("Registered model #3 ");
            CliRun wrongBytes = hypha.apply(new String[] {"model", "bom", "tiny", "--format", "spdx", "--asset", "3"});
            assertThat(wrongBytes.exitCode()).isEqualTo(ExitCodes.INPUT);
            assertThat(wrongBytes.errorLine()).contains("asset #3 registers content", "not tiny:latest's");
        }
    }
}
