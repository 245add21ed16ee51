package dev.hypha.node.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.Tool;
import dev.hypha.node.gateway.ToolCall;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Tool definitions and tool calls as both APIs write them: {@code tools} is a list of
 * {@code {type: "function", function: {name, description, parameters}}} in either; a call in an assistant message is
 * {@code {id?, type?, function: {name, arguments}}} with the arguments an object (Ollama) or a JSON string (OpenAI).
 */
public final class ToolFields {
    /** Most tools one request may define: far beyond real use, small enough to bound prompt rendering. */
    public static final int MAX_TOOLS = 128;

    private ToolFields() {
    }

    /** The request's {@code tools}; empty when absent. */
    public static List<Tool> tools(ObjectNode body) {
        JsonNode n = body.get("tools");
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw Fields.wrongType("tools", "a list of tools", n);
        }
        if (n.size() > MAX_TOOLS) {
            throw GatewayException.badRequest("tools has " + n.size() + " entries; at most " + MAX_TOOLS);
        }
        List<Tool> out = new ArrayList<>(n.size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < n.size(); i++) {
            String at = "tools[" + i + "]";
            if (!(n.get(i) instanceof ObjectNode t)) {
                throw Fields.wrongType(at, "a tool object", n.get(i));
            }
            String type = Fields.string(t, "type").orElse("function");
            if (!type.equals("function")) {
                throw GatewayException.badRequest(at + ".type must be \"function\"; got \"" + type + "\"");
            }
            ObjectNode f = Fields.object(t, "function").orElseThrow(() -> GatewayException.badRequest(at
                    + ".function is required: {name, description, parameters}"));
            String name = Fields.string(f, "name").orElse("");
            if (name.isBlank()) {
                throw GatewayException.badRequest(at + ".function.name is required");
            }
            if (!names.add(name)) {
                throw GatewayException.badRequest(at + ".function.name \"" + name + "\" names a tool twice");
            }
            ObjectNode parameters = Fields.object(f, "parameters").orElse(f.objectNode().put("type", "object"));
            out.add(new Tool(name, Fields.string(f, "description").orElse(""), text(parameters)));
        }
        return out;
    }

    /** An assistant message's {@code tool_calls} ({@code at} names the message in errors); ids made up when absent. */
    public static List<ToolCall> calls(ObjectNode message, String at) {
        JsonNode n = message.get("tool_calls");
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw Fields.wrongType(at + ".tool_calls", "a list of tool calls", n);
        }
        List<ToolCall> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            String here = at + ".tool_calls[" + i + "]";
            if (!(n.get(i) instanceof ObjectNode c)) {
                throw Fields.wrongType(here, "a tool call object", n.get(i));
            }
            ObjectNode f = Fields.object(c, "function").orElseThrow(() -> GatewayException.badRequest(here
                    + ".function is required: {name, arguments}"));
            String name = Fields.requiredString(f, "name");
            JsonNode args = f.get("arguments");
            String arguments;
            if (args == null || args.isNull()) {
                arguments = "{}";
            } else if (args.isObject()) {
                arguments = text(args);
            } else if (args.isTextual()) {
                arguments = jsonObjectText(args.textValue(), here + ".function.arguments");
            } else {
                throw Fields.wrongType(here + ".function.arguments", "an object or a JSON string", args);
            }
            String id = Fields.string(c, "id").orElse("call_" + i);
            out.add(new ToolCall(id, name, arguments));
        }
        return out;
    }

    private static String jsonObjectText(String s, String at) {
        try {
            JsonNode parsed = JsonBody.MAPPER.readTree(s);
            if (parsed == null || !parsed.isObject()) {
                throw GatewayException.badRequest(at + " must be a JSON object; got " + s);
            }
            return text(parsed);
        } catch (JsonProcessingException e) {
            throw GatewayException.badRequest(at + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode n) {
        return new String(JsonBody.write(n), StandardCharsets.UTF_8);
    }
}
