package dev.hypha.node.devnet;

import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Makes the dev account that {@code hypha up}'s provider runs as a staked, registered inference provider whose
 * endpoint is where it listens now: stakes up to the registry's minimum, registers (its own key signs receipts), or
 * updates the endpoint when the port changed since the last run. Idempotent, so a restart sends nothing.
 */
public final class DevProvider {
    private DevProvider() {}

    public static void ensureRegistered(HyphaContracts asProvider, URI endpoint, Consumer<String> progress) {
        ensureRegistered(asProvider, endpoint, List.of("inference"), BigInteger.ZERO, progress);
    }

    /**
     * The same for any services, staking at least {@code stake} (or the registry's minimum when that is more): a
     * compute provider of {@code hypha localnet} stakes more than the minimum, so one slash does not deactivate it.
     */
    public static void ensureRegistered(HyphaContracts asProvider, URI endpoint, List<String> services, BigInteger stake,
                                        Consumer<String> progress) {
        String account = asProvider.account();
        String shown = Address.parse(account).toChecksumString();
        BigInteger need = asProvider.registry().minStake().max(stake);
        BigInteger have = asProvider.staking().stakeOf(account, StakingClient.PROVIDER_ROLE);
        if (have.compareTo(need) < 0) {
            progress.accept("Staking " + hyp(need.subtract(have)) + " for the dev provider " + shown + "...");
            asProvider.staking().stake(StakingClient.PROVIDER_ROLE, need.subtract(have));
        }
        ProviderRegistryClient.ProviderRegistration registration = new ProviderRegistryClient.ProviderRegistration(
                endpoint.toString(), account, services, "");
        Optional<ProviderRegistryClient.ProviderInfo> known = asProvider.registry().provider(account);
        if (known.isEmpty()) {
            progress.accept("Registering the dev provider " + shown + " at " + endpoint + "...");
            asProvider.registry().register(registration);
        } else if (!known.get().endpoint().equals(endpoint.toString())
                || !known.get().signingKey().equalsIgnoreCase(account) || !known.get().services().equals(services)) {
            progress.accept("Updating the dev provider's endpoint to " + endpoint + "...");
            asProvider.registry().update(registration);
        }
        if (!asProvider.registry().isActive(account)) {
            asProvider.registry().reactivate();
        }
    }

    private static String hyp(BigInteger wei) {
        BigInteger[] qr = wei.divideAndRemainder(BigInteger.TEN.pow(18));
        return qr[1].signum() == 0 ? qr[0] + " HYP" : wei + " HYP wei";
    }
}
