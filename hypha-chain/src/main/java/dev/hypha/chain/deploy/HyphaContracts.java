package dev.hypha.chain.deploy;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.ChainException;
import dev.hypha.chain.contracts.HyphaTimelock;
import dev.hypha.chain.contracts.HyphaToken;
import dev.hypha.chain.contracts.PaymentToken;
import dev.hypha.chain.contracts.ProviderRegistry;
import dev.hypha.chain.contracts.Staking;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.chain.tx.TxRequest;
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
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.WalletUtils;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tuples.generated.Tuple2;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * Hypha's contracts on one chain, used from one account ({@link #connect}) or from none ({@link #readOnly}): typed
 * reads, and writes sent through a {@link TransactionSender} (nonces, fees, decoded reverts). This is what the CLI's stake,
 * unstake, withdraw and provider commands call.
 */
public final class HyphaContracts {
    /** The provider role in Staking: keccak256("PROVIDER"). */
    public static final byte[] PROVIDER_ROLE = role("PROVIDER");
    /** The validator role in Staking: keccak256("VALIDATOR"). */
    public static final byte[] VALIDATOR_ROLE = role("VALIDATOR");

    private static final BigInteger UINT256_MAX = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);

    /** ProviderRegistry's EIP-712 domain name (version "1"), in which a signing key proves it agrees to be listed. */
    public static final String REGISTRY_DOMAIN_NAME = "Hypha ProviderRegistry";
    private static final Map<String, List<TypedData.Field>> SIGNING_KEY_PROOF_TYPES = Map.of("SigningKeyProof", List.of(
            new TypedData.Field("provider", "address"), new TypedData.Field("signingKey", "address")));

    /**
     * A governance action: one call that HyphaTimelock makes once the action has been scheduled and its delay has
     * passed. {@code salt} tells apart two otherwise identical actions.
     */
    public record GovernanceAction(String contract, String target, byte[] data, byte[] salt) {
        public GovernanceAction {
            Objects.requireNonNull(contract, "contract");
            Objects.requireNonNull(target, "target");
            data = data.clone();
            salt = bytes32("salt", salt).clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }
    }

    /** Unbonding stake of an account for a role. */
    public record Unbonding(BigInteger amount, long releaseTime) {}

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

    /** The {@code from} of read calls made without an account: nothing is signed, so any address would do. */
    private static final String NO_ACCOUNT = "0x0000000000000000000000000000000000000000";

    private final Deployment deployment;
    private final ChainClient client;
    /** Null for {@link #readOnly}: such a facade has no key and refuses writes. */
    private final TransactionSender sender;
    private final HyphaToken hyp;
    private final PaymentToken payment;
    private final Staking staking;
    private final ProviderRegistry registry;
    private final HyphaTimelock timelock;

    private HyphaContracts(Deployment deployment, ChainClient client, RevertDecoder decoder, String from,
                           TransactionSender sender) {
        this.deployment = deployment;
        this.client = client;
        this.sender = sender;
        DefaultGasProvider unusedGas = new DefaultGasProvider(); // bindings need one; writes never use it
        this.hyp = HyphaToken.load(deployment.address("HyphaToken"), client.web3j(),
                manager(decoder, from, "HyphaToken"), unusedGas);
        this.payment = PaymentToken.load(deployment.address("PaymentToken"), client.web3j(),
                manager(decoder, from, "PaymentToken"), unusedGas);
        this.staking = Staking.load(deployment.address("Staking"), client.web3j(), manager(decoder, from, "Staking"),
                unusedGas);
        this.registry = ProviderRegistry.load(deployment.address("ProviderRegistry"), client.web3j(),
                manager(decoder, from, "ProviderRegistry"), unusedGas);
        this.timelock = HyphaTimelock.load(deployment.address(Deployment.TIMELOCK), client.web3j(),
                manager(decoder, from, Deployment.TIMELOCK), unusedGas);
    }

    /** Hypha's contracts of {@code deployment}, used as {@code sender}'s account. */
    public static HyphaContracts connect(Deployment deployment, TransactionSender sender) {
        Objects.requireNonNull(deployment, "deployment");
        Objects.requireNonNull(sender, "sender");
        return new HyphaContracts(deployment, sender.client(), sender.decoder(), sender.address(), sender);
    }

    /**
     * Hypha's contracts of {@code deployment} for reading only: no key is needed, and every write fails with an
     * error saying so. Read calls are made from the zero address; reverts are decoded with
     * {@link RevertDecoder#forHyphaContracts()}.
     */
    public static HyphaContracts readOnly(Deployment deployment, ChainClient client) {
        Objects.requireNonNull(deployment, "deployment");
        Objects.requireNonNull(client, "client");
        return new HyphaContracts(deployment, client, RevertDecoder.forHyphaContracts(), NO_ACCOUNT, null);
    }

    private ChainCallManager manager(RevertDecoder decoder, String from, String contract) {
        return new ChainCallManager(client, from, decoder, contract);
    }

    /** Whether this facade was opened with {@link #readOnly} and so cannot send transactions. */
    public boolean isReadOnly() {
        return sender == null;
    }

    /** The sender of writes, or a clear error for a read-only facade (a bug in the caller, not user input). */
    private TransactionSender signer(String what) {
        if (sender == null) {
            throw ChainErrors.internal(what + " needs an account, but these contracts were opened read-only"
                    + " (use HyphaContracts.connect with a TransactionSender)", null);
        }
        return sender;
    }

    /** The deployment these contracts belong to. */
    public Deployment deployment() {
        return deployment;
    }

    /**
     * The account writes are sent from.
     *
     * @throws ChainException for a {@link #readOnly} facade, which has no account
     */
    public String account() {
        return signer("account()").address();
    }

    /** Binding for reads not wrapped here. */
    public HyphaToken hyphaToken() {
        return hyp;
    }

    /** Binding for reads not wrapped here. */
    public PaymentToken paymentToken() {
        return payment;
    }

    /** Binding for reads not wrapped here. */
    public Staking staking() {
        return staking;
    }

    /** Binding for reads not wrapped here. */
    public ProviderRegistry providerRegistry() {
        return registry;
    }

    /** Binding for reads not wrapped here. */
    public HyphaTimelock timelock() {
        return timelock;
    }

    // ---------------------------------------------------------------- reads

    /** HYP balance in wei units. */
    public BigInteger hypBalance(String account) {
        return read("HyphaToken.balanceOf", () -> hyp.balanceOf(address(account)).send());
    }

    /** hUSD balance in its smallest units (6 decimals). */
    public BigInteger paymentBalance(String account) {
        return read("PaymentToken.balanceOf", () -> payment.balanceOf(address(account)).send());
    }

    /** Active stake of an account for a role. */
    public BigInteger stakeOf(String account, byte[] role) {
        return read("Staking.stakeOf", () -> staking.stakeOf(address(account), role).send());
    }

    /** Unbonding stake and its release time (unix seconds; 0 when nothing unbonds). */
    public Unbonding unbondingOf(String account, byte[] role) {
        Tuple2<BigInteger, BigInteger> t = read("Staking.unbondingOf", () -> staking.unbondingOf(address(account), role).send());
        return new Unbonding(t.component1(), t.component2().longValueExact());
    }

    /** All HYP held by Staking (active plus unbonding). */
    public BigInteger totalStaked() {
        return read("Staking.totalStaked", () -> staking.totalStaked().send());
    }

    /** The unbonding period in seconds. */
    public long unbondingPeriod() {
        return read("Staking.unbondingPeriod", () -> staking.unbondingPeriod().send()).longValueExact();
    }

    /** The registry's minimum provider stake. */
    public BigInteger minProviderStake() {
        return read("ProviderRegistry.minStake", () -> registry.minStake().send());
    }

    /** A provider's record, or empty if the address never registered. */
    public Optional<ProviderInfo> provider(String account) {
        String a = address(account);
        if (!read("ProviderRegistry.isRegistered", () -> registry.isRegistered(a).send())) {
            return Optional.empty();
        }
        ProviderRegistry.Provider p = read("ProviderRegistry.getProvider", () -> registry.getProvider(a).send());
        List<String> services = p.services.stream().map(HyphaContracts::serviceName).toList();
        return Optional.of(new ProviderInfo(a, p.endpoint, p.signingKey.toLowerCase(Locale.ROOT), services, p.metadataCid,
                p.active, p.registeredAt.longValueExact(), p.updatedAt.longValueExact()));
    }

    /** Whether clients should use a provider now (registered, active and staked enough). */
    public boolean isActiveProvider(String account) {
        return read("ProviderRegistry.isActive", () -> registry.isActive(address(account)).send());
    }

    /** All registered providers, in registration order. */
    public List<String> providers() {
        long n = read("ProviderRegistry.providerCount", () -> registry.providerCount().send()).longValueExact();
        List<String> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            BigInteger index = BigInteger.valueOf(i);
            out.add(read("ProviderRegistry.providerAt", () -> registry.providerAt(index).send()).toLowerCase(Locale.ROOT));
        }
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------- writes

    /** Transfers HYP from this account. */
    public TransactionReceipt transferHyp(String to, BigInteger amount) {
        return write("HyphaToken", "transfer", hyp.transfer(address(to), uint256("amount", amount)));
    }

    /** Transfers hUSD from this account. */
    public TransactionReceipt transferPayment(String to, BigInteger amount) {
        return write("PaymentToken", "transfer", payment.transfer(address(to), uint256("amount", amount)));
    }

    /** Mints hUSD (only PaymentToken's owner may; a devnet faucet). */
    public TransactionReceipt mintPayment(String to, BigInteger amount) {
        return write("PaymentToken", "mint", payment.mint(address(to), uint256("amount", amount)));
    }

    /**
     * Stakes HYP for a role, approving Staking for the amount first when the allowance is short.
     *
     * @return the receipt of the stake transaction
     */
    public TransactionReceipt stake(byte[] role, BigInteger amount) {
        BigInteger value = uint256("amount", amount);
        String stakingAddress = deployment.address("Staking");
        BigInteger allowance = read("HyphaToken.allowance", () -> hyp.allowance(account(), stakingAddress).send());
        if (allowance.compareTo(value) < 0) {
            write("HyphaToken", "approve", hyp.approve(stakingAddress, value));
        }
        return write("Staking", "stake", staking.stake(role, value));
    }

    /**
     * Stakes HYP for a role in one transaction: signs an ERC-2612 permit for Staking (valid for
     * {@code validForSeconds} of chain time) and calls {@code stakeWithPermit}, so no separate
     * approve is needed.
     *
     * @return the receipt of the stake transaction
     */
    public TransactionReceipt stakeWithPermit(byte[] role, BigInteger amount, long validForSeconds) {
        BigInteger value = uint256("amount", amount);
        if (validForSeconds <= 0) {
            throw ChainErrors.input("permit validity must be > 0 seconds, was " + validForSeconds);
        }
        // Deadline from chain time, not the local clock: the contract compares it with block.timestamp.
        BigInteger deadline = client.latestBlock().getTimestamp().add(BigInteger.valueOf(validForSeconds));
        var domain = read("HyphaToken.eip712Domain", () -> hyp.eip712Domain().send());
        BigInteger nonce = read("HyphaToken.nonces", () -> hyp.nonces(account()).send());
        var permit = dev.hypha.core.crypto.TypedData.of(
                new dev.hypha.core.crypto.TypedData.Domain(domain.component2(), domain.component3(), domain.component4(),
                        dev.hypha.core.crypto.Address.parse(domain.component5())),
                java.util.Map.of("Permit", List.of(
                        new dev.hypha.core.crypto.TypedData.Field("owner", "address"),
                        new dev.hypha.core.crypto.TypedData.Field("spender", "address"),
                        new dev.hypha.core.crypto.TypedData.Field("value", "uint256"),
                        new dev.hypha.core.crypto.TypedData.Field("nonce", "uint256"),
                        new dev.hypha.core.crypto.TypedData.Field("deadline", "uint256"))),
                "Permit",
                java.util.Map.of("owner", account(), "spender", deployment.address("Staking"), "value", value,
                        "nonce", nonce, "deadline", deadline));
        var sig = signer("stakeWithPermit").signTypedData(permit).toSignatureData();
        return write("Staking", "stakeWithPermit", staking.stakeWithPermit(role, value, deadline,
                new BigInteger(1, sig.getV()), sig.getR(), sig.getS()));
    }

    /** Starts unbonding {@code amount} of this account's stake for a role. */
    public TransactionReceipt requestUnbond(byte[] role, BigInteger amount) {
        return write("Staking", "requestUnbond", staking.requestUnbond(role, uint256("amount", amount)));
    }

    /** Withdraws matured unbonded stake for a role. */
    public TransactionReceipt withdraw(byte[] role) {
        return write("Staking", "withdraw", staking.withdraw(role));
    }

    /** Slashes an account's stake (only SLASHER_ROLE holders may). */
    public TransactionReceipt slash(String account, byte[] role, BigInteger amount, byte[] reason) {
        return write("Staking", "slash", staking.slash(address(account), role, uint256("amount", amount), bytes32("reason", reason)));
    }

    /**
     * Registers this account as a provider whose signing key is this account's own key (the proof of possession is
     * signed with it).
     *
     * @throws ChainException (INPUT) when the registration names another key: use {@link #registerProvider(ProviderRegistration, byte[])}
     */
    public TransactionReceipt registerProvider(ProviderRegistration r) {
        return registerProvider(r, ownKeyProof(r));
    }

    /**
     * Registers this account as a provider, with {@code keyProof} from {@link #signingKeyProof} by the key the
     * registration names.
     */
    public TransactionReceipt registerProvider(ProviderRegistration r, byte[] keyProof) {
        return write("ProviderRegistry", "register", registry.register(r.endpoint(), address(r.signingKey()),
                serviceIds(r.services()), r.metadataCid(), keyProof.clone()));
    }

    /** Updates this account's provider record, keeping (or moving to) this account's own key as signing key. */
    public TransactionReceipt updateProvider(ProviderRegistration r) {
        return updateProvider(r, ownKeyProof(r));
    }

    /** Updates this account's provider record, with {@code keyProof} by the key the registration names. */
    public TransactionReceipt updateProvider(ProviderRegistration r, byte[] keyProof) {
        return write("ProviderRegistry", "update", registry.update(r.endpoint(), address(r.signingKey()),
                serviceIds(r.services()), r.metadataCid(), keyProof.clone()));
    }

    /**
     * The proof that {@code signingKey} agrees to be this account's signing key in this deployment's ProviderRegistry:
     * its EIP-712 signature of {@code SigningKeyProof(provider, signingKey)} in the registry's domain.
     */
    public byte[] signingKeyProof(Credentials signingKey) {
        return signingKeyProof(deployment, account(), signingKey);
    }

    /** The proof that {@code signingKey} agrees to be {@code provider}'s signing key in {@code deployment}'s registry. */
    public static byte[] signingKeyProof(Deployment deployment, String provider, Credentials signingKey) {
        return Eip712.sign(signingKeyProofData(deployment, provider, signingKey.getAddress()), signingKey).toBytes();
    }

    /** The typed data a signing key signs to be listed for {@code provider} (see ProviderRegistry's notes). */
    public static TypedData signingKeyProofData(Deployment deployment, String provider, String signingKey) {
        TypedData.Domain domain = TypedData.Domain.of(REGISTRY_DOMAIN_NAME, "1", deployment.chainId(),
                dev.hypha.core.crypto.Address.parse(deployment.address("ProviderRegistry")));
        return TypedData.of(domain, SIGNING_KEY_PROOF_TYPES, "SigningKeyProof",
                Map.of("provider", address(provider), "signingKey", address(signingKey)));
    }

    private byte[] ownKeyProof(ProviderRegistration r) {
        TransactionSender s = signer("ProviderRegistry.register");
        if (!address(r.signingKey()).equals(address(s.address()))) {
            throw ChainErrors.input("signing key " + r.signingKey() + " is not this account (" + s.address()
                    + "): listing another key needs that key's proof of possession (signingKeyProof)");
        }
        return s.signTypedData(signingKeyProofData(deployment, s.address(), r.signingKey())).toBytes();
    }

    // ---------------------------------------------------------------- governance (HyphaTimelock)

    /** HyphaTimelock's delay: how long a scheduled governance action waits before it can be executed. */
    public long governanceDelay() {
        return read("HyphaTimelock.getMinDelay", () -> timelock.getMinDelay().send()).longValueExact();
    }

    /** The action that grants {@code role} on {@code contract} (e.g. "Staking") to {@code account}. */
    public GovernanceAction grantRoleAction(String contract, byte[] role, String account) {
        byte[] data = org.web3j.utils.Numeric.hexStringToByteArray(org.web3j.abi.FunctionEncoder.encode(
                new org.web3j.abi.datatypes.Function("grantRole", List.of(
                        new org.web3j.abi.datatypes.generated.Bytes32(bytes32("role", role)),
                        new org.web3j.abi.datatypes.Address(address(account))), List.of())));
        return new GovernanceAction(contract, deployment.address(contract), data, new byte[32]);
    }

    /** Schedules {@code action} on HyphaTimelock with its full delay (only the governor may). */
    public TransactionReceipt schedule(GovernanceAction action) {
        BigInteger delay = BigInteger.valueOf(governanceDelay());
        return write(Deployment.TIMELOCK, "schedule", timelock.schedule(action.target(), BigInteger.ZERO, action.data(),
                new byte[32], action.salt(), delay));
    }

    /** Whether {@code action}'s delay has passed (and it is not executed or cancelled yet). */
    public boolean isReady(GovernanceAction action) {
        byte[] id = read("HyphaTimelock.hashOperation", () -> timelock.hashOperation(action.target(), BigInteger.ZERO,
                action.data(), new byte[32], action.salt()).send());
        return read("HyphaTimelock.isOperationReady", () -> timelock.isOperationReady(id).send());
    }

    /** Executes a scheduled {@code action} once its delay has passed (anyone may). */
    public TransactionReceipt execute(GovernanceAction action) {
        return write(Deployment.TIMELOCK, "execute", timelock.execute(action.target(), BigInteger.ZERO, action.data(),
                new byte[32], action.salt(), BigInteger.ZERO));
    }

    /** Deactivates this account's provider record. */
    public TransactionReceipt deactivateProvider() {
        return write("ProviderRegistry", "deactivate", registry.deactivate());
    }

    /** Reactivates this account's provider record (stake re-checked). */
    public TransactionReceipt reactivateProvider() {
        return write("ProviderRegistry", "reactivate", registry.reactivate());
    }

    // ---------------------------------------------------------------- encodings

    /** A Staking role tag: keccak256 of its name, e.g. {@code role("PROVIDER")}. */
    public static byte[] role(String name) {
        if (name == null || name.isBlank()) {
            throw ChainErrors.input("role name is empty: expected e.g. PROVIDER or VALIDATOR");
        }
        return Hash.sha3(name.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A service id: the UTF-8 bytes of its name, right-padded with zeros to 32 bytes (the
     * convention ProviderRegistry documents, e.g. bytes32("inference")).
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
        return names.stream().map(HyphaContracts::serviceId).toList();
    }

    private static String address(String a) {
        if (a == null || !WalletUtils.isValidAddress(a) || !a.startsWith("0x")) {
            throw ChainErrors.input("bad address '" + a + "': expected 0x followed by 40 hex digits");
        }
        return a.toLowerCase(Locale.ROOT);
    }

    private static BigInteger uint256(String what, BigInteger v) {
        if (v == null || v.signum() < 0 || v.compareTo(UINT256_MAX) > 0) {
            throw ChainErrors.input(what + " must be between 0 and 2^256-1, was " + v);
        }
        return v;
    }

    private static byte[] bytes32(String what, byte[] v) {
        if (v == null || v.length != 32) {
            throw ChainErrors.input(what + " must be exactly 32 bytes");
        }
        return v;
    }

    private TransactionReceipt write(String contract, String function, RemoteFunctionCall<TransactionReceipt> call) {
        return signer(contract + "." + function).send(
                TxRequest.call(contract, function, deployment.address(contract), call.encodeFunctionCall()));
    }

    private static <T> T read(String what, Callable<T> call) {
        try {
            return call.call();
        } catch (ChainException e) {
            throw e;
        } catch (Exception e) {
            throw ChainErrors.chain(what + " failed: " + e.getMessage(), e);
        }
    }
}
