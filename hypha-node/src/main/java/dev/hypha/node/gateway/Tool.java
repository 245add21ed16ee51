package dev.hypha.node.gateway;

import java.util.Objects;

/**
 * A function the model may call (both APIs' {@code tools} entries of type "function").
 *
 * @param name        the function's name
 * @param description what it does (may be empty)
 * @param parameters  a JSON Schema of its arguments, as JSON text ("{}" when it takes none)
 */
public record Tool(String name, String description, String parameters) {
    public Tool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parameters, "parameters");
    }
}
