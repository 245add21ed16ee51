package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.compute.CloseReason;
import dev.hypha.chain.compute.ComputeBid;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.compute.Resources;
import dev.hypha.chain.contracts.ComputeMarket;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.List;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * ComputeMarket (training compute): post and cancel orders (approving the payment token when the allowance is short),
 * bid and withdraw bids as a provider, accept a bid or the cheapest, add deposit, settle and close leases; and the reads
 * a tenant or provider needs. Orders and bids are {@code dev.hypha.chain.compute}'s types.
 */
public final class ComputeMarketClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "ComputeMarket";

    private final ContractCalls calls;
    private final ComputeMarket binding;

    ComputeMarketClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, ComputeMarket::load);
    }

    /** The contract's address. */
    public Address address() {
        return Address.parse(calls.deployment().address(NAME));
    }

    /** The token deposits and payments are in. */
    public Address token() {
        return Address.parse(read(NAME + ".token", () -> binding.token().send()));
    }

    /**
     * Posts an order from this account and escrows {@code deposit}, approving the payment token first when the
     * allowance is short.
     *
     * @param spec      the job spec's content-id digest (32 bytes)
     * @param bidWindow seconds providers may bid
     * @param auditor   the auditor whose attestation bids need, or the zero address for none
     * @return the new order's id
     */
    public BigInteger createOrder(byte[] spec, Resources needs, BigInteger maxPricePerHour, BigInteger deposit,
                                  long bidWindow, Address auditor) {
        calls.approveIfShort(NAME, token(), deposit);
        TransactionReceipt receipt = calls.write(NAME, "createOrder", binding.createOrder(
                ContractCalls.bytes32("spec", spec), struct(needs), maxPricePerHour, deposit,
                BigInteger.valueOf(bidWindow), auditor.lowercaseHex()));
        List<ComputeMarket.OrderCreatedEventResponse> events = ComputeMarket.getOrderCreatedEvents(receipt);
        if (events.size() != 1) {
            throw ChainErrors.chain("createOrder transaction " + receipt.getTransactionHash() + " emitted "
                    + events.size() + " OrderCreated events, expected 1");
        }
        return events.getFirst().orderId;
    }

    /** Withdraws an order nobody leased (its tenant only); the deposit goes back. */
    public TransactionReceipt cancelOrder(BigInteger orderId) {
        return calls.write(NAME, "cancelOrder", binding.cancelOrder(orderId));
    }

    /**
     * Bids on an order as this account (an active provider).
     *
     * @param attestation the order's auditor's signature of {@code offered} for this account, or empty for none
     * @return the bid's index on the order
     */
    public BigInteger bid(BigInteger orderId, BigInteger pricePerHour, Resources offered, byte[] attestation,
                          long attestationExpiresAt) {
        TransactionReceipt receipt = calls.write(NAME, "bid", binding.bid(orderId, pricePerHour, struct(offered),
                attestation, BigInteger.valueOf(attestationExpiresAt)));
        List<ComputeMarket.BidPlacedEventResponse> events = ComputeMarket.getBidPlacedEvents(receipt);
        if (events.size() != 1) {
            throw ChainErrors.chain("bid transaction " + receipt.getTransactionHash() + " emitted " + events.size()
                    + " BidPlaced events, expected 1");
        }
        return events.getFirst().bidIndex;
    }

    /** Takes back this account's bid. */
    public TransactionReceipt withdrawBid(BigInteger orderId, long bidIndex) {
        return calls.write(NAME, "withdrawBid", binding.withdrawBid(orderId, BigInteger.valueOf(bidIndex)));
    }

    /** Leases the order to the bid at {@code bidIndex} (its tenant only). */
    public TransactionReceipt acceptBid(BigInteger orderId, long bidIndex) {
        return calls.write(NAME, "acceptBid", binding.acceptBid(orderId, BigInteger.valueOf(bidIndex)));
    }

    /** Leases the order to its cheapest live bid (anyone, once bidding has closed). */
    public TransactionReceipt acceptCheapest(BigInteger orderId) {
        return calls.write(NAME, "acceptCheapest", binding.acceptCheapest(orderId));
    }

    /** Adds {@code amount} from this account to an order's escrow, approving the payment token when short. */
    public TransactionReceipt addDeposit(BigInteger orderId, BigInteger amount) {
        calls.approveIfShort(NAME, token(), amount);
        return calls.write(NAME, "addDeposit", binding.addDeposit(orderId, amount));
    }

    /** Moves what the lease accrued out of the escrow (anyone); closes it when its deposit is used up. */
    public TransactionReceipt settle(BigInteger orderId) {
        return calls.write(NAME, "settle", binding.settle(orderId));
    }

    /**
     * Sends the provider what its lease paid and is now beyond dispute (anyone; a running lease is settled first).
     * With a verifier bound, pay stays in the market until TrainingVerifier's {@code finalUntil} passes it.
     */
    public TransactionReceipt release(BigInteger orderId) {
        return calls.write(NAME, "release", binding.release(orderId));
    }

    /** What the lease's provider has received so far ({@code paid} less what is held until it is final). */
    public BigInteger released(BigInteger orderId) {
        return read(NAME + ".released", () -> binding.released(orderId).send());
    }

    /** What {@link #release} would send the provider now. */
    public BigInteger releasable(BigInteger orderId) {
        return read(NAME + ".releasable", () -> binding.releasable(orderId).send());
    }

    /** Ends a lease now (tenant or provider). */
    public TransactionReceipt closeLease(BigInteger orderId) {
        return calls.write(NAME, "closeLease", binding.closeLease(orderId));
    }

    /** Binds the contract that may close leases for a proven fault (the deployer only, once). */
    public TransactionReceipt bindVerifier(Address verifier) {
        return calls.write(NAME, "bindVerifier", binding.bindVerifier(verifier.lowercaseHex()));
    }

    /** The bound verifier (the zero address before binding). */
    public Address verifier() {
        return Address.parse(read(NAME + ".verifier", () -> binding.verifier().send()));
    }

    /** An order's record (state NONE for an id never used). */
    public ComputeOrder order(BigInteger orderId) {
        ComputeMarket.Order o = read(NAME + ".getOrder", () -> binding.getOrder(orderId).send());
        return new ComputeOrder(Address.parse(o.tenant), o.bidsCloseAt.longValueExact(),
                OrderState.of(o.state.intValueExact()), o.bidCount.intValueExact(),
                CloseReason.of(o.closeReason.intValueExact()), Address.parse(o.auditor), resources(o.needs),
                Numeric.toHexString(o.spec), o.maxPricePerHour, o.held, Address.parse(o.provider), o.pricePerHour,
                o.leaseStart.longValueExact(), o.leaseEnd.longValueExact(), o.paid);
    }

    /** An order's bids, in the order they came. */
    @SuppressWarnings("unchecked")
    public List<ComputeBid> bids(BigInteger orderId) {
        List<ComputeMarket.Bid> bids = read(NAME + ".getBids", () -> binding.getBids(orderId).send());
        return bids.stream().map(b -> new ComputeBid(Address.parse(b.provider), b.pricePerHour, resources(b.offered),
                b.withdrawn)).toList();
    }

    /** The id the next order will get (ids count up from 1, so orders 1 .. this - 1 exist). */
    public BigInteger nextOrderId() {
        return read(NAME + ".nextOrderId", () -> binding.nextOrderId().send());
    }

    /** What a running lease owes its provider right now (what {@link #settle} would pay). */
    public BigInteger owed(BigInteger orderId) {
        return read(NAME + ".owed", () -> binding.owed(orderId).send());
    }

    /** The first second at which a running lease's deposit is used up; 0 when not leased. */
    public long fundedUntil(BigInteger orderId) {
        return read(NAME + ".fundedUntil", () -> binding.fundedUntil(orderId).send()).longValueExact();
    }

    /** The EIP-712 digest an auditor signs to attest that {@code provider} offers {@code offered} until then. */
    public byte[] attestationDigest(Address provider, Resources offered, long expiresAt) {
        return read(NAME + ".attestationDigest", () -> binding.attestationDigest(provider.lowercaseHex(), struct(offered),
                BigInteger.valueOf(expiresAt)).send());
    }

    private static ComputeMarket.Resources struct(Resources r) {
        return new ComputeMarket.Resources(BigInteger.valueOf(r.cores()), BigInteger.valueOf(r.memoryMiB()),
                BigInteger.valueOf(r.accelerators()));
    }

    private static Resources resources(ComputeMarket.Resources r) {
        return new Resources(r.cores.longValueExact(), r.memoryMiB.longValueExact(), r.accelerators.longValueExact());
    }
}
