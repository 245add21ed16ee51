package dev.hypha.node.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.Tool;
import dev.hypha.node.gateway.http.Fields;
import java.util.List;

/**
 * OpenAI's {@code tool_choice}: "auto" (the default: the model decides), "none" (answer in text), "required" (call a
 * tool) or {@code {type: "function", function: {name}}} (call that one). "required" is honoured by forcing a call, so
 * it needs one tool to force: with several, the request must name the one it wants.
 */
sealed interface ToolChoice {
    record Auto() implements ToolChoice {}

    record None() implements ToolChoice {}

    /** The model must call this tool. */
    record Named(String name) implements ToolChoice {}

    static ToolChoice of(ObjectNode body, List<Tool> tools) {
        JsonNode c = body.get("tool_choice");
        if (c == null || c.isNull()) {
            return new Auto();
        }
        if (c.isTextual()) {
            return switch (c.textValue()) {
                case "auto" -> new Auto();
                case "none" -> new None();
                case "required" -> {
                    if (tools.size() != 1) {
                        throw GatewayException.badRequest("tool_choice \"required\" needs exactly one tool here (it is "
                                + "honoured by forcing the call); with " + tools.size() + " tools, name the one to call: "
                                + "{\"type\":\"function\",\"function\":{\"name\":...}}");
                    }
                    yield new Named(tools.getFirst().name());
                }
                default -> throw GatewayException.badRequest("tool_choice must be \"auto\", \"none\", \"required\" or "
                        + "{\"type\":\"function\",\"function\":{\"name\":...}}; got \"" + c.textValue() + "\"");
            };
        }
        if (!(c instanceof ObjectNode o)) {
            throw Fields.wrongType("tool_choice", "a string or an object", c);
        }
        String name = Fields.object(o, "function").flatMap(f -> Fields.string(f, "name")).orElseThrow(() ->
                GatewayException.badRequest("tool_choice.function.name is required"));
        if (tools.stream().noneMatch(t -> t.name().equals(name))) {
            throw GatewayException.badRequest("tool_choice names \"" + name + "\", which is not among the tools");
        }
        return new Named(name);
    }
}
