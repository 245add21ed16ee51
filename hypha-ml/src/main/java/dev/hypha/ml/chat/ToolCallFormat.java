package dev.hypha.ml.chat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a model writes tool calls, learned from its own chat template the way Ollama learns it: render a conversation
 * whose assistant turn holds one probe call, and read what the template writes before the call's JSON object (the
 * prefix, e.g. {@code <tool_call>\n} for Qwen, nothing for templates that write bare JSON) and which key holds the
 * arguments ({@code arguments}, or {@code parameters} as Llama 3.1's template writes). A model's answer is then
 * split into its text and the calls: each call is the prefix followed by one JSON object with a name and arguments.
 */
public final class ToolCallFormat {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROBE_NAME = "hypha_probe_function";
    private static final String PROBE_ARG = "hypha_probe_argument";
    /** Most calls read from one answer. */
    public static final int MAX_CALLS = 64;

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private final String prefix;
    private final String argumentsKey;

    /** A format: calls start with {@code prefix} ("" for bare JSON) and carry their arguments under {@code argumentsKey}. */
    public ToolCallFormat(String prefix, String argumentsKey) {
        this.prefix = prefix;
        this.argumentsKey = argumentsKey;
    }

    /** The text written before each call's JSON object ("" when calls are bare JSON). */
    public String prefix() {
        return prefix;
    }

    /** The key of a call's arguments: "arguments" or "parameters". */
    public String argumentsKey() {
        return argumentsKey;
    }

    /**
     * The format {@code template} writes calls in; empty when it takes no tools or writes calls in a way this cannot
     * find (no JSON object holding the call's name).
     */
    public static Optional<ToolCallFormat> of(ChatTemplate template) {
        if (!template.supportsTools()) {
            return Optional.empty();
        }
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", PROBE_NAME);
        function.put("arguments", Map.of(PROBE_ARG, "x"));
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("id", "call_probe");
        call.put("type", "function");
        call.put("function", function);
        List<ChatMessage> conversation = List.of(new ChatMessage("user", "hi"),
                new ChatMessage("assistant", "", Map.of("tool_calls", List.of(call))));
        Map<String, Object> tool = Map.of("type", "function", "function", Map.of("name", PROBE_NAME, "description", "",
                "parameters", Map.of("type", "object", "properties", Map.of())));
        String withCall;
        String opened;
        try {
            withCall = template.render(conversation, false, Map.of("tools", List.of(tool)));
            opened = template.render(conversation.subList(0, 1), true, Map.of("tools", List.of(tool)));
        } catch (ChatTemplateException e) {
            return Optional.empty();
        }
        // What both renders share is the conversation up to the assistant's turn; the call is written after it.
        int from = common(opened, withCall);
        int name = withCall.indexOf(PROBE_NAME, from);
        if (name < 0) {
            return Optional.empty();
        }
        int brace = withCall.lastIndexOf('{', name);
        if (brace < from) {
            return Optional.empty();
        }
        String prefix = withCall.substring(from, brace).strip();
        String after = withCall.substring(name);
        String key = after.contains("\"parameters\"") && !after.contains("\"arguments\"") ? "parameters" : "arguments";
        return Optional.of(new ToolCallFormat(prefix, key));
    }

    private static int common(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    /** One call: the function's name and its arguments as compact JSON object text. */
    public record Call(String name, String arguments) {}

    /** An answer split into the text before the first call and the calls. */
    public record Split(String content, List<Call> calls) {}

    /**
     * Splits {@code text}. Without any well-formed call the whole text is content (as Ollama does, a model that
     * writes something call-like but malformed has answered in text).
     */
    public Split split(String text) {
        int start = firstCall(text);
        if (start < 0) {
            return new Split(text, List.of());
        }
        List<Call> calls = new ArrayList<>();
        int at = start;
        while (at >= 0 && calls.size() < MAX_CALLS) {
            int json = at + prefix.length();
            Optional<Parsed> p = object(text, json);
            if (p.isEmpty()) {
                break;
            }
            Optional<Call> call = call(p.get().node());
            if (call.isEmpty()) {
                break;
            }
            calls.add(call.get());
            at = nextCall(text, p.get().end());
        }
        if (calls.isEmpty()) {
            return new Split(text, List.of());
        }
        return new Split(text.substring(0, start).strip(), calls);
    }

    /** Where the text may begin a call: the prefix, or (bare JSON) a leading '{'. Used to hold back streamed text. */
    public int firstCall(String text) {
        if (!prefix.isEmpty()) {
            return text.indexOf(prefix);
        }
        String s = text.stripLeading();
        return s.startsWith("{") ? text.length() - s.length() : -1;
    }

    /** The next call after {@code from}: only whitespace and closing tags may come between calls. */
    private int nextCall(String text, int from) {
        if (prefix.isEmpty()) {
            int i = from;
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            return i < text.length() && text.charAt(i) == '{' ? i : -1;
        }
        return text.indexOf(prefix, from);
    }

    private record Parsed(JsonNode node, int end) {}

    /** The JSON object starting at {@code from} (after whitespace), and where it ends. */
    private static Optional<Parsed> object(String text, int from) {
        try (JsonParser p = JSON.getFactory().createParser(text.substring(from))) {
            JsonNode node = JSON.readTree(p);
            if (node == null || !node.isObject()) {
                return Optional.empty();
            }
            return Optional.of(new Parsed(node, from + (int) p.currentLocation().getCharOffset()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Optional<Call> call(JsonNode o) {
        JsonNode name = o.get("name");
        JsonNode args = o.has(argumentsKey) ? o.get(argumentsKey) : o.has("arguments") ? o.get("arguments")
                : o.get("parameters");
        if (name == null || !name.isTextual() || name.textValue().isEmpty()) {
            return Optional.empty();
        }
        if (args == null || args.isNull()) {
            return Optional.of(new Call(name.textValue(), "{}"));
        }
        if (args.isTextual()) {
            try {
                args = JSON.readTree(args.textValue()); // some models write the arguments as a JSON string
            } catch (JsonProcessingException e) {
                return Optional.empty();
            }
        }
        if (args == null || !args.isObject()) {
            return Optional.empty();
        }
        return Optional.of(new Call(name.textValue(), args.toString()));
    }
}
