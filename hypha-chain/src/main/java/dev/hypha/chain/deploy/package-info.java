/**
 * Deploying Hypha's contracts ({@link dev.hypha.chain.deploy.Deployer}), recording them per chain
 * ({@link dev.hypha.chain.deploy.Deployments}) and using them: {@link dev.hypha.chain.deploy.HyphaContracts} holds one
 * small client per contract ({@link dev.hypha.chain.deploy.HyphaTokenClient}, {@link dev.hypha.chain.deploy.PaymentTokenClient},
 * {@link dev.hypha.chain.deploy.StakingClient}, {@link dev.hypha.chain.deploy.ProviderRegistryClient},
 * {@link dev.hypha.chain.deploy.GovernanceClient}) over the shared reader/writer {@link dev.hypha.chain.deploy.ContractCalls}.
 * Each client owns its contract's name ({@code NAME}); a new contract gets a new client, not new facade methods.
 */
package dev.hypha.chain.deploy;
