package dev.hypha.chain.compute;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;

/**
 * An order as the contract stores it, with its lease once it has one (amounts in the payment token's smallest units,
 * times in seconds since the epoch).
 *
 * @param spec            the job spec's content-id digest (0x + 64 hex digits)
 * @param held            what is still in escrow
 * @param provider        the lease's provider (the zero address before a lease)
 * @param pricePerHour    the lease's price (0 before a lease)
 * @param paid            what the provider was paid so far
 */
public record ComputeOrder(Address tenant, long bidsCloseAt, OrderState state, int bidCount, CloseReason closeReason,
                           Address auditor, Resources needs, String spec, BigInteger maxPricePerHour, BigInteger held,
                           Address provider, BigInteger pricePerHour, long leaseStart, long leaseEnd, BigInteger paid) {}
