package dev.hypha.node.gateway;

import java.util.Objects;

/**
 * A call of a {@link Tool} that the model made (in an answer) or that a client sends back in the history.
 *
 * @param id        an id the tool's result refers to (OpenAI's {@code tool_call_id}); made up by the gateway
 * @param name      the function's name
 * @param arguments the arguments, a JSON object as text
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }
}
