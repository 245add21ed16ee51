/**
 * Inference requested by contracts, provider side: the {@link dev.hypha.node.coordinator.Fulfiller} follows
 * InferenceCoordinator's requests on chain, answers those for models this provider serves through an
 * {@link dev.hypha.node.gateway.InferenceBackend}, signs each answer's receipt with the provider's signing key and
 * submits it; {@link dev.hypha.node.coordinator.FulfilmentLog} remembers durably what it took on, so it never answers
 * twice, and which fees it still has to collect after their challenge windows.
 */
package dev.hypha.node.coordinator;
