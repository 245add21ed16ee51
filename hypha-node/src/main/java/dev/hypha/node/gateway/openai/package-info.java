/**
 * The OpenAI API (/v1/*): {@link dev.hypha.node.gateway.openai.OpenAiRequests} maps bodies to backend calls with
 * OpenAI's defaults (as Ollama's compatibility layer does), {@link dev.hypha.node.gateway.openai.OpenAiJson} writes
 * OpenAI's objects, and {@link dev.hypha.node.gateway.openai.OpenAiRoutes} serves them, streaming as SSE.
 */
package dev.hypha.node.gateway.openai;
