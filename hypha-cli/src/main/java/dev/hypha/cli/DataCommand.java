package dev.hypha.cli;

import dev.hypha.chain.assets.Licence;
import dev.hypha.chain.assets.LineageEdge;
import dev.hypha.chain.assets.Terms;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.seal.DataKey;
import dev.hypha.core.seal.RecipientKey;
import dev.hypha.core.text.TerminalText;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.node.content.ServedFiles;
import dev.hypha.node.data.DataKeyCard;
import dev.hypha.node.data.DataOwner;
import dev.hypha.node.data.DataReader;
import dev.hypha.node.data.OwnedData;
import dev.hypha.node.http.ApiServer;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha data add|key|grant|revoke|ls|get|serve|pool}: encrypted data owned on chain. The owner seals and registers,
 * grants each reader the data key wrapped to the reader's signed data key, and serves the ciphertext; a reader fetches
 * it from any trustless gateway and opens it with its account key.
 */
@Command(name = "data", description = "Encrypted data: seal and register, grant, revoke, list, fetch and open.",
        subcommands = {DataCommand.Add.class, DataCommand.Key.class, DataCommand.Grant.class, DataCommand.Revoke.class,
                DataCommand.Ls.class, DataCommand.Get.class, DataCommand.Serve.class, DataCommand.GrantJob.class,
                DataCommand.RevokeJob.class, DataCommand.Release.class, DataCommand.Buy.class, DataCommand.Fulfil.class,
                DataPoolCommand.class})
final class DataCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ErrorCategory.USAGE.exitCode();
    }

    /** The contracts as {@code key}'s account (unlocked once, by the caller). */
    private static HyphaContracts contracts(Session session, Credentials key) {
        return HyphaContracts.connect(session.deployment(), session.sender(key));
    }

    /** {@code hypha data add FILE|DIR --license SPDX [--price P] [--parent ID:SHARE]...}. */
    @Command(name = "add", description = {"Seal FILE under a fresh data key, store the ciphertext, register it as a dataset",
            "and grant yourself the key. Prints the asset id, the ciphertext's and the plaintext's content ids.",
            "A folder DIR is one dataset: each file sealed under its own key, a sealed manifest of them under the",
            "dataset key; the plaintext id is the folder's UnixFS directory id (as `ipfs add -r` gives it).",
            "A run that was killed is finished by the next `hypha data add` (nothing is registered twice)."})
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "FILE|DIR", description = "The file or folder to seal (omit to only finish killed runs).")
        Path file;

        @Option(names = "--license", paramLabel = "SPDX", description = "SPDX licence expression, e.g. CC-BY-4.0.")
        String license;

        @Option(names = "--price", paramLabel = "HUSD",
                description = "Sell access per use at this price in hUSD (e.g. 2.5); without it access is granted free.")
        String price;

        @Option(names = "--non-commercial", description = "Free for non-commercial use only (no --price).")
        boolean nonCommercial;

        @Option(names = "--parent", paramLabel = "ID:SHARE_BPS", description = "A parent asset and its share in basis points (repeatable, at most 8).")
        List<String> parents = new ArrayList<>();

        @Override
        public Integer call() {
            if (file != null && license == null) throw HyphaException.input("--license SPDX is required with FILE");
            if (file != null && !java.nio.file.Files.isRegularFile(file) && !java.nio.file.Files.isDirectory(file)) {
                throw HyphaException.input(file + " is not a readable file or folder");
            }
            List<LineageEdge> edges = new ArrayList<>();
            try {
                for (String p : parents) edges.add(LineageEdge.parse(p));
            } catch (IllegalArgumentException e) {
                throw HyphaException.input(e.getMessage());
            }
            if (price != null && nonCommercial) throw HyphaException.input("--price and --non-commercial exclude each other");
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                HyphaContracts contracts = contracts(session, key);
                DataOwner owner = new DataOwner(session.home(), contracts, key);
                PrintWriter out = session.out();
                for (DataOwner.Added a : owner.finishPending()) {
                    out.println("Finished an interrupted add: " + describe(a));
                }
                if (file == null) return ExitCodes.OK;
                Licence licence = licence(contracts);
                PrintWriter err = session.err();
                err.println("Sealing " + TerminalText.line(file.toString()) + " (ChaCha20-Poly1305, fresh data key)...");
                err.flush();
                dev.hypha.cli.model.TransferBar bar = new dev.hypha.cli.model.TransferBar(err, System::nanoTime);
                DataOwner.Added added;
                try {
                    added = owner.add(file, licence, edges, (done, total) -> bar.update("sealing", done, Math.max(total, 1)));
                } finally {
                    bar.finish();
                }
                out.println("Added " + describe(added));
                out.println("  licence " + TerminalText.line(licence.spdx()) + ", "
                        + ModelRegisterCommand.termsText(licence));
                for (LineageEdge e : edges) {
                    out.println("  parent #" + e.parentId() + " earns " + LineageCommand.percent(e.shareBps()) + " of its revenue");
                }
                out.println("Grant a reader with `hypha data grant " + added.assetId() + " ACCOUNT --key CARD` "
                        + "(CARD: what `hypha data key` prints on the reader's machine)");
            }
            return ExitCodes.OK;
        }

        private Licence licence(HyphaContracts contracts) {
            try {
                if (price != null) {
                    BigInteger units = TokenAmount.parse(price, dev.hypha.chain.deploy.Deployer.PAYMENT_DECIMALS, "--price")
                            .baseUnits();
                    return new Licence(license, Terms.PAID_PER_USE,
                            Address.parse(contracts.deployment().address(PaymentTokenClient.NAME)), units);
                }
                return Licence.unpriced(license, nonCommercial ? Terms.NON_COMMERCIAL : Terms.FREE);
            } catch (IllegalArgumentException e) {
                throw HyphaException.input(e.getMessage());
            }
        }

        private static String describe(DataOwner.Added a) {
            return "dataset #" + a.assetId() + "\n  sealed    " + a.sealed() + "\n  plaintext " + a.plaintext() + " ("
                    + a.size() + " bytes)\n  datasheet " + a.datasheet();
        }
    }

    /** {@code hypha data key}. */
    @Command(name = "key", description = {"Print your data key card: the public key owners wrap data keys to, signed by",
            "your account. Hand it to an owner for `hypha data grant ID ACCOUNT --key CARD`."})
    static final class Key implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                session.out().println(DataKeyCard.of(key).text());
                session.err().println("Data key card of " + Address.parse(key.getAddress()).toChecksumString()
                        + " (public: safe to share)");
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data grant ID ACCOUNT --key CARD}. */
    @Command(name = "grant", description = "Grant ACCOUNT access to your asset ID: its data key wrapped to the account's data key card.")
    static final class Grant implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "Your asset's id.")
        long assetId;

        @Parameters(index = "1", paramLabel = "ACCOUNT", description = "The reader's address.")
        String account;

        @Option(names = "--key", required = true, paramLabel = "CARD",
                description = "The reader's data key card (hdk1:...), as `hypha data key` prints it; its signature must be ACCOUNT's.")
        String card;

        @Override
        public Integer call() {
            Address grantee = Address.parse(account);
            DataKeyCard parsed = DataKeyCard.parse(card.strip(), grantee);
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                new DataOwner(session.home(), contracts(session, key), key).grant(assetId, parsed);
                session.out().println("Granted " + grantee.toChecksumString() + " access to asset #" + assetId);
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data revoke ID ACCOUNT}. */
    @Command(name = "revoke", description = {"End ACCOUNT's access to your asset ID (its wrapped key is deleted from state).",
            "What it fetched before stays with it: rotate to new data for secrecy from then on."})
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "Your asset's id.")
        long assetId;

        @Parameters(index = "1", paramLabel = "ACCOUNT", description = "The reader's address.")
        String account;

        @Override
        public Integer call() {
            Address grantee = Address.parse(account);
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                new DataOwner(session.home(), contracts(session, key), key).revoke(assetId, grantee);
                session.out().println("Revoked " + grantee.toChecksumString() + "'s access to asset #" + assetId);
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data ls}. */
    @Command(name = "ls", description = "List the data you may read (yours and granted to you), and adds not yet finished here.")
    static final class Ls implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                Address me = session.account();
                HyphaContracts contracts = session.contractsForReading();
                PrintWriter out = session.out();
                List<String[]> table = new ArrayList<>();
                table.add(new String[] {"ID", "ROLE", "OWNER", "LICENCE", "SEALED CONTENT ID"});
                for (long id : contracts.grants().everGrantedTo(me, 10_000)) {
                    if (!contracts.grants().hasAccess(id, me)) continue;
                    var asset = contracts.assets().asset(id);
                    String cid;
                    try {
                        cid = dev.hypha.core.cid.ContentId.fromBytes(asset.contentId()).toString();
                    } catch (RuntimeException e) {
                        cid = "(not a content id)";
                    }
                    table.add(new String[] {"#" + id, asset.owner().equals(me) ? "owner" : "grantee",
                            asset.owner().toChecksumString(),
                            asset.licence().spdx() + ", " + ModelRegisterCommand.termsText(asset.licence()), cid});
                }
                for (OwnedData r : OwnedData.all(session.home())) {
                    if (r.state() != OwnedData.State.GRANTED && Address.parse(r.account()).equals(me)) {
                        table.add(new String[] {"-", "unfinished add", me.toChecksumString(), r.spdx(), r.sealed()});
                    }
                }
                if (table.size() == 1) {
                    out.println("No data granted to " + me.toChecksumString() + " (add some with `hypha data add FILE --license SPDX`)");
                } else {
                    Table.print(out, table);
                }
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data get ID --out PATH [--from URL]}. */
    @Command(name = "get", description = {"Fetch asset ID's ciphertext (every block verified), unwrap its key with your",
            "account key, decrypt, check the plaintext's content id, and write PATH (only once all of it checked).",
            "A sealed folder is restored as the folder PATH (which must not exist yet), its directory id checked."})
    static final class Get implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The asset id.")
        long assetId;

        @Option(names = "--out", required = true, paramLabel = "PATH", description = "Where to write the plaintext (file or folder).")
        Path out;

        @Option(names = "--from", paramLabel = "URL",
                description = "A trustless gateway with the ciphertext (the owner's node, e.g. http://host:port); not needed when stored here.")
        URI from;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                Address me = Address.parse(key.getAddress());
                HyphaContracts contracts = contracts(session, key);
                DataReader reader = new DataReader(session.home(), contracts);
                DataKey dataKey = reader.accountKey(assetId, me,
                        RecipientKey.ofAccount(key.getEcKeyPair().getPrivateKey()));
                PrintWriter err = session.err();
                dev.hypha.cli.model.TransferBar bar = new dev.hypha.cli.model.TransferBar(err, System::nanoTime);
                DataReader.Opened opened;
                try {
                    opened = reader.open(assetId, dataKey, Optional.ofNullable(from), out,
                            (done, total) -> { if (total > 0) bar.update("fetching", done, total); });
                } finally {
                    bar.finish();
                }
                session.out().println("Wrote " + TerminalText.line(opened.file().toString()) + " (" + opened.size()
                        + " bytes, plaintext " + opened.plaintext() + " as registered) from asset #" + assetId);
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data serve [--host H] [--port P]}. */
    @Command(name = "serve", description = {"Serve your sealed data (ciphertext and datasheets, never plaintext) as an IPFS",
            "trustless gateway (/ipfs/{cid}?format=raw|car) until stopped. `hypha up` and `hypha provider start` serve it too."})
    static final class Serve implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
        String host;

        @Option(names = "--port", defaultValue = "8088", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
        int port;

        @Override
        public Integer call() throws InterruptedException {
            Session session = Session.of(spec);
            Path home = session.home();
            BlockRoutes routes = BlockRoutes.forFiles(ServedFiles.sealedData(new ContentStore(home)), home);
            CliEnvironment.StopSignal stop = session.environment().runUntil();
            try (ApiServer server = new ApiServer(host, port, List.of(routes))) {
                server.start();
                session.out().println("Serving sealed data at http://" + host + ":" + server.port() + "/ipfs/{cid}"
                        + " (Ctrl-C stops)");
                session.out().flush();
                stop.await();
                routes.awaitIndexed();
            } finally {
                stop.finished();
            }
            return ExitCodes.OK;
        }
    }

    /** A spec given as a content id or as the spec file itself. */
    private static dev.hypha.core.cid.ContentId specId(String spec) {
        Path file = Path.of(spec);
        if (java.nio.file.Files.isRegularFile(file)) return dev.hypha.core.cid.ContentIds.of(file);
        try {
            return dev.hypha.core.cid.ContentId.parse(spec);
        } catch (RuntimeException e) {
            throw HyphaException.input("--spec " + spec + " is neither a spec file nor a content id");
        }
    }

    /** {@code hypha data grant-job ID --spec SPEC}. */
    @Command(name = "grant-job", description = {"Allow compute jobs with this spec to use your asset ID (compute-to-data).",
            "No key is released yet: `hypha data release` gives it to the provider that leases such a job."})
    static final class GrantJob implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "Your asset's id.")
        long assetId;

        @Option(names = "--spec", required = true, paramLabel = "SPEC", description = "The job spec file, or its content id.")
        String jobSpec;

        @Override
        public Integer call() {
            dev.hypha.core.cid.ContentId id = specId(jobSpec);
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                HyphaContracts contracts = contracts(session, key);
                new dev.hypha.node.data.JobDataKeys(contracts, new DataOwner(session.home(), contracts, key)).allow(assetId, id);
                session.out().println("Jobs with spec " + id + " may use asset #" + assetId
                        + " (release the key to a lease's provider with `hypha data release " + assetId + " --order N --key CARD`)");
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data revoke-job ID --spec SPEC}. */
    @Command(name = "revoke-job", description = "End the access of jobs with this spec to your asset ID (a released key is deleted from state).")
    static final class RevokeJob implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "Your asset's id.")
        long assetId;

        @Option(names = "--spec", required = true, paramLabel = "SPEC", description = "The job spec file, or its content id.")
        String jobSpec;

        @Override
        public Integer call() {
            dev.hypha.core.cid.ContentId id = specId(jobSpec);
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                HyphaContracts contracts = contracts(session, key);
                new dev.hypha.node.data.JobDataKeys(contracts, new DataOwner(session.home(), contracts, key)).disallow(assetId, id);
                session.out().println("Jobs with spec " + id + " may no longer use asset #" + assetId);
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data release ID --order N --key CARD}. */
    @Command(name = "release", description = {"Release asset ID's data key to the provider holding order N's lease (its spec",
            "must be allowed with grant-job). CARD is that provider's `hypha data key`; only it can unwrap the key."})
    static final class Release implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "Your asset's id.")
        long assetId;

        @Option(names = "--order", required = true, paramLabel = "N", description = "The ComputeMarket order.")
        BigInteger order;

        @Option(names = "--key", required = true, paramLabel = "CARD", description = "The leaseholder's data key card (hdk1:...).")
        String card;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                HyphaContracts contracts = contracts(session, key);
                Address provider = new dev.hypha.node.data.JobDataKeys(contracts,
                        new DataOwner(session.home(), contracts, key)).release(assetId, order, DataKeyCard.parse(card.strip()));
                session.out().println("Released asset #" + assetId + "'s key to " + provider.toChecksumString()
                        + ", the provider holding order " + order + "'s lease");
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data buy ID [--max-price HUSD]}. */
    @Command(name = "buy", description = {"Pay asset ID's per-use price (held by AccessGrants) and ask its owner for the key,",
            "wrapped to your data key. The owner's `hypha data fulfil` delivers it (then `hypha data get`); undelivered",
            "after 3 days, the payment can be refunded."})
    static final class Buy implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The asset id.")
        long assetId;

        @Option(names = "--max-price", paramLabel = "HUSD", description = "Refuse if the price is above this (default: the price now).")
        String maxPrice;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                HyphaContracts contracts = contracts(session, key);
                Licence licence = contracts.assets().licence(assetId);
                BigInteger limit = maxPrice == null ? licence.price()
                        : TokenAmount.parse(maxPrice, dev.hypha.chain.deploy.Deployer.PAYMENT_DECIMALS, "--max-price").baseUnits();
                long request = contracts.grants().requestAccess(assetId,
                        RecipientKey.ofAccount(key.getEcKeyPair().getPrivateKey()).publicKey(), limit);
                session.out().println("Requested access to asset #" + assetId + " (request " + request + ", paid "
                        + TokenAmount.format(licence.price(), dev.hypha.chain.deploy.Deployer.PAYMENT_DECIMALS) + " "
                        + dev.hypha.chain.deploy.Deployer.PAYMENT_SYMBOL + ", held until the owner delivers the key)");
            }
            return ExitCodes.OK;
        }
    }

    /** {@code hypha data fulfil [--watch SECONDS]}. */
    @Command(name = "fulfil", description = {"Deliver the keys of open paid requests for your assets (the payment then goes",
            "to the asset, split up its lineage). With --watch, keep doing so every SECONDS until stopped."})
    static final class Fulfil implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--watch", paramLabel = "SECONDS", description = "Poll every SECONDS (1 to 3600) until Ctrl-C.")
        Integer watch;

        @Override
        public Integer call() throws InterruptedException {
            if (watch != null && (watch < 1 || watch > 3600)) throw HyphaException.input("--watch must be 1 to 3600 seconds");
            try (Session session = Session.of(spec)) {
                Credentials key = session.credentials();
                HyphaContracts contracts = contracts(session, key);
                Address me = Address.parse(key.getAddress());
                dev.hypha.node.data.PaidRequests requests = new dev.hypha.node.data.PaidRequests(session.home(), contracts,
                        new DataOwner(session.home(), contracts, key), me);
                PrintWriter out = session.out();
                if (watch == null) {
                    report(out, requests.fulfilOpen(), true);
                    return ExitCodes.OK;
                }
                CliEnvironment.StopSignal stop = session.environment().runUntil();
                Thread poller = Thread.ofVirtual().name("data-fulfil").start(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            report(out, requests.fulfilOpen(), false);
                            Thread.sleep(watch * 1000L);
                        } catch (InterruptedException e) {
                            return;
                        } catch (RuntimeException e) {
                            out.println("fulfil pass failed (tried again): " + TerminalText.line(String.valueOf(e.getMessage())));
                            out.flush();
                        }
                    }
                });
                out.println("Delivering paid requests every " + watch + " s (Ctrl-C stops)");
                out.flush();
                try {
                    stop.await();
                } finally {
                    poller.interrupt();
                    poller.join();
                    stop.finished();
                }
            }
            return ExitCodes.OK;
        }

        private static void report(PrintWriter out, List<dev.hypha.node.data.PaidRequests.Outcome> done, boolean always) {
            for (var o : done) {
                out.println("request " + o.requestId() + " for asset #" + o.assetId() + " by " + o.buyer().toChecksumString()
                        + ": " + TerminalText.line(o.note()));
            }
            if (done.isEmpty() && always) out.println("No open paid requests for your assets");
            out.flush();
        }
    }
}
