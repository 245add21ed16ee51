package dev.hypha.cli;

import dev.hypha.chain.deploy.AppRewardsClient;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.text.TerminalText;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha app publish|list|show|pay|fund|claim|earnings|auction}: apps on AppRewards (docs/ARCHITECTURE.md "App
 * incentives and the wash-trading rule"). A creator publishes an app (its spec's content id, a price per use, its
 * share); gateways charge tagged requests through it ({@code X-Hypha-App}); creators claim rewards per epoch.
 */
@Command(name = "app", description = "Publish apps, pay for their use, and claim creators' rewards (AppRewards).",
        subcommands = {AppCommand.Publish.class, AppCommand.ListApps.class, AppCommand.Show.class, AppCommand.Pay.class,
                AppCommand.Fund.class, AppCommand.Claim.class, AppCommand.Earnings.class, AppAuctionCommand.class})
final class AppCommand implements Callable<Integer> {
    /** Most apps `hypha app list` prints (the newest). */
    static final int LIST_LIMIT = 100;
    /** Most epochs `hypha app claim` walks back over in one call (bounds the reads and transactions). */
    static final int CLAIM_EPOCHS = 64;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ErrorCategory.USAGE.exitCode();
    }

    static String hUsd(BigInteger units) {
        return TokenAmount.format(units, Deployer.PAYMENT_DECIMALS) + " " + Deployer.PAYMENT_SYMBOL;
    }

    /** "30%" or "3000bps" (or a bare number of bps) to basis points, 0..10000. */
    static int shareBps(String text) {
        String t = text.strip();
        try {
            int bps;
            if (t.endsWith("%")) {
                bps = new java.math.BigDecimal(t.substring(0, t.length() - 1)).movePointRight(2).intValueExact();
            } else {
                bps = Integer.parseInt(t.endsWith("bps") ? t.substring(0, t.length() - 3) : t);
            }
            if (bps < 0 || bps > AppRewardsClient.BPS) {
                throw new NumberFormatException();
            }
            return bps;
        } catch (NumberFormatException | ArithmeticException e) {
            throw HyphaException.input("share \"" + TerminalText.line(text) + "\" is not 0%..100% (e.g. 30%, or 3000bps)");
        }
    }

    /** The 32-byte digest of a spec's content id: the file's, or a content id given as text. */
    static byte[] specDigest(String spec) {
        Path file = Path.of(spec);
        ContentId cid;
        if (Files.isRegularFile(file)) {
            cid = ContentIds.of(file);
        } else {
            try {
                cid = ContentId.parse(spec);
            } catch (RuntimeException e) {
                throw HyphaException.input("--spec \"" + TerminalText.line(spec)
                        + "\" is neither a file nor a content id (hypha cid FILE prints one)");
            }
        }
        byte[] digest = cid.multihash().digest();
        if (digest.length != 32) {
            throw HyphaException.input("--spec content id has a " + digest.length + "-byte digest; a 32-byte one is needed");
        }
        return digest;
    }

    static String describe(AppRewardsClient.App a) {
        return "app #" + a.id() + "  creator " + a.creator().toChecksumString() + "  price " + hUsd(a.price())
                + " per use  creator share " + (a.creatorBps() / 100.0) + "%  spec 0x" + HexFormat.of().formatHex(a.spec());
    }

    /** {@code hypha app publish --spec FILE|CID --price HUSD [--share PCT]}. */
    @Command(name = "publish", description = "Publish an app owned by your account; prints its id.")
    static final class Publish implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--spec", required = true, paramLabel = "FILE|CID",
                description = "The app's spec (system prompt, model, tools): a file, or its content id.")
        String appSpec;

        @Option(names = "--price", required = true, paramLabel = "HUSD", description = "What one use costs, e.g. 0.05")
        String price;

        @Option(names = "--share", defaultValue = "30%", paramLabel = "PCT",
                description = "Your share of each payment after the 10% protocol fee (default: ${DEFAULT-VALUE}).")
        String share;

        @Override
        public Integer call() {
            byte[] digest = specDigest(appSpec);
            BigInteger units = TokenAmount.parse(price, Deployer.PAYMENT_DECIMALS, "price").baseUnits();
            int bps = shareBps(share);
            try (Session session = Session.of(spec)) {
                long id = session.contractsAsSigner().apps().publish(digest, units, bps);
                session.out().println("Published app #" + id + ": " + hUsd(units) + " per use, creator share "
                        + (bps / 100.0) + "%. Clients tag requests with the header X-Hypha-App: " + id);
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha app list}. */
    @Command(name = "list", description = "The newest apps (at most " + LIST_LIMIT + ").")
    static final class ListApps implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                AppRewardsClient apps = session.contractsForReading().apps();
                long count = apps.appCount();
                if (count == 0) {
                    session.out().println("No apps published yet (hypha app publish).");
                }
                for (long id = count - 1; id >= Math.max(0, count - LIST_LIMIT); id--) {
                    session.out().println(describe(apps.app(id)));
                }
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha app show ID}. */
    @Command(name = "show", description = "One app, and the current reward epoch's books.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The app id.")
        long appId;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                AppRewardsClient apps = session.contractsForReading().apps();
                session.out().println(describe(apps.app(appId)));
                long epoch = apps.currentEpoch();
                session.out().println("epoch " + epoch + " (" + apps.epochBlocks() + " blocks): eligible fees "
                        + hUsd(apps.eligibleFees(epoch, appId)) + " of " + hUsd(apps.epoch(epoch).eligibleFees())
                        + "; reward pool " + hUsd(apps.pool()));
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha app pay ID PROVIDER [--amount HUSD]}. */
    @Command(name = "pay", description = "Pay for one use of app ID served by PROVIDER (the gateway does this for tagged requests).")
    static final class Pay implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The app id.")
        long appId;

        @Parameters(index = "1", paramLabel = "PROVIDER", description = "The provider's address.")
        String provider;

        @Option(names = "--amount", paramLabel = "HUSD", description = "What to pay (default: the app's price).")
        String amount;

        @Override
        public Integer call() {
            Address to = Address.parse(provider);
            try (Session session = Session.of(spec)) {
                AppRewardsClient apps = session.contractsAsSigner().apps();
                BigInteger units = amount == null ? apps.app(appId).price()
                        : TokenAmount.parse(amount, Deployer.PAYMENT_DECIMALS, "amount").baseUnits();
                apps.pay(appId, to, units);
                session.out().println("Paid " + hUsd(units) + " for app #" + appId + " served by " + to.toChecksumString());
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha app fund HUSD}. */
    @Command(name = "fund", description = "Add HUSD of your payment token to the app reward pool.")
    static final class Fund implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "HUSD", description = "e.g. 100")
        String amount;

        @Override
        public Integer call() {
            BigInteger units = TokenAmount.parse(amount, Deployer.PAYMENT_DECIMALS, "amount").baseUnits();
            try (Session session = Session.of(spec)) {
                AppRewardsClient apps = session.contractsAsSigner().apps();
                apps.fund(units);
                session.out().println("Funded the app reward pool with " + hUsd(units) + "; pool now " + hUsd(apps.pool()));
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha app claim ID [--epoch N]}. */
    @Command(name = "claim", description = "Claim app ID's rewards of finished epochs (paid to its creator; anyone may send it).")
    static final class Claim implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The app id.")
        long appId;

        @Option(names = "--epoch", paramLabel = "N", description = "Only this epoch (default: the last "
                + CLAIM_EPOCHS + " finished epochs with eligible fees and no claim yet).")
        Long epoch;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                AppRewardsClient apps = session.contractsAsSigner().apps();
                apps.app(appId); // UnknownApp before anything else
                long current = apps.currentEpoch();
                List<Long> epochs = epoch != null ? List.of(epoch)
                        : java.util.stream.LongStream.range(Math.max(0, current - CLAIM_EPOCHS), current).boxed()
                                .filter(e -> !apps.claimed(e, appId) && apps.eligibleFees(e, appId).signum() > 0).toList();
                BigInteger total = BigInteger.ZERO;
                for (long e : epochs) {
                    BigInteger got = apps.claim(e, appId);
                    total = total.add(got);
                    session.out().println("epoch " + e + ": " + hUsd(got));
                }
                session.out().println(epochs.isEmpty() ? "Nothing to claim for app #" + appId + " (epoch " + current
                        + " is still running)" : "Claimed " + hUsd(total) + " for app #" + appId);
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha app earnings ID}. */
    @Command(name = "earnings", description = "What app ID's creator earned: revenue share, rewards, and self-paid volume.")
    static final class Earnings implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The app id.")
        long appId;

        @Option(names = "--from-block", defaultValue = "0", paramLabel = "N", description = "Count payments from this block.")
        long fromBlock;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                AppRewardsClient apps = session.contractsForReading().apps();
                AppRewardsClient.App app = apps.app(appId);
                BigInteger share = BigInteger.ZERO;
                BigInteger eligible = BigInteger.ZERO;
                BigInteger ineligible = BigInteger.ZERO;
                List<AppRewardsClient.Payment> payments = apps.payments(appId, fromBlock);
                for (AppRewardsClient.Payment p : payments) {
                    share = share.add(p.toCreator());
                    if (p.eligible()) {
                        eligible = eligible.add(p.amount());
                    } else {
                        ineligible = ineligible.add(p.amount());
                    }
                }
                BigInteger rewards = BigInteger.ZERO;
                BigInteger unclaimed = BigInteger.ZERO;
                long current = apps.currentEpoch();
                for (long e = Math.max(0, current - CLAIM_EPOCHS); e < current; e++) {
                    BigInteger r = apps.rewardOf(e, appId);
                    if (apps.claimed(e, appId)) {
                        rewards = rewards.add(r);
                    } else if (apps.eligibleFees(e, appId).signum() > 0) {
                        unclaimed = unclaimed.add(r);
                    }
                }
                session.out().println(describe(app));
                session.out().println(payments.size() + " paid uses: " + hUsd(eligible) + " by others (eligible), "
                        + hUsd(ineligible) + " by the creator or the serving provider (earn nothing)");
                session.out().println("revenue share " + hUsd(share) + ", rewards claimed " + hUsd(rewards)
                        + (unclaimed.signum() > 0 ? ", closed but unclaimed " + hUsd(unclaimed) : "")
                        + " (last " + CLAIM_EPOCHS + " epochs)");
            }
            return ExitCodes.OK;
        }
    }
}
