/**
 * The gateway: the Ollama and OpenAI HTTP APIs a user's clients talk to. The HTTP side (packages {@code ollama},
 * {@code openai}, and the shared {@code http} helpers) parses requests into the calls of {@link
 * dev.hypha.node.gateway.InferenceBackend} and writes its answers in each API's shapes; the backend decides where an
 * answer comes from. {@code local} answers from the models of this machine's store; a remote backend (providers on
 * the network, paid through payment channels) is meant to sit behind the same interface, which is why no HTTP shape
 * appears in it.
 */
package dev.hypha.node.gateway;
