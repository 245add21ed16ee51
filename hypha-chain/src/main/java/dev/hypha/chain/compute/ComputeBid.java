package dev.hypha.chain.compute;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;

/** A provider's bid on an order, as the contract stores it. */
public record ComputeBid(Address provider, BigInteger pricePerHour, Resources offered, boolean withdrawn) {}
