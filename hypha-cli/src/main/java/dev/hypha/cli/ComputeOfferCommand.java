package dev.hypha.cli;

import dev.hypha.chain.compute.AuditDomain;
import dev.hypha.chain.compute.ResourceAttestation;
import dev.hypha.chain.compute.Resources;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.chain.deploy.TrainingVerifierClient;
import dev.hypha.core.config.Settings;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.compute.AttestationFiles;
import dev.hypha.node.compute.CheckpointListener;
import dev.hypha.node.compute.ComputeOffer;
import dev.hypha.node.compute.ComputeProvider;
import dev.hypha.node.compute.ComputeRoutes;
import dev.hypha.node.compute.DevCheat;
import dev.hypha.node.compute.JobBook;
import dev.hypha.node.compute.JobLimits;
import dev.hypha.node.compute.PricingPolicy;
import dev.hypha.node.compute.PublishedContent;
import dev.hypha.node.compute.StateCommitments;
import dev.hypha.node.devnet.DevProvider;
import dev.hypha.node.devnet.LocalNetworkSettings;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.verify.CheckpointIndex;
import dev.hypha.node.verify.DisputeResponder;
import dev.hypha.node.verify.ProviderStates;
import dev.hypha.node.verify.VerificationRoutes;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hypha compute offer}: bids on ComputeMarket orders within a capacity at the price a {@link PricingPolicy} gives
 * (a fixed price per hour, or rates per core, GiB and accelerator the order needs, a minimum and a busy markup), with
 * auditors' attestations of the capacity for orders that require them; runs the jobs it leases, and serves their
 * status, logs and models at the provider's registered endpoint, until Ctrl-C. A restart resumes the leases it holds
 * from their last checkpoints.
 */
@Command(name = "offer", description = {"Bid on training jobs within a capacity, at a fixed price per hour or one priced from "
        + "each order's needs, run the jobs leased, serve their logs and models, until Ctrl-C.",
    "Price = (--price-per-hour + cores x --price-per-core-hour + GiB x --price-per-gib-hour + accelerators x "
        + "--price-per-accelerator-hour), plus --busy-markup while more than half of --max-jobs are in use, rounded up "
        + "to a whole unit, at least --min-price; orders paying less are not bid on.",
    "The account must be an active provider; the job API listens at its registered endpoint. Each job's state roots",
    "are committed on TrainingVerifier, its checkpoints served to verifiers, and disputes over them answered."})
final class ComputeOfferCommand implements Callable<Integer> {
    /** HYP a --dev-account provider stakes: enough to stay active (1000 HYP minimum) after a few 500 HYP slashes. */
    static final BigInteger DEV_STAKE = BigInteger.TEN.pow(18).multiply(BigInteger.valueOf(5_000));

    @Spec
    CommandSpec spec;

    @Option(names = "--price-per-hour", paramLabel = "UNITS",
            description = "Flat price per hour of lease, in the payment token's smallest units; alone, the fixed bid price.")
    String pricePerHour;

    @Option(names = "--price-per-core-hour", paramLabel = "UNITS", description = "Added per core the order needs, per hour.")
    String pricePerCoreHour;

    @Option(names = "--price-per-gib-hour", paramLabel = "UNITS",
            description = "Added per GiB (1024 MiB) of memory the order needs, per hour (priced per MiB, rounded up).")
    String pricePerGibHour;

    @Option(names = "--price-per-accelerator-hour", paramLabel = "UNITS",
            description = "Added per accelerator the order needs, per hour.")
    String pricePerAcceleratorHour;

    @Option(names = "--min-price", paramLabel = "UNITS", description = "Never bid less per hour (default 1).")
    String minPrice;

    @Option(names = "--busy-markup", paramLabel = "PERCENT",
            description = "Added to the price while more than half of --max-jobs are bid on or running, e.g. 25% (default 0).")
    String busyMarkup;

    @Option(names = "--cores", paramLabel = "N", required = true, description = "Cores each job may use (its threads).")
    int cores;

    @Option(names = "--memory", paramLabel = "MIB", required = true, description = "Memory each job may use, in MiB.")
    long memoryMiB;

    @Option(names = "--accelerators", paramLabel = "K", defaultValue = "0",
            description = "Accelerators each job may use, as bids state them (default ${DEFAULT-VALUE}).")
    long accelerators;

    @Option(names = "--attestation", paramLabel = "FILE", description = {"An auditor's attestation of this offer's resources "
            + "(written by `hypha compute attest`), sent with bids on orders that require that auditor; repeatable, one "
            + "per auditor. It must be for this provider and market, unexpired, and of exactly --cores, --memory and "
            + "--accelerators."})
    List<Path> attestationFiles = new ArrayList<>();

    @Option(names = "--max-jobs", paramLabel = "K", defaultValue = "1", description = "Jobs at once (default ${DEFAULT-VALUE}).")
    int maxJobs;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "Where the job API listens (default: the host and port of the registered endpoint).")
    String listen;

    @Option(names = "--dev-account", paramLabel = "N",
            description = "Local chain only: run as anvil's dev account N, staking and registering it as a compute provider "
                    + "at http://LISTEN (needs --listen; what `hypha localnet --compute-providers` does).")
    Integer devAccount;

    @Option(names = "--dev-cheat", paramLabel = "KIND",
            description = "DEVELOPMENT AND TEST ONLY, refused except with --dev-account on the local chain: fake the "
                    + "training jobs leased (classifiers and LoRA fine-tunes), KIND 'noise' (one weight changed after the first step, the wrong roots "
                    + "committed and defended in disputes), so verifiers can be seen to catch and slash a cheater "
                    + "(what `hypha localnet --cheating-providers` does).")
    String devCheat;

    @Option(names = "--key-wait", paramLabel = "MINUTES", defaultValue = "10",
            description = "Compute-to-data: minutes a leased job waits for its data owner to release the key "
                    + "(`hypha data release`) before it fails; the lease pays meanwhile (default ${DEFAULT-VALUE}).")
    long keyWaitMinutes;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2",
            description = "Seconds between looks at the chain (default ${DEFAULT-VALUE}).")
    int intervalSeconds;

    @Override
    public Integer call() throws InterruptedException {
        if (intervalSeconds < 1 || intervalSeconds > 3600) {
            throw HyphaException.input("--interval must be 1..3600 seconds, got " + intervalSeconds);
        }
        if (cores < 1 || cores > 4096 || memoryMiB < 1 || memoryMiB > 0xFFFF_FFFFL || accelerators < 0 || accelerators > 4096) {
            throw HyphaException.input("--cores must be 1..4096, --memory 1..4294967295 MiB and --accelerators 0..4096");
        }
        PricingPolicy pricing = pricing();
        Resources capacity = new Resources(cores, memoryMiB, accelerators);
        if (maxJobs < 1 || maxJobs > 64) {
            throw HyphaException.input("--max-jobs must be 1..64, got " + maxJobs);
        }
        if (keyWaitMinutes < 0 || keyWaitMinutes > 24 * 60) {
            throw HyphaException.input("--key-wait must be 0..1440 minutes, got " + keyWaitMinutes);
        }
        dev.hypha.node.data.KeyWait keyWait = dev.hypha.node.data.KeyWait.ofMinutes(keyWaitMinutes);
        try (Session session = Session.of(spec)) {
            DevCheat cheat = cheat(session);
            Credentials key = devAccount == null ? session.credentials()
                    : ProviderStartCommand.devKey(devAccount, session.deployment().chainId());
            Address self = Address.parse(key.getAddress());
            HyphaContracts contracts = HyphaContracts.connect(session.deployment(), session.sender(key));
            // attestations are checked before anything is staked or registered, so a bad file costs nothing
            ComputeOffer offer = offer(pricing, capacity, self, new AuditDomain(session.deployment().chainId(),
                    contracts.compute().address()), session.chain().latestBlock().getTimestamp().longValueExact());
            if (devAccount != null) {
                if (listen == null) {
                    throw HyphaException.input("--dev-account needs --listen HOST:PORT (the endpoint it registers)");
                }
                DevProvider.ensureRegistered(contracts, URI.create("http://" + listen), List.of("compute"), DEV_STAKE, line -> {
                    session.out().println(line);
                    session.out().flush();
                });
            }
            ProviderRegistryClient.ProviderInfo info = contracts.registry().provider(self.toString()).orElseThrow(
                    () -> HyphaException.input(self.toChecksumString() + " is not a registered provider: stake with "
                            + "`hypha stake provider AMOUNT` and register with `hypha provider register --endpoint URL`"));
            if (!contracts.registry().isActive(self.toString())) {
                throw HyphaException.input(self.toChecksumString() + " is registered but not active; ComputeMarket takes bids "
                        + "only from active providers");
            }
            Settings.HostPort where = listenAddress(info.endpoint());
            PrintWriter out = session.out();
            PublishedContent published = new PublishedContent();
            ContentStore store = new ContentStore(session.home());
            // Verifiable leases: every job's state roots go on chain, if this deployment has the verifier (older ones do
            // not); the checkpoints are recorded and published first, so a verifier that sees a root can fetch its state.
            boolean verifiable = session.deployment().contracts().containsKey(TrainingVerifierClient.NAME);
            CheckpointIndex checkpointIndex = new CheckpointIndex(session.home().resolve("compute").resolve("verify"), store,
                    published);
            CheckpointListener commitments = verifiable
                    ? CheckpointListener.inOrder(checkpointIndex, new StateCommitments(contracts.verifier(), contracts.compute(),
                        store, line -> {
                            out.println(line);
                            out.flush();
                        }))
                    : CheckpointListener.NONE;
            checkpointIndex.republish();
            ProviderStates ownStates = new ProviderStates(checkpointIndex, store, contracts.compute(), contracts.verifier(), cores,
                    cheat);
            DisputeResponder responder = verifiable ? new DisputeResponder(contracts.verifier(), self, ownStates,
                    () -> session.chain().latestBlock().getTimestamp().longValueExact(), line -> {
                        out.println(line);
                        out.flush();
                    }) : null;
            CliEnvironment.StopSignal stop = session.environment().runUntil();
            ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
            try (ComputeProvider provider = new ComputeProvider(contracts.compute(), self, offer, store,
                    JobBook.open(session.home()), published, HttpClient.newHttpClient(), commitments,
                    () -> session.chain().latestBlock().getTimestamp().longValueExact(), line -> {
                        out.println(line);
                        out.flush();
                    }, session.home().resolve("compute").resolve("work"),
                    // Compute-to-data: a fine-tune's sealed data is opened with the key its owner released to us.
                    new dev.hypha.node.data.JobDataInputs(new dev.hypha.node.data.JobData(contracts, key), keyWait), cheat);
                 ApiServer server = new ApiServer(where.host(), where.port(), List.of(published, new VerificationRoutes(checkpointIndex),
                         new ComputeRoutes(provider, contracts.compute(), self, session.deployment().chainId(), Clock.systemUTC()),
                         // Compute-to-data: the card owners' nodes wrap a released job key to (read at GET /data/key).
                         new dev.hypha.node.data.DataKeyRoutes(dev.hypha.node.data.DataKeyCard.of(key))));
                 ownStates) {
                server.start();
                out.println("Hypha compute provider " + self.toChecksumString() + " on ComputeMarket "
                        + contracts.compute().address().toChecksumString());
                out.println("  Offer: " + pricing.describe() + "; " + cores + " core(s), " + memoryMiB + " MiB"
                        + (accelerators > 0 ? ", " + accelerators + " accelerator(s)" : "") + " per job, at most " + maxJobs
                        + " job(s) at once");
                for (ResourceAttestation a : offer.attestations()) {
                    out.println("  Attested by auditor " + a.auditor().toChecksumString() + " until "
                            + java.time.Instant.ofEpochSecond(a.expiresAt()) + " (bids on orders that require it carry it)");
                }
                if (cheat != DevCheat.NONE) {
                    out.println("  DEV CHEAT '" + devCheat.strip() + "': this provider fakes its training jobs (local chain only)");
                }
                out.println("  Job API on " + where.host() + ":" + server.port() + " (registered endpoint " + info.endpoint() + ")");
                out.println("  Data key card at " + info.endpoint().replaceAll("/+$", "") + dev.hypha.node.data.DataKeyRoutes.PATH
                        + " (data owners' nodes release compute-to-data keys to it; a job waits up to "
                        + keyWaitMinutes + " min for its key)");
                out.println("Running. Press Ctrl-C to stop (leases resume from their checkpoints on restart).");
                out.flush();
                loop.scheduleWithFixedDelay(() -> {
                    try {
                        provider.poll();
                        if (responder != null) {
                            responder.poll(); // a silent provider loses its disputes by timeout
                        }
                    } catch (RuntimeException e) {
                        out.println("poll failed: " + e.getMessage());
                        out.flush();
                    }
                }, 0, intervalSeconds, TimeUnit.SECONDS);
                stop.await();
                out.println("Stopping...");
                out.flush();
                loop.shutdownNow();
                loop.awaitTermination(30, TimeUnit.SECONDS);
            } finally {
                loop.shutdownNow();
                stop.finished();
            }
            out.println("Stopped.");
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** The pricing flags as a policy: the flat price and rates default to 0 (one of them must be given), the minimum to 1. */
    private PricingPolicy pricing() {
        if (pricePerHour == null && pricePerCoreHour == null && pricePerGibHour == null && pricePerAcceleratorHour == null) {
            throw HyphaException.input("give a price: --price-per-hour UNITS (a fixed price), or rates --price-per-core-hour, "
                    + "--price-per-gib-hour, --price-per-accelerator-hour (with --price-per-hour as a flat part)");
        }
        try {
            return new PricingPolicy(rate("--price-per-hour", pricePerHour), rate("--price-per-core-hour", pricePerCoreHour),
                    rate("--price-per-gib-hour", pricePerGibHour),
                    rate("--price-per-accelerator-hour", pricePerAcceleratorHour),
                    minPrice == null ? BigInteger.ONE : units("--min-price", minPrice),
                    busyMarkup == null ? 0 : percentBps("--busy-markup", busyMarkup));
        } catch (IllegalArgumentException e) {
            throw HyphaException.input(e.getMessage());
        }
    }

    /** The offer with its attestations, each read and checked against this provider, its market and chain time. */
    private ComputeOffer offer(PricingPolicy pricing, Resources capacity, Address self, AuditDomain market, long now) {
        List<ResourceAttestation> attestations = new ArrayList<>();
        for (Path file : attestationFiles) {
            try {
                attestations.add(ComputeOffer.check(readAttestation(file), self, market, now));
            } catch (HyphaException e) {
                throw e.getMessage().startsWith("attestation ") ? e
                        : HyphaException.input("attestation " + file + ": " + e.getMessage());
            }
        }
        try {
            return new ComputeOffer(pricing, capacity, maxJobs, JobLimits.DEFAULT, attestations);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("--attestation: " + e.getMessage());
        }
    }

    /** An attestation file (bounded: read only when it is small enough to be one). */
    static ResourceAttestation readAttestation(Path file) {
        try {
            byte[] bytes;
            // read at most one byte past the bound: a size check before reading trusts a size that a device or pipe lies about
            try (java.io.InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(AttestationFiles.MAX_BYTES + 1);
            }
            if (bytes.length > AttestationFiles.MAX_BYTES) {
                throw HyphaException.input("attestation " + file + " is over " + AttestationFiles.MAX_BYTES + " bytes; an "
                        + "attestation file is at most that");
            }
            return AttestationFiles.parse(file.toString(), bytes);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new HyphaException(dev.hypha.core.errors.ErrorCategory.NOT_FOUND, "no such attestation file: " + file, e);
        } catch (java.io.IOException e) {
            throw new HyphaException(dev.hypha.core.errors.ErrorCategory.IO, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static BigInteger rate(String flag, String text) {
        return text == null ? BigInteger.ZERO : units(flag, text); // a flag given is a positive price; left out, 0
    }

    /** Basis points of "25%", "12.5%" or "25" (percent); 0 .. 1000%. */
    static int percentBps(String flag, String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,4})(?:\\.([0-9]{1,2}))?%?").matcher(text.strip());
        if (!m.matches()) {
            throw HyphaException.input(flag + " '" + text + "' is not a percentage like 25% or 12.5%");
        }
        String hundredths = m.group(2) == null ? "00" : (m.group(2) + "0").substring(0, 2);
        long bps = Long.parseLong(m.group(1)) * 100 + Long.parseLong(hundredths);
        if (bps > PricingPolicy.MAX_MARKUP_BPS) {
            throw HyphaException.input(flag + " " + text + " is more than 1000%");
        }
        return (int) bps;
    }

    /** The dev-only cheat asked for, refused anywhere but a --dev-account on the local chain (checked on the chain itself). */
    private DevCheat cheat(Session session) {
        if (devCheat == null) {
            return DevCheat.NONE;
        }
        if (devAccount == null) {
            throw HyphaException.input("--dev-cheat is for trying verification on the local dev chain only: it needs "
                    + "--dev-account");
        }
        long chainId = session.chain().chainId();
        if (chainId != LocalNetworkSettings.CHAIN_ID) {
            throw HyphaException.input("--dev-cheat is for trying verification on the local dev chain "
                    + LocalNetworkSettings.CHAIN_ID + " only, and this is chain " + chainId);
        }
        try {
            return DevCheat.parse(devCheat);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("--dev-cheat: " + e.getMessage());
        }
    }

    private Settings.HostPort listenAddress(String endpoint) {
        String text = listen;
        if (text == null) {
            URI uri;
            try {
                uri = URI.create(endpoint);
            } catch (IllegalArgumentException e) {
                throw HyphaException.input("the registered endpoint " + endpoint + " is not a URL; give --listen HOST:PORT");
            }
            if (uri.getHost() == null || uri.getPort() < 1) {
                throw HyphaException.input("the registered endpoint " + endpoint + " names no host and port; give --listen HOST:PORT");
            }
            text = uri.getHost() + ":" + uri.getPort();
        }
        try {
            return Settings.HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("--listen " + text + " is not HOST:PORT (" + e.getMessage() + ")");
        }
    }

    static BigInteger units(String flag, String text) {
        String t = text.strip();
        if (!t.matches("[1-9][0-9]{0,28}")) {
            throw HyphaException.input(flag + " " + text + " is not a positive whole number of the token's smallest units "
                    + "(e.g. 3600000 for 3.6 hUSD an hour)");
        }
        return new BigInteger(t);
    }
}
