package dev.hypha.cli;

import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.EmissionAuctionClient;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hypha app auction [buy [--max-price HUSD]]}: the apps' share of HYP emission, sold by EmissionAuction's
 * descending-price lots into AppRewards' pool (docs/ARCHITECTURE.md "Funding the app pool from emissions"). Without a
 * subcommand it shows the current lot, its price and the pool.
 */
@Command(name = "auction", description = "The apps' share of HYP emission, auctioned for hUSD into the app reward pool: "
        + "shows the current lot, its price and the pool.", subcommands = AppAuctionCommand.Buy.class)
final class AppAuctionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (Session session = Session.of(spec)) {
            HyphaContracts c = session.contractsForReading();
            EmissionAuctionClient.Lot lot = c.auction().lot();
            session.out().println(describe(lot));
            if (!c.subnets().appRecipient().equals(c.auction().address())) {
                session.out().println("the apps' share does not accrue to this auction yet: governance binds it "
                        + "(hypha deploy scheduled it; `hypha app auction buy` executes it once the delay has passed)");
            }
            EmissionAuctionClient.Params p = c.auction().params();
            // while a lot is live the auction's balance is that lot: what the next one offers is the rest
            BigInteger next = lot.live() ? lot.nextLotAmount().subtract(lot.amount()) : lot.nextLotAmount();
            session.out().println("next lot: " + EmissionAuctionClient.hyp(next) + " HYP accrued (at least "
                    + EmissionAuctionClient.hyp(p.minLot()) + " HYP to open one); lots start at " + perHyp(p.startPrice())
                    + " and fall to " + perHyp(p.floorPrice()) + " over " + p.lotBlocks() + " blocks");
            session.out().println("app reward pool " + AppCommand.hUsd(c.apps().pool()) + "; auctions paid into it "
                    + AppCommand.hUsd(c.auction().proceeds()) + " for " + EmissionAuctionClient.hyp(c.auction().sold())
                    + " HYP");
        }
        return ExitCodes.OK;
    }

    static String perHyp(BigInteger units) {
        return AppCommand.hUsd(units) + "/HYP";
    }

    static String describe(EmissionAuctionClient.Lot lot) {
        if (lot.id() < 0) {
            return "no lot opened yet (block " + lot.block() + ")";
        }
        String head = "lot #" + lot.id() + " (blocks " + lot.startBlock() + ".." + lot.endBlock() + ", now " + lot.block()
                + "): ";
        if (lot.live()) {
            return head + EmissionAuctionClient.hyp(lot.amount()) + " HYP at " + perHyp(lot.price()) + " (costs "
                    + AppCommand.hUsd(lot.cost()) + "), falling to " + perHyp(lot.floorPrice()) + " by block "
                    + lot.endBlock();
        }
        return head + (lot.amount().signum() == 0 ? "sold" : "ended unsold at the floor; the next lot restarts it");
    }

    /**
     * {@code hypha app auction buy [--max-price HUSD]}: opens a lot when none is live, then buys it whole, naming the
     * lot it read (a lot someone else opens in between is refused, not bought). Without a live lot there is no price
     * to default to: a lot just opened sells at the start price, the worst, so {@code --max-price} is then required.
     */
    @Command(name = "buy", description = "Buy the whole live lot (opening one first when none is live) if its price is "
            + "at most --max-price (default: the live lot's price now; required when no lot is live); what you pay "
            + "funds the app reward pool.")
    static final class Buy implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--max-price", paramLabel = "HUSD", description = "Most hUSD per HYP you accept (e.g. 2.5).")
        String maxPrice;

        @Override
        public Integer call() {
            BigInteger max = maxPrice == null ? null
                    : TokenAmount.parse(maxPrice, Deployer.PAYMENT_DECIMALS, "max price").baseUnits();
            try (Session session = Session.of(spec)) {
                HyphaContracts c = session.contractsAsSigner();
                EmissionAuctionClient auction = c.auction();
                EmissionAuctionClient.Lot lot = auction.lot();
                if (!lot.live() && max == null) {
                    EmissionAuctionClient.Params p = auction.params();
                    throw HyphaException.input(describe(lot) + "; no live lot to read a price from: a new lot starts "
                            + "at " + perHyp(p.startPrice()) + " and falls to " + perHyp(p.floorPrice()) + " over "
                            + p.lotBlocks() + " blocks; give --max-price HUSD to open one and buy it at that price or "
                            + "less");
                }
                if (!lot.live()) {
                    // opening a lot mints the app share, which needs SubnetEmissions' MINTER_ROLE and this auction bound
                    // as its app recipient, both scheduled at deployment: anyone executes them once the delay has passed
                    if (!new Deployer(session.sender(session.credentials())).completeEmissionsGrant(session.deployment())) {
                        throw HyphaException.input("SubnetEmissions cannot mint the apps' share yet: its MINTER_ROLE grant "
                                + "and the auction's binding wait for the governance delay ("
                                + session.deployment().governanceDelaySeconds() + " s after deployment)");
                    }
                    BigInteger minLot = auction.params().minLot();
                    if (lot.nextLotAmount().compareTo(minLot) < 0) {
                        throw HyphaException.input("nothing to auction yet: " + EmissionAuctionClient.hyp(lot.nextLotAmount())
                                + " HYP accrued to apps, a lot is at least " + EmissionAuctionClient.hyp(minLot) + " HYP");
                    }
                    long id = auction.openLot();
                    lot = auction.lot();
                    session.out().println("Opened lot #" + id + ": " + EmissionAuctionClient.hyp(lot.amount()) + " HYP");
                }
                if (max != null && lot.price().compareTo(max) > 0) {
                    throw HyphaException.input(describe(lot) + "; above --max-price " + perHyp(max) + ": not bought");
                }
                EmissionAuctionClient.Purchase bought = auction.buy(lot.id(), max == null ? lot.price() : max);
                session.out().println("Bought lot #" + bought.lotId() + ": " + EmissionAuctionClient.hyp(bought.amount())
                        + " HYP at " + perHyp(bought.price()) + " for " + AppCommand.hUsd(bought.cost())
                        + "; app reward pool now " + AppCommand.hUsd(c.apps().pool()));
            }
            return ExitCodes.OK;
        }
    }
}
