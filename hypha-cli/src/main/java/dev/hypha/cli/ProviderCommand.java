package dev.hypha.cli;

import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.text.TerminalText;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypha provider register|show}: the ProviderRegistry record of a staked provider. */
@Command(name = "provider", description = "Register as a provider, or show a provider's record.",
        subcommands = {ProviderCommand.Register.class, ProviderCommand.Show.class})
final class ProviderCommand implements Callable<Integer> {

    /** ProviderRegistry's bound on the endpoint length in bytes. */
    static final int MAX_ENDPOINT_BYTES = 256;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    @Command(name = "register",
            description = {"Register the signing account as a provider (needs at least the registry's minimum stake: "
                    + "see `hypha stake`)."})
    static final class Register implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--endpoint", paramLabel = "URL", required = true,
                description = "Public http(s) URL clients reach this provider at.")
        String endpoint;

        @Option(names = "--service", paramLabel = "NAME", required = true,
                description = "A service offered, e.g. inference (repeat for several; 1 to 32).")
        List<String> services;

        @Option(names = "--metadata", paramLabel = "CID", defaultValue = "",
                description = "Content id of the provider's metadata document (optional).")
        String metadata;

        @Option(names = "--signing-key", paramLabel = "ADDR",
                description = "Address whose key signs receipts (default: the provider account).")
        String signingKey;

        @Override
        public Integer call() {
            String url = checkEndpoint(endpoint);
            if (services.size() > 32) {
                throw HyphaException.input(services.size() + " services given; the registry accepts 1 to 32");
            }
            services.forEach(HyphaContracts::serviceId); // fails fast on empty or over-long names
            String cid = metadata.isBlank() ? "" : ContentId.parse(metadata.strip()).toString();
            Address signer = signingKey == null ? null : Address.parse(signingKey);
            try (Session session = Session.of(spec)) {
                HyphaContracts contracts = session.contractsAsSigner();
                String key = signer == null ? contracts.account() : signer.toString();
                TransactionReceipt receipt = contracts.registerProvider(
                        new HyphaContracts.ProviderRegistration(url, key, services, cid));
                session.out().println("Registered provider " + StakeCommands.checksum(contracts.account()) + " at " + url + " offering "
                        + String.join(", ", services) + " (" + StakeCommands.tx(receipt) + ").");
            }
            return ExitCodes.OK;
        }

        static String checkEndpoint(String endpoint) {
            String url = endpoint.strip();
            try {
                URI uri = new URI(url);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                    throw badEndpoint(endpoint, null);
                }
            } catch (URISyntaxException e) {
                throw badEndpoint(endpoint, e);
            }
            if (url.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_ENDPOINT_BYTES) {
                throw HyphaException.input("endpoint is longer than " + MAX_ENDPOINT_BYTES + " bytes");
            }
            return url;
        }

        private static HyphaException badEndpoint(String endpoint, Throwable cause) {
            return HyphaException.input("endpoint '" + endpoint + "' is not an http(s) URL with a host "
                    + "(expected e.g. https://provider.example:11434)", cause);
        }
    }

    @Command(name = "show", description = "Show a provider's on-chain record.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ADDR", arity = "0..1",
                description = "The provider (default: --account, the account setting, or the only account).")
        String address;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                Address provider = address != null ? Address.parse(address) : session.account();
                HyphaContracts contracts = session.contractsForReading();
                HyphaContracts.ProviderInfo info = contracts.provider(provider.toString()).orElseThrow(
                        () -> new HyphaException(ErrorCategory.NOT_FOUND, provider.toChecksumString()
                                + " is not a registered provider (register with `hypha provider register`)"));
                print(session.out(), info, contracts.isActiveProvider(provider.toString()),
                        contracts.stakeOf(provider.toString(), HyphaContracts.PROVIDER_ROLE));
            }
            return ExitCodes.OK;
        }

        static void print(PrintWriter out, HyphaContracts.ProviderInfo info, boolean usable, java.math.BigInteger stake) {
            out.println("Provider     " + Address.parse(info.address()).toChecksumString());
            // Endpoint, services and metadata are whatever the provider registered: shown, never interpreted.
            out.println("  Endpoint   " + TerminalText.line(info.endpoint()));
            out.println("  Services   " + TerminalText.line(String.join(", ", info.services())));
            out.println("  Signing    " + Address.parse(info.signingKey()).toChecksumString());
            out.println("  Metadata   " + (info.metadataCid().isEmpty() ? "(none)" : TerminalText.line(info.metadataCid())));
            out.println("  Active     " + (info.active() ? "yes" : "no (deactivated)")
                    + (usable ? "" : info.active() ? ", but stake is below the minimum" : ""));
            out.println("  Stake      " + StakeCommands.hyp(stake));
            out.println("  Registered " + Instant.ofEpochSecond(info.registeredAt())
                    + ", updated " + Instant.ofEpochSecond(info.updatedAt()));
        }
    }
}
