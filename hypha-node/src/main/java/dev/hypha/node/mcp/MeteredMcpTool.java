package dev.hypha.node.mcp;

import java.math.BigInteger;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One tool paid with x402 {@code upto} over the provider's payment channels: the caller authorises {@code maxAmount}
 * with a cumulative channel voucher, the work runs and says what it actually cost, and only that is charged. It is
 * served by an {@link McpToolServer} that has the provider's {@link dev.hypha.node.x402.UptoMeter} (a provider's own
 * MCP endpoint), not by a node without a provider ledger.
 *
 * @param name            the tool's name (MCP's rule: 1..64 of letters, digits, '_', '-', '.')
 * @param description     what it does, for the calling model
 * @param inputSchemaJson its arguments as a JSON Schema object (the SDK checks every call against it)
 * @param maxAmount       the most one call can cost, in the channel token's smallest units
 * @param function        the work, run only after the maximum is reserved
 */
public record MeteredMcpTool(String name, String description, String inputSchemaJson, BigInteger maxAmount,
                             Function function) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** What a call produced and what it cost (0..{@code maxAmount}). */
    public record Metered(String text, BigInteger cost) {
        public Metered {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(cost, "cost");
        }
    }

    /** A metered tool's work: its (schema-checked) arguments in, text and cost out. */
    @FunctionalInterface
    public interface Function {
        /**
         * @throws dev.hypha.core.errors.HyphaException INPUT for arguments the schema admits but the tool cannot use;
         *                                              the caller gets the message as an error result, charged 0
         */
        Metered call(Map<String, Object> arguments);
    }

    public MeteredMcpTool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(inputSchemaJson, "inputSchemaJson");
        Objects.requireNonNull(function, "function");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("MCP tool name '" + name + "' must be 1..64 of A-Z a-z 0-9 _ - .");
        }
        if (Objects.requireNonNull(maxAmount, "maxAmount").signum() <= 0) {
            throw new IllegalArgumentException("MCP tool " + name + ": maxAmount must be > 0, was " + maxAmount);
        }
    }

    /** The resource URL a payment for this tool names (x402's MCP binding: {@code mcp://tool/<name>}). */
    public String resourceUrl() {
        return "mcp://tool/" + name;
    }
}
