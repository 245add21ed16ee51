package dev.hypha.cli;

import dev.hypha.chain.deploy.DeployedContract;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code hypha status}: is the RPC reachable, which chain and block, where the contracts are, and the account's
 * balances, stake and provider record. Reads only: never asks for a password.
 */
@Command(name = "status", description = "Show the chain, the deployment and your account's balances, stake and provider record.")
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (Session session = Session.of(spec)) {
            PrintWriter out = session.out();
            ChainClient chain = session.chain();
            long chainId = chain.chainId(); // an unreachable RPC fails here with one NETWORK line
            out.println("RPC          " + chain.url() + " (reachable)");
            out.println("Chain id     " + chainId);
            out.println("Block        " + chain.blockNumber());
            Optional<Deployment> deployment = session.deployments().load(chainId);
            if (deployment.isEmpty()) {
                out.println("Contracts    none recorded for chain " + chainId
                        + " (start a local network with `hypha up`, or `hypha deploy --rpc URL`)");
            } else {
                out.println("Contracts    " + session.deployments().file(chainId));
                for (Map.Entry<String, DeployedContract> entry : deployment.get().contracts().entrySet()) {
                    out.printf("  %-17s %s%n", entry.getKey(), Address.parse(entry.getValue().address()).toChecksumString());
                }
            }
            Optional<Address> account = account(session);
            if (account.isEmpty()) {
                out.println("Account      none (create one with `hypha account new`, or pass --account ADDR)");
                return ExitCodes.OK;
            }
            String a = account.get().toString();
            out.println("Account      " + account.get().toChecksumString());
            out.println("  ETH        " + TokenAmount.format(chain.balance(a), 18));
            if (deployment.isPresent()) {
                HyphaContracts contracts = session.contractsForReading();
                out.println("  HYP        " + TokenAmount.format(contracts.hyp().balanceOf(a), TokenAmount.HYP_DECIMALS));
                out.println("  hUSD       " + TokenAmount.format(contracts.payment().balanceOf(a), 6));
                for (StakeRole role : StakeRole.values()) {
                    BigInteger stake = contracts.staking().stakeOf(a, role.id());
                    StakingClient.Unbonding unbonding = contracts.staking().unbondingOf(a, role.id());
                    if (stake.signum() == 0 && unbonding.amount().signum() == 0) {
                        continue;
                    }
                    out.println("  Stake      " + StakeCommands.hyp(stake) + " as " + role
                            + (unbonding.amount().signum() == 0 ? ""
                                    : "; unbonding " + StakeCommands.hyp(unbonding.amount()) + " until "
                                            + Instant.ofEpochSecond(unbonding.releaseTime())));
                }
                Optional<ProviderRegistryClient.ProviderInfo> provider = contracts.registry().provider(a);
                if (provider.isPresent()) {
                    ProviderCommand.Show.print(out, provider.get(), contracts.registry().isActive(a),
                            contracts.staking().stakeOf(a, StakingClient.PROVIDER_ROLE));
                } else {
                    out.println("  Provider   not registered");
                }
            }
        }
        return ExitCodes.OK;
    }

    /** The account to report on, if one is configured or the keystore holds exactly one. */
    private static Optional<Address> account(Session session) {
        try {
            return Optional.of(session.account());
        } catch (HyphaException none) {
            if (none.category() == dev.hypha.core.errors.ErrorCategory.INPUT
                    && session.config().find(dev.hypha.core.config.Settings.ACCOUNT).isEmpty()) {
                return Optional.empty();
            }
            throw none;
        }
    }
}
