package dev.hypha.cli;

import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.node.provider.ProviderService;
import dev.hypha.node.provider.Redeemer;
import dev.hypha.node.royalties.RoyaltyRouter;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code hypha provider redeem}: redeems every voucher the account's provider ledger holds (also after a crash), then pays
 * the royalties the redeemed answers owe models registered in AssetRegistry ({@link RoyaltyRouter}).
 */
@Command(name = "redeem", description = {"Redeem the best voucher of every channel in this account's provider ledger,",
        "then pay the royalties the redeemed answers owe registered models (RoyaltySplitter)."})
final class ProviderRedeemCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    RoyaltyOptions royaltyOptions;

    @Override
    public Integer call() {
        java.util.List<Address> publishers = royaltyOptions.addresses();
        try (Session session = Session.of(spec)) {
            Credentials key = session.credentials();
            Deployment deployment = session.deployment();
            HyphaContracts contracts = HyphaContracts.connect(deployment, session.sender(key));
            PaymentChannelsClient channels = contracts.channels();
            try (ProviderLedger ledger = ProviderLedger.open(ProviderService.ledgerFile(session.home(),
                    deployment.chainId(), Address.parse(key.getAddress())), channels.voucherDomain())) {
                ProviderStartCommand.redeem(session.out(), Redeemer.onChain(ledger, channels).redeemAll());
                ProviderStartCommand.payRoyalties(session.out(), ledger, contracts, publishers);
            }
            return ExitCodes.OK;
        }
    }
}
