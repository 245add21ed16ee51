/**
 * The gateway as one area of the node's HTTP API: {@link dev.hypha.node.gateway.api.GatewayRoutes} serves the Ollama
 * and OpenAI routes over one {@link dev.hypha.node.gateway.InferenceBackend}. Its own package so that the seam's
 * package ({@code gateway}) depends on no API family (each family depends on the seam).
 */
package dev.hypha.node.gateway.api;
