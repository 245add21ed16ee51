package dev.hypha.chain.abi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ABIs of Hypha's contracts, bundled in the jar by the build (copied from forge's output into
 * {@code dev/hypha/chain/abi/<Name>.json}).
 */
public final class HyphaAbis {
    /** The contracts every deployment has, in deployment order. */
    public static final List<String> NAMES = List.of("HyphaTimelock", "HyphaToken", "PaymentToken", "Staking",
            "ProviderRegistry", "PaymentChannels", "OfferRegistry",
            "InferenceCoordinator", "ComputeMarket", "TrainingVerifier", "OpmlVerifier", "AssetRegistry", "RoyaltySplitter", "AccessGrants",
            "DataPools", "IdentityRegistry", "ReputationRegistry", "ValidationRegistry", "PaymentReceipts", "ServiceEscrow",
            "EntryPoint", "AgentAccountFactory", "SubnetRegistry", "SubnetEmissions", "SubnetEpochs", "MlpProofVerifier",
            "ProvenPredictionFeed", "AppRewards", "EmissionAuction");

    /**
     * Contracts with bundled ABIs that are not part of a deployment: created later, many times (an agent's
     * AgentAccount comes from AgentAccountFactory). Their errors are decoded too.
     */
    public static final List<String> CREATED = List.of("AgentAccount", "ProvenClassGate");

    private HyphaAbis() {}

    /** The raw ABI JSON of one contract. */
    public static String json(String contract) {
        String resource = "/dev/hypha/chain/abi/" + contract + ".json";
        try (InputStream in = HyphaAbis.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("ABI resource " + resource + " is missing from the build (is " + contract
                        + " one of " + NAMES + "?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read ABI resource " + resource, e);
        }
    }

    /** One contract's parsed ABI. */
    public static ContractAbi load(String contract) {
        return ContractAbi.parse(contract, json(contract));
    }

    /** The ABIs of {@link #NAMES} and {@link #CREATED}: every contract whose reverts Hypha decodes. */
    public static List<ContractAbi> decodable() {
        List<ContractAbi> out = new ArrayList<>(all());
        CREATED.forEach(n -> out.add(load(n)));
        return List.copyOf(out);
    }

    /** All of Hypha's contract ABIs, in {@link #NAMES} order. */
    public static List<ContractAbi> all() {
        List<ContractAbi> out = new ArrayList<>();
        for (String n : NAMES) {
            out.add(load(n));
        }
        return List.copyOf(out);
    }
}
