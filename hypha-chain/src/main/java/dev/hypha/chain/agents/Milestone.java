package dev.hypha.chain.agents;

import java.math.BigInteger;

/**
 * One milestone of a service agreement.
 *
 * @param amount   its share of the price
 * @param deadline unix seconds by which the provider submits
 * @param status   where it is
 */
public record Milestone(BigInteger amount, long deadline, Status status) {
    /** ServiceEscrow's milestone states, in the contract's order. */
    public enum Status { NONE, PENDING, SUBMITTED, ACCEPTED, RULED, REFUNDED }
}
