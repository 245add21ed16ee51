package dev.hypha.node.mcp;

import dev.hypha.node.x402.ExactRequirement;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One tool the node serves over MCP.
 *
 * @param name            the tool's name (MCP's rule: 1..64 of letters, digits, '_', '-', '.')
 * @param description     what it does, for the calling model
 * @param inputSchemaJson its arguments as a JSON Schema object (the SDK checks every call against it)
 * @param price           what one call costs (x402 {@code exact}), or empty for a free tool
 * @param function        the work, run only after the call is paid
 */
public record McpTool(String name, String description, String inputSchemaJson, Optional<ExactRequirement> price,
                      Function function) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** A tool's work: its (schema-checked) arguments in, text out. */
    @FunctionalInterface
    public interface Function {
        /**
         * @throws dev.hypha.core.errors.HyphaException INPUT for arguments the schema admits but the tool cannot use;
         *                                              the caller gets the message as an error result
         */
        String call(Map<String, Object> arguments);
    }

    public McpTool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(inputSchemaJson, "inputSchemaJson");
        Objects.requireNonNull(price, "price");
        Objects.requireNonNull(function, "function");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("MCP tool name '" + name + "' must be 1..64 of A-Z a-z 0-9 _ - .");
        }
    }

    /** The resource URL a payment for this tool names (x402's MCP binding: {@code mcp://tool/<name>}). */
    public String resourceUrl() {
        return "mcp://tool/" + name;
    }
}
