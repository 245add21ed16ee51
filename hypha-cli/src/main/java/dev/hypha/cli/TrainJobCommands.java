package dev.hypha.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hypha.chain.compute.ComputeBid;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.compute.Resources;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.config.Settings;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.compute.JobLimits;
import dev.hypha.node.compute.PublishedContent;
import dev.hypha.node.compute.TenantJobs;
import dev.hypha.node.http.ApiServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha train submit|status|logs|fetch|cancel}: buy training on ComputeMarket. {@code submit} orders a spec,
 * leases it to the cheapest acceptable bid (or a chosen provider's), and publishes the spec and dataset until the
 * provider has fetched them; the others follow the order by id.
 */
final class TrainJobCommands {
    private TrainJobCommands() {}

    /** What every job command needs: the tenant's unlocked key, its contracts, the store and the client. */
    private record Tenant(Session session, TenantJobs jobs, HyphaContracts contracts, ContentStore store) {
        static Tenant open(Session session) {
            Credentials key = session.credentials();
            HyphaContracts contracts = HyphaContracts.connect(session.deployment(), session.sender(key));
            ContentStore store = new ContentStore(session.home());
            return new Tenant(session, new TenantJobs(contracts, key, store, session.home(), HttpClient.newHttpClient(),
                    Clock.systemUTC(), () -> session.chain().latestBlock().getTimestamp().longValueExact()), contracts, store);
        }
    }

    static BigInteger orderId(String text) {
        if (!text.strip().matches("[1-9][0-9]{0,76}")) {
            throw HyphaException.input("'" + text + "' is not an order id (a positive whole number, as submit printed)");
        }
        return new BigInteger(text.strip());
    }

    @Command(name = "submit", description = {"Order training of SPEC on ComputeMarket: publish the spec and dataset, place the "
            + "order with a deposit, lease it to the cheapest acceptable bid, hand the provider the inputs.",
        "Stays until the provider has fetched the inputs; then follow it with status, logs, fetch."})
    static final class Submit implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "SPEC", description = "The training spec (.toml); its dataset must be a content id.")
        Path specFile;

        @Option(names = "--max-price", paramLabel = "UNITS", required = true,
                description = "Most you pay per hour of lease, in the payment token's smallest units.")
        String maxPrice;

        @Option(names = "--deposit", paramLabel = "UNITS", description = "Escrowed now (default: max price x hours).")
        String deposit;

        @Option(names = "--hours", paramLabel = "H", defaultValue = "1", description = "Hours the default deposit pays for (default ${DEFAULT-VALUE}).")
        int hours;

        @Option(names = "--cores", paramLabel = "N", defaultValue = "1", description = "Cores the job needs (default ${DEFAULT-VALUE}).")
        int cores;

        @Option(names = "--memory", paramLabel = "MIB", defaultValue = "1024", description = "Memory the job needs (default ${DEFAULT-VALUE} MiB).")
        long memoryMiB;

        @Option(names = "--accelerators", paramLabel = "K", defaultValue = "0",
                description = "Accelerators the job needs (default ${DEFAULT-VALUE}).")
        long accelerators;

        @Option(names = "--trusted-auditor", paramLabel = "ADDR", description = {"Take only bids whose resources this auditor "
                + "attested (`hypha compute attest`); the market checks each bid's signature and refuses the rest. "
                + "One auditor per order (the market takes one)."})
        String trustedAuditor;

        @Option(names = "--bid-window", paramLabel = "SECONDS", defaultValue = "30",
                description = "Seconds providers may bid before the cheapest bid is accepted (default ${DEFAULT-VALUE}).")
        long bidWindow;

        @Option(names = "--provider", paramLabel = "ADDR", description = "Accept this provider's bid as soon as it comes, not the cheapest.")
        String provider;

        @Option(names = "--serve", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:0",
                description = "Where the spec and dataset are published for the provider (default ${DEFAULT-VALUE}: any free port).")
        String serve;

        @Option(names = "--public-url", paramLabel = "URL", description = "The URL the provider reaches --serve at (default http://HOST:PORT).")
        String publicUrl;

        @Option(names = "--input", paramLabel = "FILE", description = {"A file the spec names by content id (a fine-tune's base "
                + "GGUF or data), added to the store and published; repeatable."})
        List<Path> inputs = new ArrayList<>();

        @Option(names = "--data-from", paramLabel = "URL", description = {"Where the provider fetches sealed data the spec names "
                + "with data_asset (the data owner's node, a trustless gateway); repeatable."})
        List<java.net.URI> dataFrom = new ArrayList<>();

        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "600",
                description = "How long to wait for bids and for the provider to fetch the inputs (default ${DEFAULT-VALUE}).")
        long waitSeconds;

        @Option(names = "--providers", paramLabel = "N", defaultValue = "1", description = {"Train across N providers (DiLoCo): "
                + "every round each provider trains the round's global weights for --inner-steps steps on its own lease, "
                + "then the outer step (Nesterov, lr 0.7, momentum 0.9) runs here; stays until the last round (default "
                + "${DEFAULT-VALUE}: one lease)."})
        int providers;

        @Option(names = "--inner-steps", paramLabel = "H", defaultValue = "50",
                description = "With --providers: steps each provider takes per round (default ${DEFAULT-VALUE}).")
        int innerSteps;

        @Override
        public Integer call() throws InterruptedException {
            BigInteger max = ComputeOfferCommand.units("--max-price", maxPrice);
            if (hours < 1 || hours > 24 * 365) throw HyphaException.input("--hours must be 1..8760, got " + hours);
            BigInteger dep = deposit != null ? ComputeOfferCommand.units("--deposit", deposit) : max.multiply(BigInteger.valueOf(hours));
            if (cores < 1 || memoryMiB < 1 || memoryMiB > 0xFFFF_FFFFL) throw HyphaException.input("--cores and --memory must be positive");
            if (accelerators < 0 || accelerators > 4096) throw HyphaException.input("--accelerators must be 0..4096");
            Address auditor = trustedAuditor == null ? Address.ZERO : Address.parse(trustedAuditor);
            if (trustedAuditor != null && auditor.equals(Address.ZERO)) {
                throw HyphaException.input("--trusted-auditor cannot be the zero address (leave it out to trust no auditor)");
            }
            Resources needs = new Resources(cores, memoryMiB, accelerators);
            if (bidWindow < 1 || bidWindow > 7 * 24 * 3600) throw HyphaException.input("--bid-window must be 1 s .. 7 days");
            if (waitSeconds < 1) throw HyphaException.input("--wait must be at least 1 second");
            Settings.HostPort where;
            try {
                where = Settings.HostPort.parse(serve.replaceFirst(":0$", ":1"));
            } catch (IllegalArgumentException e) {
                throw HyphaException.input("--serve " + serve + " is not HOST:PORT");
            }
            int port = serve.endsWith(":0") ? 0 : where.port();
            byte[] bytes = TrainCommand.read(specFile);
            if (providers < 1 || providers > dev.hypha.ml.train.run.DiLoCo.MAX_WORKERS || innerSteps < 1) {
                throw HyphaException.input("--providers must be 1.." + dev.hypha.ml.train.run.DiLoCo.MAX_WORKERS
                        + " and --inner-steps at least 1");
            }
            if (providers > 1) {
                if (provider != null || !inputs.isEmpty() || !dataFrom.isEmpty()) {
                    throw HyphaException.input("--providers trains a classifier spec on a public dataset: it takes no --provider, "
                            + "--input or --data-from");
                }
                return acrossProviders(bytes, new TenantJobs.OrderTerms(max, dep, needs, bidWindow, auditor), where, port);
            }
            try (Session session = Session.of(spec)) {
                Tenant t = Tenant.open(session);
                PrintWriter out = session.out();
                PublishedContent published = new PublishedContent();
                for (Path input : inputs) {
                    out.println("Input " + input + ": " + t.store().put(readInput(input)));
                }
                try (ApiServer server = new ApiServer(where.host(), port, List.of(published))) {
                    server.start();
                    TenantJobs.Submitted s = t.jobs().submit(specFile.toString(), bytes,
                            new TenantJobs.OrderTerms(max, dep, needs, bidWindow, auditor), published);
                    BigInteger id = s.orderId();
                    out.println("Order " + id + " placed: " + s.job().name() + " (spec " + s.spec() + ", data "
                            + s.dataset() + "), at most " + max + " units/hour, " + dep + " units held"
                            + (auditor.equals(Address.ZERO) ? "" : "; bids must be attested by auditor " + auditor.toChecksumString()));
                    out.flush();
                    int bid = provider != null ? awaitBidFrom(t, id, Address.parse(provider), out)
                            : t.jobs().lease(id, OptionalInt.empty(), Duration.ofSeconds(bidWindow + waitSeconds));
                    if (provider != null) {
                        t.jobs().lease(id, OptionalInt.of(bid), Duration.ZERO);
                    }
                    ComputeBid won = t.contracts().compute().bids(id).get(bid);
                    out.println("Leased to " + won.provider().toChecksumString() + " at " + won.pricePerHour() + " units/hour (bid "
                            + bid + ": " + ComputeBidsCommand.resources(won.offered())
                            + (auditor.equals(Address.ZERO) ? "" : ", attested by " + auditor.toChecksumString()) + ")");
                    String url = publicUrl != null ? publicUrl : "http://" + where.host() + ":" + server.port();
                    List<String> sources = new ArrayList<>(List.of(url));
                    dataFrom.forEach(u -> sources.add(u.toString()));
                    t.jobs().handOff(id, sources);
                    out.println("Inputs published at " + url + "; waiting for the provider to fetch them...");
                    out.flush();
                    String state = awaitFetched(t, id, out);
                    out.println("The provider is " + state + ". Follow it: hypha train status " + id + " | hypha train logs " + id
                            + " | hypha train fetch " + id);
                    out.flush();
                    return ExitCodes.OK;
                }
            }
        }

        /** DiLoCo over {@link #providers} leases a round; stays until the last round's outer step. */
        private int acrossProviders(byte[] bytes, TenantJobs.OrderTerms terms, Settings.HostPort where, int port)
                throws InterruptedException {
            try (Session session = Session.of(spec)) {
                Tenant t = Tenant.open(session);
                PrintWriter out = session.out();
                PublishedContent published = new PublishedContent();
                try (ApiServer server = new ApiServer(where.host(), port, List.of(published))) {
                    server.start();
                    String url = publicUrl != null ? publicUrl : "http://" + where.host() + ":" + server.port();
                    dev.hypha.node.compute.TrainingRounds rounds = new dev.hypha.node.compute.TrainingRounds(t.jobs(),
                            t.contracts().compute(), t.contracts().verifier(), t.store(), session.home(), Clock.systemUTC(),
                            Duration.ofSeconds(waitSeconds + 24 * 3600));
                    dev.hypha.node.compute.TrainingRounds.Result r = rounds.run(specFile.toString(), bytes,
                            dev.hypha.ml.train.run.DiLoCo.Settings.of(providers, innerSteps), terms, published, List.of(url),
                            Duration.ofSeconds(bidWindow + waitSeconds), line -> {
                                out.println(line);
                                out.flush();
                            });
                    out.println("Trained across " + providers + " providers in " + r.rounds() + " rounds: model " + r.model()
                            + " (models/" + dev.hypha.ml.train.run.TrainSpecParser.parse(specFile.toString(), bytes).name()
                            + "); rounds in " + r.record());
                    out.flush();
                    return ExitCodes.OK;
                }
            }
        }

        private static byte[] readInput(Path file) {
            try {
                if (Files.size(file) > JobLimits.DEFAULT.maxBaseModelBytes()) {
                    throw HyphaException.input(file + " is larger than a job input may be ("
                            + JobLimits.DEFAULT.maxBaseModelBytes() + " bytes)");
                }
                return Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new HyphaException(ErrorCategory.NOT_FOUND, "no such file: " + file, e);
            } catch (IOException e) {
                throw new HyphaException(ErrorCategory.IO, "cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        private int awaitBidFrom(Tenant t, BigInteger id, Address who, PrintWriter out) throws InterruptedException {
            out.println("Waiting for a bid from " + who.toChecksumString() + "...");
            out.flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(bidWindow + waitSeconds).toNanos();
            while (System.nanoTime() < deadline) {
                List<ComputeBid> bids = t.contracts().compute().bids(id);
                for (int i = 0; i < bids.size(); i++) {
                    if (bids.get(i).provider().equals(who) && !bids.get(i).withdrawn()) {
                        return i;
                    }
                }
                Thread.sleep(1000);
            }
            throw new HyphaException(ErrorCategory.NETWORK, who.toChecksumString() + " did not bid on order " + id
                    + "; cancel it with hypha train cancel " + id);
        }

        /**
         * Waits until the provider has fetched this server's inputs: it runs (or ended), or it waits for a data owner to
         * release a compute-to-data key (it fetched the rest first), which is printed with the command the owner runs.
         */
        private String awaitFetched(Tenant t, BigInteger id, PrintWriter out) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
            while (true) {
                String state = t.jobs().providerStatus(id).path("state").asText();
                if (!state.equals("LEASED") && !state.equals("FETCHING") && !state.equals("BID")) {
                    return state;
                }
                if (state.equals("FETCHING")) {
                    for (JsonNode line : t.jobs().logs(id, 0).path("lines")) {
                        if (line.asText().startsWith(dev.hypha.node.data.JobDataInputs.WAITING)) {
                            out.println("The job is " + line.asText());
                            return state + " (waiting for the data owner's key; it goes on once released)";
                        }
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new HyphaException(ErrorCategory.NETWORK, "the provider has not fetched the inputs of order " + id
                            + " after " + waitSeconds + " s (it is " + state + "); run submit's --serve address again or cancel");
                }
                Thread.sleep(500);
            }
        }
    }

    @Command(name = "status", description = "A submitted job: lease, step, loss, throughput and cost so far.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "JOB", description = "The order id submit printed, or the spec's name for a job "
                + "trained across providers (--providers): its rounds.")
        String job;

        @Override
        public Integer call() {
            if (!job.strip().matches("[0-9]+")) {
                try (Session session = Session.of(spec)) {
                    if (java.nio.file.Files.isRegularFile(dev.hypha.node.compute.TrainingRounds.recordFile(session.home(), job.strip()))) {
                        return roundsOf(spec, job.strip());
                    }
                }
            }
            BigInteger id = orderId(job);
            try (Session session = Session.of(spec)) {
                Tenant t = Tenant.open(session);
                PrintWriter out = session.out();
                TenantJobs.ChainView chain = t.jobs().chain(id);
                var o = chain.order();
                out.println("order " + id + ": " + o.state() + (o.state() == OrderState.OPEN ? " (" + o.bidCount() + " bid(s))"
                        : o.provider().equals(Address.ZERO) ? "" : " to " + o.provider().toChecksumString() + " at "
                        + o.pricePerHour() + " units/hour") + (o.state() == OrderState.CLOSED ? " (" + o.closeReason() + ")" : ""));
                if (!o.auditor().equals(Address.ZERO)) {
                    out.println("  bids must be attested by auditor " + o.auditor().toChecksumString());
                }
                if (o.state() == OrderState.OPEN || o.state() == OrderState.LEASED) {
                    ComputeBidsCommand.print(out, o, t.contracts().compute().bids(id), "  ");
                }
                if (o.state() == OrderState.LEASED || o.state() == OrderState.CLOSED) {
                    JsonNode job = t.jobs().providerStatus(id);
                    boolean running = job.path("state").asText().equals("RUNNING");
                    out.println(String.format(Locale.ROOT, "  job: %s step %d/%d loss %s%s%s",
                            job.path("state").asText(), job.path("step").asLong(), job.path("steps").asLong(),
                            job.path("loss").isNumber() ? String.format(Locale.ROOT, "%.4f", job.path("loss").asDouble()) : "-",
                            running ? String.format(Locale.ROOT, " (%.1f samples/s)", job.path("samplesPerSecond").asDouble()) : "",
                            job.path("message").asText().isEmpty() ? "" : ": " + job.path("message").asText()));
                    if (!job.path("result").asText().isEmpty()) {
                        out.println("  model: " + job.path("result").asText() + " (hypha train fetch " + id + ")");
                    }
                }
                out.println("  cost so far: " + chain.costSoFar() + " units (paid " + o.paid() + ", accrued " + chain.owed()
                        + "); held " + o.held() + (chain.fundedUntil() > 0 ? "; funded until "
                        + Instant.ofEpochSecond(chain.fundedUntil()) : ""));
                out.flush();
                return ExitCodes.OK;
            }
        }
    }

    /** The rounds of a job trained across providers: each round's global model and its leases on chain. */
    private static Integer roundsOf(CommandSpec spec, String name) {
        try (Session session = Session.of(spec)) {
            Tenant t = Tenant.open(session);
            PrintWriter out = session.out();
            JsonNode record = rounds(t, session).record(name);
            out.println(name + ": trained across " + record.path("workers").asInt() + " providers, H = "
                    + record.path("innerSteps").asInt() + ", " + record.path("rounds").size() + " round(s)"
                    + (record.hasNonNull("final") ? ", final model " + record.path("final").asText()
                    : record.hasNonNull("failed") ? ", FAILED: " + record.path("failed").asText()
                    : record.hasNonNull("trained") ? ", model " + record.path("trained").asText()
                    + " waits for every round lease's challenge window" : ", not finished"));
            for (JsonNode round : record.path("rounds")) {
                out.println("  round " + round.path("round").asLong() + ": global " + round.path("global").asText() + ", "
                        + round.path("results").size() + "/" + round.path("orders").size() + " result(s)");
                for (int w = 0; w < round.path("orders").size(); w++) {
                    BigInteger id = new BigInteger(round.path("orders").get(w).asText());
                    var o = t.jobs().chain(id).order();
                    out.println("    worker " + w + ": order " + id + " " + o.state()
                            + (o.provider().equals(Address.ZERO) ? "" : " to " + o.provider().toChecksumString())
                            + (o.state() == OrderState.CLOSED ? " (" + o.closeReason() + ")" : "") + ", paid " + o.paid()
                            + (round.path("results").has(w) ? ", result " + round.path("results").get(w).asText() : ""));
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    private static dev.hypha.node.compute.TrainingRounds rounds(Tenant t, Session session) {
        return new dev.hypha.node.compute.TrainingRounds(t.jobs(), t.contracts().compute(), t.contracts().verifier(), t.store(),
                session.home(), Clock.systemUTC(), Duration.ZERO);
    }

    @Command(name = "check", description = {"Check a job trained across providers (--providers) from its round record: "
            + "recompute every outer step from the stored files and read every round lease on chain (the round spec "
            + "ordered, the provider named, no dispute lost or open, past its challenge window once final).",
        "Exit 0 when everything holds; else it prints the first difference and exits 3 (bad input)."})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "The spec's name (as train status NAME takes it).")
        String name;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                Tenant t = Tenant.open(session);
                PrintWriter out = session.out();
                JsonNode record = rounds(t, session).record(name.strip());
                java.util.Optional<String> problem = dev.hypha.node.compute.TrainingRounds.check(record, t.store(),
                        t.contracts().compute(), t.contracts().verifier());
                if (problem.isPresent()) {
                    out.println(name.strip() + ": check failed: " + problem.get());
                    out.flush();
                    return ExitCodes.INPUT;
                }
                out.println(name.strip() + ": " + record.path("rounds").size() + " round(s) of " + record.path("workers").asInt()
                        + " leases recomputed; every lease ordered its round spec and is past its challenge window "
                        + "undisputed; final model " + record.path("final").asText());
                out.flush();
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "logs", description = "A submitted job's log lines from its provider (only the tenant may read them).")
    static final class Logs implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "JOB", description = "The order id submit printed.")
        String job;

        @Option(names = "--from", paramLabel = "LINE", defaultValue = "0", description = "First line to show (default ${DEFAULT-VALUE}).")
        long from;

        @Override
        public Integer call() {
            BigInteger id = orderId(job);
            if (from < 0) throw HyphaException.input("--from must be 0 or more");
            try (Session session = Session.of(spec)) {
                Tenant t = Tenant.open(session);
                JsonNode logs = t.jobs().logs(id, from);
                logs.path("lines").forEach(l -> session.out().println(l.asText()));
                session.out().flush();
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "fetch", description = "Fetch a finished job's model (or LoRA adapter) into the store, with its lineage "
            + "(spec, dataset, base model).")
    static final class Fetch implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", paramLabel = "FILE", description = "Also write the fetched file here.")
        Path outFile;

        @Parameters(index = "0", paramLabel = "JOB", description = "The order id submit printed.")
        String job;

        @Option(names = "--register", description = {"Also register the model on chain (AssetRegistry) with its lineage: a sealed "
                + "dataset the job used (data_asset) becomes a parent earning --data-share."})
        boolean register;

        @Option(names = "--license", paramLabel = "SPDX", description = "The model's licence (with --register).")
        String license;

        @Option(names = "--data-share", paramLabel = "BPS", defaultValue = "1000",
                description = "The dataset's share of the model's revenue in basis points (default ${DEFAULT-VALUE} = 10%).")
        int dataShare;

        @Option(names = "--parent", paramLabel = "ID:SHARE_BPS", description = "More parents (a base model's asset id, say); repeatable.")
        List<String> parents = new ArrayList<>();

        @Override
        public Integer call() {
            BigInteger id = orderId(job);
            if (register && license == null) throw HyphaException.input("--register needs --license SPDX");
            List<dev.hypha.chain.assets.LineageEdge> more = new ArrayList<>();
            try {
                for (String p : parents) more.add(dev.hypha.chain.assets.LineageEdge.parse(p));
                new dev.hypha.chain.assets.LineageEdge(1, dataShare);
            } catch (IllegalArgumentException e) {
                throw HyphaException.input(e.getMessage());
            }
            try (Session session = Session.of(spec)) {
                Tenant t = Tenant.open(session);
                TenantJobs.Fetched f = t.jobs().fetch(id);
                PrintWriter out = session.out();
                out.println((f.ref().startsWith("adapters/") ? "adapter " : "model ") + f.model() + " stored as " + f.ref()
                        + " (lineage " + f.lineage() + ")");
                if (outFile != null) {
                    try {
                        DurableFiles.replace(outFile, f.bytes());
                    } catch (IOException e) {
                        throw new HyphaException(ErrorCategory.IO, "cannot write " + outFile + ": " + e.getMessage(), e);
                    }
                    out.println("written to " + outFile);
                }
                if (register) {
                    dev.hypha.chain.assets.Licence licence;
                    try {
                        licence = dev.hypha.chain.assets.Licence.unpriced(license, dev.hypha.chain.assets.Terms.FREE);
                    } catch (IllegalArgumentException e) {
                        throw HyphaException.input(e.getMessage());
                    }
                    var r = dev.hypha.node.data.TrainedModels.register(t.contracts(), t.store(), f, licence, dataShare, more);
                    out.println("Registered model #" + r.assetId() + " " + f.model());
                    for (var e : r.parents()) {
                        out.println("  parent #" + e.parentId() + " earns " + LineageCommand.percent(e.shareBps()) + " of its revenue");
                    }
                }
                if (f.ref().startsWith("adapters/")) {
                    out.println("serve it: hypha model create NAME --from BASE --adapter " + (outFile != null ? outFile : "FILE (fetch --out FILE)"));
                } else {
                    out.println("evaluate: hypha eval " + f.name() + " --dataset " + f.dataset() + ":test");
                }
                out.flush();
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "cancel", description = "Cancel an open order or close a running lease; the rest of the deposit comes back.")
    static final class Cancel implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "JOB", description = "The order id submit printed.")
        String job;

        @Override
        public Integer call() {
            BigInteger id = orderId(job);
            try (Session session = Session.of(spec)) {
                Tenant t = Tenant.open(session);
                TenantJobs.Cancelled c = t.jobs().cancel(id);
                session.out().println((c.before() == OrderState.OPEN ? "order " + id + " cancelled" : "lease " + id + " closed")
                        + ": " + c.refunded() + " units refunded, " + c.paid() + " paid to the provider");
                session.out().flush();
                return ExitCodes.OK;
            }
        }
    }
}
