package dev.hypha.chain.deploy;

import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import java.math.BigInteger;
import java.util.List;
import org.web3j.crypto.Credentials;

/**
 * A real anvil chain with `hypha deploy`'s contracts (deployed by dev account 0), shared by the contract clients' tests:
 * act as any dev account, mint hUSD, register a staked provider, move chain time.
 */
final class DeployedChain implements AutoCloseable {
    final Devnet devnet;
    final ChainClient client;
    final Deployment deployment;
    private final NonceManager nonces;

    DeployedChain() {
        devnet = new AnvilLauncher().start();
        client = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(client);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
    }

    TransactionSender sender(Credentials who) {
        return new TransactionSender(client, who, nonces, RevertDecoder.forHyphaContracts());
    }

    /** The contracts used as {@code who}. */
    HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    /** Mints {@code units} of hUSD (its smallest unit) to {@code who}. */
    void mintUsd(Credentials who, long units) {
        as(devnet.account(0)).payment().mint(who.getAddress(), BigInteger.valueOf(units));
    }

    /** {@code who}'s hUSD balance. */
    BigInteger usd(Credentials who) {
        return as(who).payment().balanceOf(who.getAddress());
    }

    /** Stakes 1000 HYP for {@code provider} and registers it with {@code signingKey} for {@code service}. */
    void registerProvider(Credentials provider, Credentials signingKey, String service) {
        as(devnet.account(0)).hyp().transfer(provider.getAddress(), Deployer.hyp(1_000));
        HyphaContracts p = as(provider);
        p.staking().stake(StakingClient.PROVIDER_ROLE, Deployer.hyp(1_000));
        p.registry().register(new ProviderRegistryClient.ProviderRegistration("http://127.0.0.1:1",
                signingKey.getAddress(), List.of(service), ""), p.registry().signingKeyProof(signingKey));
    }

    /** The latest block's time. */
    long time() {
        return client.latestBlock().getTimestamp().longValueExact();
    }

    /** Moves chain time {@code seconds} ahead and mines a block. */
    void travel(long seconds) {
        client.request("evm_increaseTime", seconds);
        client.request("evm_mine");
    }

    @Override
    public void close() {
        client.close();
        devnet.close();
    }
}
