package dev.hypha.cli;

import dev.hypha.chain.compute.AuditDomain;
import dev.hypha.chain.compute.ResourceAttestation;
import dev.hypha.chain.compute.Resources;
import dev.hypha.chain.deploy.ComputeMarketClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import dev.hypha.node.compute.AttestationFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hypha compute attest}: an auditor signs, with the account's key, that a provider offers these resources until
 * an expiry ({@code AuditedResources} in ComputeMarket's EIP-712 domain), and writes the attestation file the provider
 * gives {@code hypha compute offer --attestation}. Nothing goes on chain: the market checks the signature when the
 * provider bids on an order that names this auditor.
 */
@Command(name = "attest", description = {"As an auditor, sign that a provider offers these resources (until --valid-for "
        + "from now, in chain time) and print the attestation file the provider passes to `hypha compute offer "
        + "--attestation`.",
    "Tenants that trust you name you with `hypha train submit --trusted-auditor ADDR`; only bids carrying your "
        + "attestation can win their orders."})
final class ComputeAttestCommand implements Callable<Integer> {
    /** The longest an attestation may be valid: a year (an auditor re-checks a machine more often than that). */
    static final long MAX_VALID_SECONDS = 365L * 86_400;

    @Spec
    CommandSpec spec;

    @Option(names = "--provider", paramLabel = "ADDR", required = true, description = "The provider's account.")
    String provider;

    @Option(names = "--cores", paramLabel = "N", required = true, description = "Cores the provider offers each job.")
    long cores;

    @Option(names = "--memory", paramLabel = "MIB", required = true, description = "Memory the provider offers each job, in MiB.")
    long memoryMiB;

    @Option(names = "--accelerators", paramLabel = "K", defaultValue = "0",
            description = "Accelerators the provider offers each job (default ${DEFAULT-VALUE}).")
    long accelerators;

    @Option(names = "--valid-for", paramLabel = "DURATION", defaultValue = "30d",
            description = "How long it is valid: Ns, Nm, Nh or Nd, at most 365d (default ${DEFAULT-VALUE}).")
    String validFor;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the attestation to FILE.")
    Path out;

    @Override
    public Integer call() {
        Address who = Address.parse(provider);
        Resources resources;
        try {
            resources = new Resources(cores, memoryMiB, accelerators);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("--cores, --memory, --accelerators: " + e.getMessage());
        }
        if (cores < 1 || memoryMiB < 1) {
            throw HyphaException.input("--cores and --memory must be at least 1");
        }
        long seconds = AgentCommand.seconds(validFor, "--valid-for");
        if (seconds > MAX_VALID_SECONDS) {
            throw HyphaException.input("--valid-for " + validFor + " is longer than 365d");
        }
        try (Session session = Session.of(spec)) {
            Credentials key = session.credentials();
            Address auditor = Address.parse(key.getAddress());
            AuditDomain market = new AuditDomain(session.deployment().chainId(),
                    Address.parse(session.deployment().address(ComputeMarketClient.NAME)));
            long expiresAt = session.chain().latestBlock().getTimestamp().longValueExact() + seconds;
            ResourceAttestation a = market.attest(auditor, who, resources, expiresAt, data -> Eip712.sign(data, key));
            String json = AttestationFiles.toJson(a);
            PrintWriter o = session.out();
            if (out != null) {
                try {
                    DurableFiles.replace(out, json.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new HyphaException(ErrorCategory.IO, "cannot write " + out + ": " + e.getMessage(), e);
                }
            }
            o.print(json);
            session.err().println("Attested for " + who.toChecksumString() + ": " + cores + " core(s), " + memoryMiB + " MiB, "
                    + accelerators + " accelerator(s), until " + Instant.ofEpochSecond(expiresAt) + " (chain time)"
                    + (out != null ? "; written to " + out : ""));
            o.flush();
            session.err().flush();
            return ExitCodes.OK;
        }
    }
}
