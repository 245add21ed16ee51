package dev.hypha.cli;

import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.keys.KeystoreDirectory;
import dev.hypha.core.text.TerminalText;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypha provider register|update|show}: the ProviderRegistry record of a staked provider. */
@Command(name = "provider", description = "Register as a provider, update or show the record, serve for payment, redeem.",
        subcommands = {ProviderCommand.Register.class, ProviderCommand.Update.class, ProviderCommand.Show.class,
            ProviderStartCommand.class, ProviderRedeemCommand.class, ProviderFulfilCommand.class})
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

    /** What register and update send: endpoint, services, metadata and the signing key with its proof. */
    static final class RegistrationOptions {
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
                description = {"Address whose key signs receipts (default: the provider account). It must be an "
                        + "account in the keystore: its key signs the proof that it agrees to be listed "
                        + "(its password is asked for, or read like the account's)."})
        String signingKey;

        /** The registration, checked before anything is sent. */
        ProviderRegistryClient.ProviderRegistration registration(String account) {
            String url = checkEndpoint(endpoint);
            if (services.size() > 32) {
                throw HyphaException.input(services.size() + " services given; the registry accepts 1 to 32");
            }
            services.forEach(ProviderRegistryClient::serviceId); // fails fast on empty or over-long names
            String cid = metadata.isBlank() ? "" : ContentId.parse(metadata.strip()).toString();
            String key = signingKey == null ? account : Address.parse(signingKey).toString();
            return new ProviderRegistryClient.ProviderRegistration(url, key, services, cid);
        }

        /** Fails fast on malformed input, before the account is unlocked. */
        void check() {
            registration("0x0000000000000000000000000000000000000000");
            if (signingKey != null) {
                Address.parse(signingKey);
            }
        }

        /**
         * The signing key's proof of possession: signed with the account's own key when the signing key is the
         * account, else with the signing key unlocked from the keystore.
         */
        byte[] proof(Session session, HyphaContracts contracts, ProviderRegistryClient.ProviderRegistration r) {
            Address key = Address.parse(r.signingKey());
            if (key.equals(Address.parse(contracts.account()))) {
                return null; // the contracts sign with the account's own key
            }
            KeystoreDirectory keystore = session.keystore();
            if (!keystore.contains(key)) {
                throw HyphaException.input("signing key " + key.toChecksumString() + " is not in the keystore "
                        + keystore.directory() + ": its key must sign a proof that it agrees to be listed (import it "
                        + "with `hypha account import`, or leave out --signing-key to use the provider account)");
            }
            Credentials credentials = session.withPassword("Password for signing key " + key + ": ", false,
                    password -> keystore.unlock(key, password));
            return contracts.registry().signingKeyProof(credentials);
        }
    }

    @Command(name = "register",
            description = {"Register the signing account as a provider (needs at least the registry's minimum stake: "
                    + "see `hypha stake`)."})
    static final class Register implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        RegistrationOptions options;

        @Override
        public Integer call() {
            options.check();
            try (Session session = Session.of(spec)) {
                HyphaContracts contracts = session.contractsAsSigner();
                ProviderRegistryClient.ProviderRegistration r = options.registration(contracts.account());
                byte[] proof = options.proof(session, contracts, r);
                TransactionReceipt receipt = proof == null ? contracts.registry().register(r)
                        : contracts.registry().register(r, proof);
                session.out().println("Registered provider " + StakeCommands.checksum(contracts.account()) + " at "
                        + r.endpoint() + " offering " + String.join(", ", r.services()) + " (" + StakeCommands.tx(receipt)
                        + ").");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "update",
            description = {"Replace the signing account's provider registration: endpoint, services, metadata and "
                    + "signing key (whether it is active does not change)."})
    static final class Update implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        RegistrationOptions options;

        @Override
        public Integer call() {
            options.check();
            try (Session session = Session.of(spec)) {
                HyphaContracts contracts = session.contractsAsSigner();
                ProviderRegistryClient.ProviderRegistration r = options.registration(contracts.account());
                byte[] proof = options.proof(session, contracts, r);
                TransactionReceipt receipt = proof == null ? contracts.registry().update(r)
                        : contracts.registry().update(r, proof);
                session.out().println("Updated provider " + StakeCommands.checksum(contracts.account()) + ": "
                        + r.endpoint() + " offering " + String.join(", ", r.services()) + ", signing key "
                        + Address.parse(r.signingKey()).toChecksumString() + " (" + StakeCommands.tx(receipt) + ").");
            }
            return ExitCodes.OK;
        }
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
                ProviderRegistryClient.ProviderInfo info = contracts.registry().provider(provider.toString()).orElseThrow(
                        () -> new HyphaException(ErrorCategory.NOT_FOUND, provider.toChecksumString()
                                + " is not a registered provider (register with `hypha provider register`)"));
                print(session.out(), info, contracts.registry().isActive(provider.toString()),
                        contracts.staking().stakeOf(provider.toString(), StakingClient.PROVIDER_ROLE));
            }
            return ExitCodes.OK;
        }

        static void print(PrintWriter out, ProviderRegistryClient.ProviderInfo info, boolean usable, java.math.BigInteger stake) {
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
