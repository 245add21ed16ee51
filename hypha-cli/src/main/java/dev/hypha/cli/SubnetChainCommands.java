package dev.hypha.cli;

import dev.hypha.chain.contracts.SubnetRegistry;
import dev.hypha.chain.deploy.SubnetsClient;
import dev.hypha.chain.subnets.SubnetParams;
import dev.hypha.chain.subnets.WeightRow;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha subnet create|list|show|register|weights}: the subnet contracts (SubnetRegistry) from the command line.
 * Epochs are computed with {@code hypha subnet epoch}; posting and challenging live in the chain client.
 */
final class SubnetChainCommands {
    private SubnetChainCommands() {}

    private static String hyp(BigInteger wei) {
        return TokenAmount.format(wei, TokenAmount.HYP_DECIMALS) + " HYP";
    }

    /** {@code hypha subnet create}: a subnet with Bittensor's hyper-parameters (local defaults unless given). */
    @Command(name = "create", description = "Create a subnet (locks 100 HYP) with its hyper-parameters.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        private static final SubnetParams D = SubnetParams.localDefaults();

        @Option(names = "--tempo", description = "Blocks per epoch (default ${DEFAULT-VALUE}).")
        long tempo = D.tempo();
        @Option(names = "--max-uids", description = "UIDs before registration replaces the lowest scoring (default ${DEFAULT-VALUE}).")
        int maxUids = D.maxUids();
        @Option(names = "--max-validators", description = "Validator permits, top stake (default ${DEFAULT-VALUE}).")
        int maxValidators = D.maxValidators();
        @Option(names = "--immunity-period", description = "Blocks a new UID cannot be replaced (default ${DEFAULT-VALUE}).")
        long immunity = D.immunityPeriod();
        @Option(names = "--kappa", description = "Consensus quantile as u16 proportion (default ${DEFAULT-VALUE} = 0.5).")
        int kappa = D.kappa();
        @Option(names = "--bonds-penalty", description = "u16 proportion (default ${DEFAULT-VALUE}).")
        int bondsPenalty = D.bondsPenalty();
        @Option(names = "--bonds-moving-average", description = "Millionths (default ${DEFAULT-VALUE}).")
        long bondsMovingAverage = D.bondsMovingAverage();
        @Option(names = "--weights-rate-limit", description = "Blocks between two commits of a UID (default ${DEFAULT-VALUE}).")
        long weightsRateLimit = D.weightsRateLimit();
        @Option(names = "--commit-reveal-interval", description = "Blocks before a commit may be revealed (default ${DEFAULT-VALUE}).")
        long commitReveal = D.commitRevealInterval();
        @Option(names = "--activity-cutoff", description = "Blocks a validator stays active after a commit (default ${DEFAULT-VALUE}).")
        long activityCutoff = D.activityCutoff();
        @Option(names = "--min-burn", description = "Registration price floor in HYP (default 1).")
        String minBurn = "1";
        @Option(names = "--max-burn", description = "Registration price ceiling in HYP (default 100).")
        String maxBurn = "100";

        @Override
        public Integer call() {
            SubnetParams p = new SubnetParams(tempo, maxUids, maxValidators, immunity, kappa, bondsPenalty,
                    bondsMovingAverage, weightsRateLimit, commitReveal, activityCutoff,
                    TokenAmount.hyp(minBurn, "--min-burn").baseUnits(), TokenAmount.hyp(maxBurn, "--max-burn").baseUnits());
            try (Session session = Session.of(spec)) {
                SubnetsClient subnets = session.contractsAsSigner().subnets();
                long netuid = subnets.createSubnet(p);
                session.out().println("Created subnet " + netuid + " (locked " + hyp(subnets.subnetLock()) + "; tempo "
                        + tempo + " blocks, " + maxUids + " UIDs, " + maxValidators + " validator permits)");
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha subnet list}. */
    @Command(name = "list", description = "List the subnets: owner, UIDs, epochs closed and accepted.")
    static final class ListSubnets implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                SubnetsClient subnets = session.contractsForReading().subnets();
                long count = subnets.subnetCount();
                if (count == 0) {
                    session.out().println("No subnets yet (create one with `hypha subnet create`)");
                    return ExitCodes.OK;
                }
                session.out().printf(Locale.ROOT, "%-7s %-42s %5s %7s %9s%n", "NETUID", "OWNER", "UIDS", "EPOCHS", "ACCEPTED");
                for (long netuid = 0; netuid < count; netuid++) {
                    SubnetRegistry.Subnet s = subnets.subnet(netuid);
                    session.out().printf(Locale.ROOT, "%-7d %-42s %5d %7d %9d%n", netuid, s.owner, s.n, s.epoch,
                            subnets.acceptedEpochs(netuid));
                }
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha subnet show N}. */
    @Command(name = "show", description = "Show a subnet: hyper-parameters, burn price and its UIDs.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NETUID")
        long netuid;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                SubnetsClient subnets = session.contractsForReading().subnets();
                if (netuid < 0 || netuid >= subnets.subnetCount()) {
                    throw HyphaException.input("no subnet " + netuid + " (there are " + subnets.subnetCount() + ")");
                }
                SubnetRegistry.Subnet s = subnets.subnet(netuid);
                SubnetParams p = subnets.params(netuid);
                var out = session.out();
                out.println("Subnet " + netuid + " owned by " + s.owner + ", " + hyp(s.locked) + " locked");
                out.println("  tempo " + p.tempo() + " blocks, max UIDs " + p.maxUids() + ", validator permits "
                        + p.maxValidators() + ", immunity " + p.immunityPeriod() + " blocks");
                out.println("  kappa " + p.kappa() + ", bonds penalty " + p.bondsPenalty() + ", bonds moving average "
                        + p.bondsMovingAverage() + ", weights rate limit " + p.weightsRateLimit()
                        + ", commit-reveal interval " + p.commitRevealInterval() + ", activity cutoff " + p.activityCutoff());
                out.println("  burn price now " + hyp(subnets.burnPrice(netuid)) + " (" + hyp(p.minBurn()) + " .. "
                        + hyp(p.maxBurn()) + "); epochs closed " + s.epoch + ", accepted " + subnets.acceptedEpochs(netuid)
                        + ", owner share owed " + hyp(subnets.ownerOwed(netuid)));
                for (int uid = 0; uid < s.n.intValueExact(); uid++) {
                    SubnetRegistry.Uid u = subnets.uid(netuid, uid);
                    out.println("  UID " + uid + "  " + u.account + (u.permit ? "  validator" : "  miner")
                            + "  registered at block " + u.registeredAt + "  score " + hyp(u.score));
                }
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha subnet register N}. */
    @Command(name = "register", description = "Register your account on a UID of subnet NETUID by burning HYP.")
    static final class Register implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NETUID")
        long netuid;

        @Option(names = "--max-burn", description = "Most HYP you accept to burn (default: the subnet's ceiling).")
        String maxBurn;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                SubnetsClient subnets = session.contractsAsSigner().subnets();
                BigInteger limit = maxBurn == null ? subnets.params(netuid).maxBurn()
                        : TokenAmount.hyp(maxBurn, "--max-burn").baseUnits();
                BigInteger price = subnets.burnPrice(netuid);
                int uid = subnets.register(netuid, limit);
                session.out().println("Registered " + session.account().toChecksumString() + " as UID " + uid
                        + " of subnet " + netuid + " (burned about " + hyp(price) + ")");
            }
            return ExitCodes.OK;
        }
    }

    /**
     * {@code hypha subnet weights N UID=VALUE...} commits salted weights and keeps them (with the salt) in
     * HOME/subnets/CHAIN-NETUID.pending; {@code hypha subnet weights N --reveal} reveals them once the commit-reveal
     * interval has passed.
     */
    @Command(name = "weights", description = {"Commit weights (UID=VALUE ..., values 1..65535) for subnet NETUID,",
        "or reveal the pending commit with --reveal once the commit-reveal interval has passed."})
    static final class Weights implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NETUID")
        long netuid;

        @Parameters(index = "1..*", arity = "0..*", paramLabel = "UID=VALUE")
        List<String> weights = List.of();

        @Option(names = "--reveal", description = "Reveal the pending commit instead of committing.")
        boolean reveal;

        @Override
        public Integer call() throws IOException {
            try (Session session = Session.of(spec)) {
                SubnetsClient subnets = session.contractsAsSigner().subnets();
                Path pending = session.home().resolve("subnets")
                        .resolve(session.chain().chainId() + "-" + netuid + "-" + session.account().lowercaseHex() + ".pending");
                if (reveal) {
                    if (!Files.isRegularFile(pending)) throw HyphaException.input("no pending commit for subnet " + netuid + " (" + pending + ")");
                    List<String> lines = Files.readAllLines(pending, StandardCharsets.UTF_8);
                    WeightRow row = parse(List.of(lines.get(1).split(" ")));
                    subnets.revealWeights(netuid, row, HexFormat.of().parseHex(lines.get(0)));
                    Files.delete(pending);
                    session.out().println("Revealed " + row.uids().length + " weights on subnet " + netuid);
                    return ExitCodes.OK;
                }
                WeightRow row = parse(weights);
                byte[] salt = new byte[32];
                new SecureRandom().nextBytes(salt);
                // write the salt before the commit: a commit whose salt is lost could never be revealed
                Files.createDirectories(pending.getParent());
                Path tmp = pending.resolveSibling(pending.getFileName() + ".tmp");
                Files.writeString(tmp, HexFormat.of().formatHex(salt) + "\n" + String.join(" ", weights) + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, pending, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                subnets.commitWeights(netuid, subnets.weightsHash(netuid, session.account().lowercaseHex(), row, salt));
                session.out().println("Committed " + row.uids().length + " weights on subnet " + netuid + "; reveal with `hypha subnet weights "
                        + netuid + " --reveal` after " + subnets.params(netuid).commitRevealInterval() + " blocks");
            }
            return ExitCodes.OK;
        }

        static WeightRow parse(List<String> pairs) {
            if (pairs.isEmpty()) throw HyphaException.input("no weights: give UID=VALUE pairs, e.g. 3=40000 4=25535");
            if (pairs.size() > 256) throw HyphaException.input(pairs.size() + " weights: at most 256");
            int[] uids = new int[pairs.size()];
            int[] values = new int[pairs.size()];
            for (int k = 0; k < pairs.size(); k++) {
                String[] kv = pairs.get(k).split("=", 2);
                try {
                    uids[k] = Integer.parseInt(kv[0]);
                    values[k] = Integer.parseInt(kv[1]);
                } catch (RuntimeException e) {
                    throw HyphaException.input("weight '" + pairs.get(k) + "': expected UID=VALUE with integers");
                }
                if (uids[k] < 0 || uids[k] > 255 || values[k] < 1 || values[k] > 65_535) {
                    throw HyphaException.input("weight '" + pairs.get(k) + "': UID must be 0..255 and VALUE 1..65535");
                }
                if (k > 0 && uids[k] <= uids[k - 1]) throw HyphaException.input("weights: UIDs must be strictly increasing");
            }
            return new WeightRow(uids, values);
        }
    }
}
