package dev.hypha.chain.agents;

import java.math.BigInteger;

/**
 * A ServiceEscrow agreement as stored: parties, token, review period, totals.
 *
 * @param client           who escrowed the price
 * @param provider         who is paid on acceptance or ruling
 * @param validator        who may rule (zero address: none)
 * @param token            the ERC-20
 * @param reviewPeriod     seconds after a submission in which the client accepts or the validator rules
 * @param milestoneCount   milestones
 * @param total            escrowed in all
 * @param paidToProvider   released to the provider so far
 * @param refundedToClient returned to the client so far
 */
public record Agreement(String client, String provider, String validator, String token, long reviewPeriod,
                        int milestoneCount, BigInteger total, BigInteger paidToProvider, BigInteger refundedToClient) {}
