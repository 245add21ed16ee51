/**
 * The data of InferenceCoordinator (inference requested by contracts): requests as the chain announces them, their
 * state, providers' answers and the EIP-712 receipt type a provider signs for them, byte for byte what the contract
 * checks. The client that sends and reads them is {@code dev.hypha.chain.deploy.InferenceCoordinatorClient}.
 */
package dev.hypha.chain.coordinator;
