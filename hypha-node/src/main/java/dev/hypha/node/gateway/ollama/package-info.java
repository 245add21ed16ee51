/**
 * The Ollama API (/api/*, GET /) as its clients rely on it: {@link dev.hypha.node.gateway.ollama.OllamaRequests}
 * turns bodies into backend calls with Ollama's defaults, {@link dev.hypha.node.gateway.ollama.OllamaJson} writes
 * Ollama's shapes, {@link dev.hypha.node.gateway.ollama.OllamaRoutes} connects the two.
 */
package dev.hypha.node.gateway.ollama;
