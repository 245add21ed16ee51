package dev.hypha.cli;

import dev.hypha.chain.assets.AssetKind;
import dev.hypha.chain.assets.AssetRecord;
import dev.hypha.chain.assets.DataPool;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.text.TerminalText;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainSpecParser;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.pools.PoolScorer;
import dev.hypha.node.pools.PoolShares;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha data pool create|validator|deposit|contribute|ls|show|score|claim}: Vana-like data pools on DataPools. An
 * owner opens a pool with rewards and names validators; contributors add sealed datasets (and grant the validators
 * access); a validator's {@code score} measures each contribution's worth to a model trained on the pool (leave one out)
 * and posts it; after scoring each contribution claims its share of the rewards.
 */
@Command(name = "pool", description = "Data pools: contributors add sealed datasets, validators score them, rewards follow the scores.",
        subcommands = {DataPoolCommand.Create.class, DataPoolCommand.Validator.class, DataPoolCommand.Deposit.class,
                DataPoolCommand.Contribute.class, DataPoolCommand.Ls.class, DataPoolCommand.Show.class,
                DataPoolCommand.Score.class, DataPoolCommand.Claim.class, DataPoolCommand.Reclaim.class})
final class DataPoolCommand implements Callable<Integer> {
    /** Pools listed by {@code ls} at most (the newest). */
    static final int LISTED_POOLS = 50;
    private static final long MAX_PHASE_SECONDS = 365L * 24 * 3600;
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})([smhd])");

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ErrorCategory.USAGE.exitCode();
    }

    private static HyphaContracts contracts(Session session, Credentials key) {
        return HyphaContracts.connect(session.deployment(), session.sender(key));
    }

    private static long chainTime(Session session) {
        return session.chain().latestBlock().getTimestamp().longValueExact();
    }

    /** {@code 90s}, {@code 10m}, {@code 2h}, {@code 7d} as seconds (1 s to 365 days). */
    static long seconds(String text, String option) {
        Matcher m = DURATION.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw HyphaException.input(option + " '" + TerminalText.line(String.valueOf(text))
                    + "' is not a duration like 90s, 10m, 2h or 7d");
        }
        long n = Long.parseLong(m.group(1));
        long s = switch (m.group(2)) {
            case "s" -> n;
            case "m" -> n * 60;
            case "h" -> n * 3600;
            default -> n * 86_400;
        };
        if (s < 1 || s > MAX_PHASE_SECONDS) throw HyphaException.input(option + " must be 1s to 365d, was " + text);
        return s;
    }

    static String hUsd(BigInteger units) {
        return TokenAmount.format(units, Deployer.PAYMENT_DECIMALS) + " " + Deployer.PAYMENT_SYMBOL;
    }

    private static String amount(BigInteger units, Address token, HyphaContracts contracts) {
        return token.equals(Address.parse(contracts.deployment().address(PaymentTokenClient.NAME))) ? hUsd(units)
                : units + " units of " + token.toChecksumString();
    }

    static String percent(long bps) {
        return String.format(Locale.ROOT, "%d.%02d %%", bps / 100, bps % 100);
    }

    private static String phase(DataPool p, long now) {
        if (now <= p.contributionsEnd()) return "contributing (" + (p.contributionsEnd() - now) + " s left)";
        if (now <= p.scoringEnd()) return "scoring (" + (p.scoringEnd() - now) + " s left)";
        return "claiming";
    }

    /** {@code hypha data pool create --contribute-for D --score-for D [--deposit HUSD] [--validator ADDR]...}. */
    @Command(name = "create", description = {"Open a data pool rewarded in hUSD: contributions are accepted for --contribute-for,",
            "then validators score them for --score-for; after that each contribution claims its share of the deposits."})
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--contribute-for", required = true, paramLabel = "DURATION",
                description = "How long contributions are accepted (e.g. 10m, 2h, 7d).")
        String contributeFor;

        @Option(names = "--score-for", required = true, paramLabel = "DURATION",
                description = "How long validators may score after that (e.g. 1h).")
        String scoreFor;

        @Option(names = "--deposit", paramLabel = "HUSD", description = "Rewards to deposit now (more with `hypha data pool deposit`).")
        String deposit;

        @Option(names = "--validator", paramLabel = "ADDRESS", description = "An account that may score (repeatable).")
        List<String> validators = new ArrayList<>();

        @Option(names = "--min-stake", paramLabel = "HYP",
                description = "Any account with this much VALIDATOR stake may score too (default: named validators only).")
        String minStake;

        @Override
        public Integer call() {
            long contribute = seconds(contributeFor, "--contribute-for");
            long score = seconds(scoreFor, "--score-for");
            List<Address> named = new ArrayList<>();
            for (String v : validators) named.add(Address.parse(v));
            BigInteger rewards = deposit == null ? BigInteger.ZERO
                    : TokenAmount.parse(deposit, Deployer.PAYMENT_DECIMALS, "--deposit").baseUnits();
            BigInteger stake = minStake == null ? BigInteger.ZERO : TokenAmount.hyp(minStake, "--min-stake").baseUnits();
            if (stake.bitLength() > 96) throw HyphaException.input("--min-stake is above the contract's limit (2^96 - 1 units)");
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                HyphaContracts contracts = contracts(session, key);
                Address token = Address.parse(contracts.deployment().address(PaymentTokenClient.NAME));
                if (rewards.signum() > 0) {
                    BigInteger balance = contracts.payment().balanceOf(key.getAddress());
                    if (balance.compareTo(rewards) < 0) {
                        throw HyphaException.input("--deposit " + deposit + " is more than this account's " + hUsd(balance));
                    }
                }
                long now = chainTime(session);
                long pool = contracts.pools().createPool(token, now + contribute, now + contribute + score, stake, new byte[0]);
                PrintWriter out = session.out();
                out.println("Created pool #" + pool + ": contributions until chain time " + (now + contribute)
                        + ", scoring until " + (now + contribute + score));
                for (Address v : named) {
                    contracts.pools().setValidator(pool, v, true);
                    out.println("  validator " + v.toChecksumString());
                }
                if (stake.signum() > 0) out.println("  any account with " + minStake + " HYP of VALIDATOR stake may score");
                if (rewards.signum() > 0) {
                    contracts.pools().deposit(pool, rewards);
                    out.println("  deposited " + hUsd(rewards));
                }
                out.println("Contributors add data with `hypha data pool contribute " + pool + " DATASET`");
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data pool validator POOL ACCOUNT [--remove]}. */
    @Command(name = "validator", description = "Name ACCOUNT a validator of your pool (or --remove it), until scoring ends.")
    static final class Validator implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "POOL", description = "Your pool's id.")
        long poolId;

        @Parameters(index = "1", paramLabel = "ACCOUNT", description = "The validator's address.")
        String account;

        @Option(names = "--remove", description = "Remove it instead.")
        boolean remove;

        @Override
        public Integer call() {
            Address validator = Address.parse(account);
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                contracts(session, key).pools().setValidator(poolId, validator, !remove);
                session.out().println((remove ? "Removed validator " : "Named validator ") + validator.toChecksumString()
                        + (remove ? " from" : " of") + " pool #" + poolId);
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data pool deposit POOL HUSD}. */
    @Command(name = "deposit", description = "Add rewards to a pool (anyone, any time; claims pay them out by the scores).")
    static final class Deposit implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "POOL", description = "The pool's id.")
        long poolId;

        @Parameters(index = "1", paramLabel = "AMOUNT", description = "In the pool's token (hUSD for pools made by `create`), e.g. 5.")
        String amount;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                HyphaContracts contracts = contracts(session, key);
                DataPool pool = contracts.pools().pool(poolId);
                boolean hUsd = pool.token().equals(Address.parse(contracts.deployment().address(PaymentTokenClient.NAME)));
                BigInteger units = hUsd ? TokenAmount.parse(amount, Deployer.PAYMENT_DECIMALS, "AMOUNT").baseUnits()
                        : TokenAmount.parse(amount, 0, "AMOUNT (base units of the pool's token)").baseUnits();
                if (units.signum() == 0) throw HyphaException.input("AMOUNT must be above 0");
                contracts.pools().deposit(poolId, units);
                session.out().println("Deposited " + amount(units, pool.token(), contracts) + " to pool #" + poolId);
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data pool contribute POOL DATASET}. */
    @Command(name = "contribute", description = {"Add your dataset DATASET (from `hypha data add DIR`) to a pool. Grant the pool's",
            "validators access (`hypha data grant DATASET VALIDATOR --key CARD`) or they cannot score it."})
    static final class Contribute implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "POOL", description = "The pool's id.")
        long poolId;

        @Parameters(index = "1", paramLabel = "DATASET", description = "Your dataset's asset id.")
        long assetId;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                Address me = Address.parse(key.getAddress());
                HyphaContracts contracts = contracts(session, key);
                DataPool pool = contracts.pools().pool(poolId);
                long now = chainTime(session);
                if (now > pool.contributionsEnd()) {
                    throw HyphaException.input("pool #" + poolId + " stopped taking contributions at chain time "
                            + pool.contributionsEnd() + " (now " + now + ")");
                }
                AssetRecord asset = contracts.assets().asset(assetId);
                if (asset.kind() != AssetKind.DATASET) {
                    throw HyphaException.input("asset #" + assetId + " is a " + asset.kind() + "; only datasets can be contributed");
                }
                if (contracts.assets().assetByContent(asset.contentId(), me) != assetId) {
                    throw HyphaException.input("asset #" + assetId + " was not registered by " + me.toChecksumString()
                            + ": contribute datasets you added yourself (`hypha data add DIR`)");
                }
                long contribution = contracts.pools().contribute(poolId, asset.contentId());
                PrintWriter out = session.out();
                out.println("Contributed dataset #" + assetId + " to pool #" + poolId + " as contribution #" + contribution);
                out.println("Let its validators read it: `hypha data grant " + assetId + " VALIDATOR --key CARD`");
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data pool ls}. */
    @Command(name = "ls", description = "List the newest pools: owner, phase, rewards, contributions and total score.")
    static final class Ls implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                HyphaContracts contracts = session.contractsForReading();
                long now = chainTime(session);
                long next = contracts.pools().nextPoolId();
                PrintWriter out = session.out();
                if (next <= 1) {
                    out.println("No data pools yet (open one with `hypha data pool create --contribute-for 1d --score-for 1d`)");
                    return ExitCodes.OK;
                }
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"POOL", "OWNER", "PHASE", "REWARDS", "CONTRIBUTIONS", "TOTAL SCORE"});
                for (long id = next - 1; id >= 1 && id >= next - LISTED_POOLS; id--) {
                    DataPool p = contracts.pools().pool(id);
                    rows.add(new String[] {"#" + id, p.owner().toChecksumString(), phase(p, now),
                            amount(p.deposited(), p.token(), contracts), Long.toString(p.contributions()),
                            p.totalScore().toString()});
                }
                Table.print(out, rows);
                if (next - 1 > LISTED_POOLS) out.println("(the newest " + LISTED_POOLS + " of " + (next - 1) + " pools)");
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data pool show POOL}. */
    @Command(name = "show", description = {"A pool and its contributions: contributor, dataset, mean score, share of the",
            "rewards, what that share comes to and what it can claim now."})
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "POOL", description = "The pool's id.")
        long poolId;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                HyphaContracts contracts = session.contractsForReading();
                long now = chainTime(session);
                PoolShares.View view = PoolShares.of(contracts, poolId, now);
                DataPool p = view.pool();
                PrintWriter out = session.out();
                out.println("Pool #" + poolId + " of " + p.owner().toChecksumString() + ": " + phase(p, now));
                out.println("  contributions until " + p.contributionsEnd() + ", scoring until " + p.scoringEnd()
                        + " (chain time now " + now + ")");
                out.println("  rewards " + amount(p.deposited(), p.token(), contracts) + " deposited, "
                        + amount(p.claimed(), p.token(), contracts) + " claimed; total score " + p.totalScore());
                if (view.shares().isEmpty()) {
                    out.println("No contributions yet");
                    return ExitCodes.OK;
                }
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"CONTRIBUTION", "CONTRIBUTOR", "DATASET", "SCORE", "SCORES", "SHARE", "EARNS",
                        "CLAIMED", "CLAIMABLE"});
                for (PoolShares.Share s : view.shares()) {
                    var c = s.contribution();
                    rows.add(new String[] {"#" + c.id(), c.contributor().toChecksumString(),
                            s.assetId() == 0 ? "(none)" : "#" + s.assetId(), Long.toString(c.score()),
                            Long.toString(c.scoreCount()), percent(s.shareBps()), amount(s.entitled(), p.token(), contracts),
                            amount(c.claimed(), p.token(), contracts), amount(s.claimable(), p.token(), contracts)});
                }
                Table.print(out, rows, 3, 4, 5, 6, 7, 8);
                if (view.truncated()) out.println("(the first " + PoolShares.MAX_LISTED + " contributions)");
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data pool score POOL --spec SPEC.toml [--from URL] [--repeats N] [--dry-run]}. */
    @Command(name = "score", description = {"As a validator: read every contribution granted to you, train the spec on the pool",
            "and on the pool without each contribution, and post each one's score: the held-out accuracy it adds, in",
            "millionths (0 when the model is better without it). The spec's dataset names the held-out set (its test",
            "split, e.g. fashion-mnist after `hypha dataset import fashion-mnist`). Contributions you cannot read stay unscored."})
    static final class Score implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "POOL", description = "The pool's id.")
        long poolId;

        @Option(names = "--spec", required = true, paramLabel = "SPEC.toml", description = {"The probe trained on the pool: a "
                + "classifier spec (an image pool; its dataset's test split is held out), or a LoRA spec (kind = \"lora-finetune\": a",
                "language-model pool of text contributions; its base_model is --base, its data the held-out text --held-out)."})
        Path specFile;

        @Option(names = "--base", paramLabel = "MODEL.gguf", description = "A LoRA probe's base model (its content id is the spec's base_model).")
        Path baseFile;

        @Option(names = "--held-out", paramLabel = "FILE", description = "A LoRA probe's held-out text (its content id is the spec's data).")
        Path heldOutFile;

        @Option(names = "--eval-windows", defaultValue = "8", paramLabel = "N",
                description = "A LoRA probe's held-out windows scored (the text's first N; default ${DEFAULT-VALUE}).")
        int evalWindows;

        @Option(names = "--from", paramLabel = "URL",
                description = "A trustless gateway with contributions' ciphertext (their owners' nodes; repeatable, tried in order).")
        List<URI> from = new ArrayList<>();

        @Option(names = "--repeats", defaultValue = "1", paramLabel = "N", description = "Trainings per variant, averaged (1 to 16; default ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--validation-samples", defaultValue = "1000", paramLabel = "N",
                description = "Held-out images used (the first N of the test split; default ${DEFAULT-VALUE}).")
        int validationSamples;

        @Option(names = "--threads", paramLabel = "N", description = "Training threads (default: all cores).")
        Integer threads;

        @Option(names = "--dry-run", description = "Print the scores without posting them.")
        boolean dryRun;

        @Override
        public Integer call() {
            if (repeats < 1 || repeats > 16) throw HyphaException.input("--repeats must be 1 to 16, was " + repeats);
            if (validationSamples < 1 || validationSamples > 100_000) {
                throw HyphaException.input("--validation-samples must be 1 to 100000, was " + validationSamples);
            }
            if (threads != null && (threads < 1 || threads > 1024)) throw HyphaException.input("--threads must be 1 to 1024");
            if (!Files.isRegularFile(specFile)) throw HyphaException.input("--spec " + specFile + " is not a readable file");
            byte[] bytes;
            try {
                if (Files.size(specFile) > 64 * 1024) throw HyphaException.input("--spec " + specFile + " is over 64 KiB");
                bytes = Files.readAllBytes(specFile);
            } catch (IOException e) {
                throw HyphaException.io("could not read --spec " + specFile, e);
            }
            if (LanguagePoolScoring.isLoraSpec(specFile, bytes)) {
                return new LanguagePoolScoring(spec, poolId, from, threads, dryRun).run(specFile, bytes, baseFile, heldOutFile,
                        evalWindows);
            }
            TrainSpec trainSpec = TrainSpecParser.parse(specFile.toString(), bytes);
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                HyphaContracts contracts = contracts(session, key);
                PoolScorer scorer = new PoolScorer(session.home(), contracts, key, from,
                        () -> chainTime(session));
                scorer.requireMayScore(poolId);
                DatasetStore datasets = new DatasetStore(new ContentStore(session.home()));
                ContentId heldOut = datasets.resolve(trainSpec.dataset());
                ImageSplit validation = datasets.load(heldOut, "test").head(validationSamples);
                PrintWriter out = session.out();
                PrintWriter err = session.err();
                PoolScorer.Report report;
                try (Parallel parallel = new Parallel(threads != null ? threads : Runtime.getRuntime().availableProcessors())) {
                    report = scorer.score(poolId, trainSpec, validation, repeats, new FloatMatMul(parallel), line -> {
                        err.println(TerminalText.line(line));
                        err.flush();
                    });
                }
                out.println(String.format(Locale.ROOT, "Pool #%d: held-out accuracy %.2f %% with every contribution (%d images of %s)",
                        poolId, 100 * report.accuracyWithAll(), validation.count(), heldOut));
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"CONTRIBUTION", "CONTRIBUTOR", "DATASET", "IMAGES", "ACCURACY WITHOUT", "ADDS", "SCORE"});
                for (PoolScorer.Scored s : report.scored()) {
                    rows.add(new String[] {"#" + s.entry().contributionId(), s.entry().contributor().toChecksumString(),
                            "#" + s.entry().assetId(), Integer.toString(s.entry().samples()),
                            String.format(Locale.ROOT, "%.2f %%", 100 * s.accuracyWithout()),
                            String.format(Locale.ROOT, "%+.2f points", 100 * s.accuracyLost()),
                            s.entry().own() ? "(own)" : Long.toString(s.score())});
                }
                Table.print(out, rows, 3, 4, 5, 6);
                for (PoolScorer.Skipped s : report.skipped()) {
                    out.println("Unscored contribution #" + s.contributionId() + " of " + s.contributor().toChecksumString()
                            + ": " + TerminalText.line(s.reason()));
                }
                if (report.unexamined() > 0) {
                    out.println("Unscored: the contributions after the first " + PoolScorer.MAX_EXAMINED
                            + " (not examined: this scorer looks at that many per pool)");
                }
                if (dryRun) {
                    out.println("Dry run: nothing posted");
                } else {
                    List<PoolScorer.Scored> posted = scorer.post(report, line -> out.println(TerminalText.line(line)));
                    out.println("Posted " + posted.size() + " score(s) to pool #" + poolId + " as "
                            + Address.parse(key.getAddress()).toChecksumString());
                }
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data pool claim POOL}. */
    @Command(name = "claim", description = "After scoring ends, claim the rewards of your contributions to a pool (paid to you).")
    static final class Claim implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "POOL", description = "The pool's id.")
        long poolId;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                Address me = Address.parse(key.getAddress());
                HyphaContracts contracts = contracts(session, key);
                long now = chainTime(session);
                PoolShares.View view = PoolShares.of(contracts, poolId, now);
                DataPool p = view.pool();
                if (now <= p.scoringEnd()) {
                    throw HyphaException.input("pool #" + poolId + " is scored until chain time " + p.scoringEnd() + " (now "
                            + now + "): claim after that");
                }
                PrintWriter out = session.out();
                BigInteger total = BigInteger.ZERO;
                int mine = 0;
                for (PoolShares.Share s : view.shares()) {
                    if (!s.contribution().contributor().equals(me)) continue;
                    mine++;
                    if (s.claimable().signum() == 0) {
                        out.println("Contribution #" + s.contribution().id() + ": nothing to claim (score "
                                + s.contribution().score() + ", claimed " + amount(s.contribution().claimed(), p.token(), contracts) + ")");
                        continue;
                    }
                    contracts.pools().claim(s.contribution().id());
                    total = total.add(s.claimable());
                    out.println("Claimed " + amount(s.claimable(), p.token(), contracts) + " for contribution #"
                            + s.contribution().id() + " (score " + s.contribution().score() + ", share "
                            + percent(s.shareBps()) + ")");
                }
                if (mine == 0) {
                    throw HyphaException.input(me.toChecksumString() + " made no contribution to pool #" + poolId);
                }
                out.println("Claimed " + amount(total, p.token(), contracts) + " in all from pool #" + poolId);
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data pool reclaim POOL}. */
    @Command(name = "reclaim", description = "As the owner of a pool that ended without a single score, take its deposits back.")
    static final class Reclaim implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "POOL", description = "Your pool's id.")
        long poolId;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                HyphaContracts contracts = contracts(session, key);
                DataPool p = contracts.pools().pool(poolId);
                long now = chainTime(session);
                if (!p.owner().equals(Address.parse(key.getAddress()))) {
                    throw HyphaException.input("pool #" + poolId + " belongs to " + p.owner().toChecksumString());
                }
                if (now <= p.scoringEnd()) {
                    throw HyphaException.input("pool #" + poolId + " is scored until chain time " + p.scoringEnd() + " (now "
                            + now + ")");
                }
                if (p.totalScore().signum() != 0) {
                    throw HyphaException.input("pool #" + poolId + " was scored: its deposits belong to its contributors");
                }
                BigInteger left = p.deposited().subtract(p.claimed());
                if (left.signum() == 0) throw HyphaException.input("pool #" + poolId + " holds nothing to reclaim");
                contracts.pools().reclaimUnscored(poolId);
                session.out().println("Reclaimed " + amount(left, p.token(), contracts) + " from unscored pool #" + poolId);
            }
            return ExitCodes.OK;
        }
    }
}
