package dev.hypha.node.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hypha.ml.llm.JsonSchema;
import dev.hypha.node.gateway.GatewayException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A JSON Schema from a request (Ollama's {@code format}, OpenAI's {@code response_format.json_schema.schema}), checked
 * as soon as it is read, so a schema the engine cannot honour is a 400 naming the keyword before anything runs.
 */
public final class StructuredOutput {
    private StructuredOutput() {
    }

    /**
     * The schema at {@code field} as compact JSON text, once the engine has accepted it.
     *
     * @throws GatewayException BAD_REQUEST naming the field and the part of the schema that cannot be honoured
     */
    public static Optional<String> schema(JsonNode schema, String field) {
        try {
            JsonSchema.parse(schema);
        } catch (IllegalArgumentException e) {
            throw GatewayException.badRequest(field + ": " + e.getMessage());
        }
        return Optional.of(new String(JsonBody.write(schema), StandardCharsets.UTF_8));
    }
}
