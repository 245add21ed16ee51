/**
 * Deploying Hypha's contracts ({@link dev.hypha.chain.deploy.Deployer}), recording them per chain
 * ({@link dev.hypha.chain.deploy.Deployments}) and using them ({@link dev.hypha.chain.deploy.HyphaContracts}).
 */
package dev.hypha.chain.deploy;
