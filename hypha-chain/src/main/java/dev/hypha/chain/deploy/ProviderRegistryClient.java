package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.address;
import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.contracts.ProviderRegistry;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.TypedData;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/** ProviderRegistry: providers' endpoints, signing keys (with their proofs of possession) and services. */
public final class ProviderRegistryClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "ProviderRegistry";
    /** The registry's EIP-712 domain name (version "1"), in which a signing key proves it agrees to be listed. */
    public static final String DOMAIN_NAME = "Hypha ProviderRegistry";
    private static final Map<String, List<TypedData.Field>> SIGNING_KEY_PROOF_TYPES = Map.of("SigningKeyProof", List.of(
            new TypedData.Field("provider", "address"), new TypedData.Field("signingKey", "address")));

    /** A provider's on-chain record. */
    public record ProviderInfo(String address, String endpoint, String signingKey, List<String> services,
                               String metadataCid, boolean active, long registeredAt, long updatedAt) {}

    /** What a provider registers (or updates to). Services are names such as "inference". */
    public record ProviderRegistration(String endpoint, String signingKey, List<String> services, String metadataCid) {
        public ProviderRegistration {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(signingKey, "signingKey");
            services = List.copyOf(services);
            Objects.requireNonNull(metadataCid, "metadataCid");
        }
    }

    private final ContractCalls calls;
    private final ProviderRegistry binding;

    ProviderRegistryClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, ProviderRegistry::load);
    }

    /** The generated binding, for reads not wrapped here. */
    public ProviderRegistry binding() {
        return binding;
    }

    /** The minimum provider stake. */
    public BigInteger minStake() {
        return read(NAME + ".minStake", () -> binding.minStake().send());
    }

    /** A provider's record, or empty if the address never registered. */
    public Optional<ProviderInfo> provider(String account) {
        String a = address(account);
        if (!read(NAME + ".isRegistered", () -> binding.isRegistered(a).send())) {
            return Optional.empty();
        }
        ProviderRegistry.Provider p = read(NAME + ".getProvider", () -> binding.getProvider(a).send());
        List<String> services = p.services.stream().map(ProviderRegistryClient::serviceName).toList();
        return Optional.of(new ProviderInfo(a, p.endpoint, p.signingKey.toLowerCase(Locale.ROOT), services, p.metadataCid,
                p.active, p.registeredAt.longValueExact(), p.updatedAt.longValueExact()));
    }

    /** Whether clients should use a provider now (registered, active and staked enough). */
    public boolean isActive(String account) {
        return read(NAME + ".isActive", () -> binding.isActive(address(account)).send());
    }

    /** All registered providers, in registration order. */
    public List<String> providers() {
        long n = read(NAME + ".providerCount", () -> binding.providerCount().send()).longValueExact();
        List<String> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            BigInteger index = BigInteger.valueOf(i);
            out.add(read(NAME + ".providerAt", () -> binding.providerAt(index).send()).toLowerCase(Locale.ROOT));
        }
        return List.copyOf(out);
    }

    /**
     * Registers this account as a provider whose signing key is this account's own key (the proof of possession is
     * signed with it).
     *
     * @throws dev.hypha.chain.ChainException (INPUT) when the registration names another key: use
     *     {@link #register(ProviderRegistration, byte[])}
     */
    public TransactionReceipt register(ProviderRegistration r) {
        return register(r, ownKeyProof(r));
    }

    /** Registers this account as a provider, with {@code keyProof} from {@link #signingKeyProof} by the named key. */
    public TransactionReceipt register(ProviderRegistration r, byte[] keyProof) {
        return calls.write(NAME, "register", binding.register(r.endpoint(), address(r.signingKey()),
                serviceIds(r.services()), r.metadataCid(), keyProof.clone()));
    }

    /** Updates this account's provider record, keeping (or moving to) this account's own key as signing key. */
    public TransactionReceipt update(ProviderRegistration r) {
        return update(r, ownKeyProof(r));
    }

    /** Updates this account's provider record, with {@code keyProof} by the key the registration names. */
    public TransactionReceipt update(ProviderRegistration r, byte[] keyProof) {
        return calls.write(NAME, "update", binding.update(r.endpoint(), address(r.signingKey()),
                serviceIds(r.services()), r.metadataCid(), keyProof.clone()));
    }

    /** Deactivates this account's provider record. */
    public TransactionReceipt deactivate() {
        return calls.write(NAME, "deactivate", binding.deactivate());
    }

    /** Reactivates this account's provider record (stake re-checked). */
    public TransactionReceipt reactivate() {
        return calls.write(NAME, "reactivate", binding.reactivate());
    }

    /**
     * The proof that {@code signingKey} agrees to be this account's signing key in this registry: its EIP-712
     * signature of {@code SigningKeyProof(provider, signingKey)} in the registry's domain.
     */
    public byte[] signingKeyProof(Credentials signingKey) {
        return signingKeyProof(calls.deployment(), calls.account(), signingKey);
    }

    /** The proof that {@code signingKey} agrees to be {@code provider}'s signing key in {@code deployment}'s registry. */
    public static byte[] signingKeyProof(Deployment deployment, String provider, Credentials signingKey) {
        return Eip712.sign(signingKeyProofData(deployment, provider, signingKey.getAddress()), signingKey).toBytes();
    }

    /** The typed data a signing key signs to be listed for {@code provider} (see ProviderRegistry's notes). */
    public static TypedData signingKeyProofData(Deployment deployment, String provider, String signingKey) {
        TypedData.Domain domain = TypedData.Domain.of(DOMAIN_NAME, "1", deployment.chainId(),
                Address.parse(deployment.address(NAME)));
        return TypedData.of(domain, SIGNING_KEY_PROOF_TYPES, "SigningKeyProof",
                Map.of("provider", address(provider), "signingKey", address(signingKey)));
    }

    private byte[] ownKeyProof(ProviderRegistration r) {
        TransactionSender s = calls.signer(NAME + ".register");
        if (!address(r.signingKey()).equals(address(s.address()))) {
            throw ChainErrors.input("signing key " + r.signingKey() + " is not this account (" + s.address()
                    + "): listing another key needs that key's proof of possession (signingKeyProof)");
        }
        return s.signTypedData(signingKeyProofData(calls.deployment(), s.address(), r.signingKey())).toBytes();
    }

    /**
     * A service id: the UTF-8 bytes of its name, right-padded with zeros to 32 bytes (the convention ProviderRegistry
     * documents, e.g. bytes32("inference")).
     */
    public static byte[] serviceId(String name) {
        if (name == null || name.isEmpty()) {
            throw ChainErrors.input("service name is empty: expected e.g. inference");
        }
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 32) {
            throw ChainErrors.input("service name '" + name + "' is " + utf8.length + " bytes; at most 32 fit in a service id");
        }
        if (name.indexOf('\0') >= 0) {
            throw ChainErrors.input("service name must not contain NUL characters");
        }
        byte[] id = new byte[32];
        System.arraycopy(utf8, 0, id, 0, utf8.length);
        return id;
    }

    /** The name of a service id (its bytes up to the first zero, as UTF-8). */
    public static String serviceName(byte[] id) {
        int end = 0;
        while (end < id.length && id[end] != 0) {
            end++;
        }
        return new String(id, 0, end, StandardCharsets.UTF_8);
    }

    private static List<byte[]> serviceIds(List<String> names) {
        return names.stream().map(ProviderRegistryClient::serviceId).toList();
    }
}
