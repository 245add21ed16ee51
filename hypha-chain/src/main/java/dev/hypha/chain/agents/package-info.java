/**
 * Data of the agent contracts (issue 16), no I/O: ERC-8004 feedback and its payment proofs, payment receipts,
 * reputation summaries, an agent account's spending policy, service agreements and milestones. The contracts' calls
 * are in {@code dev.hypha.chain.deploy}: {@code IdentityRegistryClient}, {@code ReputationRegistryClient},
 * {@code PaymentReceiptsClient}, {@code AgentAccountsClient} and {@code ServiceEscrowClient}.
 */
package dev.hypha.chain.agents;
