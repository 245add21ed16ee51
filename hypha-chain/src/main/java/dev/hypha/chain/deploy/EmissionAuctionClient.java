package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.read;
import static dev.hypha.chain.deploy.ContractCalls.uint256;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.contracts.EmissionAuction;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * EmissionAuction (docs/ARCHITECTURE.md "Funding the app pool from emissions"): the apps' share of HYP emission sold by
 * a descending-price auction, every unit paid funding AppRewards' pool. Reads the current lot and its price, opens the
 * next lot, and buys the live one under a price guard (the payment token is approved first when the allowance is
 * short).
 */
public final class EmissionAuctionClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "EmissionAuction";
    /** The apps' share of each block's emission `hypha deploy` sets on SubnetEmissions (10 %). */
    public static final int APP_SHARE_BPS = 1_000;
    /** Prices are payment-token units per whole HYP. */
    public static final BigInteger ONE_HYP = BigInteger.TEN.pow(18);

    /** The auction's parameters (governance's; they apply from the next lot). */
    public record Params(BigInteger startPrice, BigInteger floorPrice, long lotBlocks, BigInteger minLot) {}

    /**
     * The current or last lot, every field read at {@code block}: {@code id} is -1 before the first lot; {@code amount}
     * is 0 once bought; {@code price} and {@code cost} are null unless the lot is live. {@code nextLotAmount} is what
     * opening a lot would offer (while a lot is live, that lot included).
     */
    public record Lot(long id, BigInteger amount, BigInteger startPrice, BigInteger floorPrice, long startBlock,
                      long endBlock, boolean live, BigInteger price, BigInteger cost, BigInteger nextLotAmount,
                      long block) {}

    /** A bought lot, as its Bought event says it. */
    public record Purchase(long lotId, Address buyer, BigInteger amount, BigInteger price, BigInteger cost,
                           String txHash) {}

    private final ContractCalls calls;
    private final EmissionAuction binding;

    EmissionAuctionClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, EmissionAuction::load);
    }

    /** The contract's address. */
    public Address address() {
        return Address.parse(calls.deployment().address(NAME));
    }

    /** The token prices are paid in (AppRewards' token). */
    public Address paymentToken() {
        return Address.parse(read(NAME + ".paymentToken", () -> binding.paymentToken().send()));
    }

    public Params params() {
        EmissionAuction.Params p = read(NAME + ".params", () -> binding.params().send());
        return new Params(p.startPrice, p.floorPrice, p.lotBlocks.longValueExact(), p.minLot);
    }

    /**
     * The current or last lot and, when live, its price and cost: one call ({@code lotView}), so all of it is read at
     * one block; separate reads could straddle the lot's last block (live, then no price).
     */
    public Lot lot() {
        EmissionAuction.LotView v = read(NAME + ".lotView", () -> binding.lotView().send());
        long start = v.startBlock.longValueExact();
        return new Lot(v.lotCount.longValueExact() - 1, v.amount, v.startPrice, v.floorPrice, start,
                start + v.blocks.longValueExact(), v.live, v.live ? v.price : null, v.live ? v.cost : null,
                v.nextLotAmount, v.blockNumber.longValueExact());
    }

    /** HYP minted to the auction from emissions (whoever claimed it), sold, and payment tokens paid by buyers so far. */
    public BigInteger claimed() {
        return read(NAME + ".claimed", () -> binding.claimed().send());
    }

    public BigInteger sold() {
        return read(NAME + ".sold", () -> binding.sold().send());
    }

    public BigInteger proceeds() {
        return read(NAME + ".proceeds", () -> binding.proceeds().send());
    }

    /** Opens the next lot (anyone, when none is live); returns its id. */
    public long openLot() {
        TransactionReceipt r = calls.write(NAME, "openLot", binding.openLot());
        List<EmissionAuction.LotOpenedEventResponse> events = EmissionAuction.getLotOpenedEvents(r);
        if (events.isEmpty()) {
            throw ChainErrors.chain("EmissionAuction.openLot: receipt " + r.getTransactionHash() + " has no LotOpened event");
        }
        return events.getFirst().lotId.longValueExact();
    }

    /**
     * Buys the whole live lot {@code lotId} (the lot the caller read and priced) if its price is at most
     * {@code maxPrice} (payment units per HYP): approves what the lot costs at that price when the allowance is short,
     * then buys; the contract refuses a higher price ({@code PriceAboveMax}) and another lot ({@code WrongLot}: someone
     * bought the named one and opened the next, of another amount, in between).
     */
    public Purchase buy(long lotId, BigInteger maxPrice) {
        uint256("max price", maxPrice);
        Lot lot = lot();
        if (!lot.live()) {
            throw ChainErrors.input("no live lot to buy: open one first (lot " + lot.id() + " ended at block "
                    + lot.endBlock() + ")");
        }
        if (lot.id() != lotId) {
            throw ChainErrors.input("lot #" + lotId + " is not the live lot: lot #" + lot.id() + " is (read it again"
                    + " before buying)");
        }
        calls.approveIfShort(NAME, paymentToken(), costAt(lot.amount(), maxPrice));
        TransactionReceipt r = calls.write(NAME, "buy", binding.buy(BigInteger.valueOf(lotId), maxPrice));
        List<EmissionAuction.BoughtEventResponse> events = EmissionAuction.getBoughtEvents(r);
        if (events.isEmpty()) {
            throw ChainErrors.chain("EmissionAuction.buy: receipt " + r.getTransactionHash() + " has no Bought event");
        }
        EmissionAuction.BoughtEventResponse e = events.getFirst();
        return new Purchase(e.lotId.longValueExact(), Address.parse(e.buyer), e.amount, e.price, e.cost,
                r.getTransactionHash());
    }

    /** ceil(amount × price / 1e18): what the contract charges for {@code amount} HYP wei at {@code price}. */
    public static BigInteger costAt(BigInteger amount, BigInteger price) {
        BigInteger[] qr = amount.multiply(price).divideAndRemainder(ONE_HYP);
        return qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
    }

    /** HYP wei as a decimal number of HYP (for messages). */
    public static String hyp(BigInteger wei) {
        return new java.math.BigDecimal(wei).movePointLeft(18).setScale(4, RoundingMode.DOWN).stripTrailingZeros()
                .toPlainString();
    }
}
