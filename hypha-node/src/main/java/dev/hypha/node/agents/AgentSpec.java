package dev.hypha.node.agents;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What an agent is ({@code hypha agent create SPEC}): its name, instructions and task, where its tools are (MCP servers
 * by URL, or agents by ERC-8004 id, whose registration file names their MCP endpoint; {@code only} narrows a source to
 * some of its tools), its budget (the AgentAccount policy) and, optionally, how it rates the agents it paid. Its model
 * chooses the tool calls, up to {@code maxSteps} of them ({@code toolChoice} "required": every turn calls a tool, as
 * OpenAI's tool_choice; "auto", the default: the model may give its final answer instead). A spec may instead list
 * fixed {@code steps}, run in order without a model. {@code fetch} turns on the built-in {@value HttpFetch#TOOL} tool,
 * GET of text or JSON from the hosts it lists ({@link FetchPolicy}). A JSON file:
 * <pre>{@code
 * {"name": "buyer", "system": "...", "task": "...", "model": "...", "maxSteps": 4, "toolChoice": "auto",
 *  "budget": {"limit": "0.01", "perCall": "0.002", "period": "1d", "guardian": "0x..."},
 *  "tools": [{"agent": 1, "only": ["generate"]}, {"mcp": "http://127.0.0.1:21494/mcp"}],
 *  "rate": {"value": 90, "tag": "quality"}, "fetch": {"hosts": ["api.example.com"], "maxBytes": 65536},
 *  "serve": {"tool": "write", "description": "...", "price": "0.003", "maxTokens": 64, "inference": "generate",
 *            "channel": {"model": "hypha-tiny", "maxPrice": "0.5", "deposit": "0.01"}}}
 * }</pre>
 * {@code serve} makes it an agent that sells its own service ({@code hypha agent serve NAME}, {@link AgentService}):
 * one tool, paid per call over x402 into its account, whose work is its system prompt and task applied to the
 * caller's request by the network's inference, paid from its own account: a provider's metered completions over a
 * payment channel the account funds ({@code channel}), or else the {@code inference} tool of its tool sources.
 */
public record AgentSpec(String name, String system, String task, String model, Budget budget, List<ToolSource> tools,
                        List<Step> steps, Optional<Rating> rate, int maxSteps, boolean callRequired,
                        boolean requiredArgumentsOnly, Optional<FetchPolicy> fetch, Optional<Service> serve) {
    /** Turns a model-driven run takes at most when the spec says nothing. */
    public static final int DEFAULT_MAX_STEPS = 6;
    /** Largest spec file read. */
    public static final int MAX_BYTES = 256 * 1024;
    /** Most steps one spec may list. */
    public static final int MAX_STEPS = 256;
    /** Most tool sources. */
    public static final int MAX_TOOLS = 16;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32)
                .maxStringLength(64 * 1024).build());
    }

    /**
     * The AgentAccount policy: hUSD amounts as decimal strings, a period as Ns/Nm/Nh/Nd, who may freeze it, and the
     * addresses it may pay besides the agents named in {@code tools} (whose wallets are allowed when it is created).
     */
    public record Budget(String limit, String perCall, String period, String guardian, List<String> allow) {
        public Budget {
            allow = List.copyOf(allow);
        }
    }

    /** Where tools come from: exactly one of an MCP URL and an ERC-8004 agent id; {@code only}: these tools (empty: all). */
    public record ToolSource(Optional<String> mcpUrl, Optional<BigInteger> agentId, List<String> only) {
        public ToolSource {
            if (mcpUrl.isPresent() == agentId.isPresent()) {
                throw new IllegalArgumentException("a tool source is either an MCP URL or an agent id");
            }
            only = List.copyOf(only);
        }

        /** Whether tool {@code name} of this source is offered. */
        public boolean offers(String name) {
            return only.isEmpty() || only.contains(name);
        }
    }

    /**
     * What an agent sells ({@code "serve"}).
     *
     * @param tool        the tool's name (MCP's rule)
     * @param description what it does, for buyers and their models
     * @param price       hUSD per call, as a decimal string (paid into the agent's account)
     * @param maxTokens   the most tokens one answer's inference may produce
     * @param inference   the tool among the agent's tool sources that does the inference (default {@code generate})
     * @param channel     instead of that tool: a provider's metered completions bought over a payment channel
     */
    public record Service(String tool, String description, String price, int maxTokens, String inference,
                          Optional<InferenceChannel> channel) {}

    /**
     * Inference bought with x402 {@code upto} over a payment channel the agent's account funds ({@code serve.channel}).
     * The provider is either named by URL (an explicit override) or chosen from the on-chain offers for {@code model}
     * as the paying gateway chooses ({@link ChannelProviders}), among the providers the budget allows.
     *
     * @param url      a provider's {@code /provider/v1/x402/completions} (http on loopback, https elsewhere)
     * @param model    instead of a URL: the model whose offers are ranked (Ollama's name; no tag means :latest)
     * @param maxPrice with a model: the most hUSD per million tokens (input plus output price) an offer may ask
     * @param deposit  hUSD put into the channel through the account's policy when it is opened, and again each time
     *                 the next call's voucher would pass what it holds, as a decimal string
     */
    public record InferenceChannel(Optional<java.net.URI> url, Optional<String> model, Optional<String> maxPrice,
                                   String deposit) {
        public InferenceChannel {
            Objects.requireNonNull(deposit, "deposit");
            if (url.isPresent() == model.isPresent()) {
                throw new IllegalArgumentException("a channel names either a provider's URL or a model");
            }
        }

        /** The URL form: this provider, whatever the offers say. */
        public InferenceChannel(java.net.URI url, String deposit) {
            this(Optional.of(url), Optional.empty(), Optional.empty(), deposit);
        }

        /** Where the provider comes from, for logs: the URL, or the model (and price cap) the offers were ranked for. */
        public String describe() {
            return url.map(java.net.URI::toString).orElseGet(() -> model.orElseThrow()
                    + maxPrice.map(p -> " at most " + p + " hUSD per million tokens").orElse(""));
        }
    }

    /** Most tokens a served answer may ask of the inference (the node's {@code generate} allows 512). */
    public static final int MAX_SERVE_TOKENS = 512;
    private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** One tool call. */
    public record Step(String tool, Map<String, Object> arguments) {}

    /** A rating (0..100) given to each agent the run paid, with one tag. */
    public record Rating(int value, String tag) {}

    public AgentSpec {
        Objects.requireNonNull(name, "name");
        tools = List.copyOf(tools);
        steps = List.copyOf(steps);
        Objects.requireNonNull(fetch, "fetch");
        Objects.requireNonNull(serve, "serve");
    }

    /** Reads a spec file, naming the field that is wrong. */
    public static AgentSpec read(Path file) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw HyphaException.input("agent spec " + file + " is larger than " + MAX_BYTES + " bytes");
            }
            return parse(file.toString(), Files.readAllBytes(file));
        } catch (IOException e) {
            throw HyphaException.io("cannot read agent spec " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses a spec; {@code where} names it in errors. */
    @SuppressWarnings("unchecked")
    public static AgentSpec parse(String where, byte[] bytes) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw HyphaException.input("agent spec " + where + " is not JSON: " + AgentLog.quote(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw HyphaException.input("agent spec " + where + " must be a JSON object");
        }
        String name = text(where, root, "name", true);
        if (!NAME.matcher(name).matches()) {
            throw HyphaException.input("agent spec " + where + ": name '" + name
                    + "' must be 1..63 of a-z, 0-9 and '-' (it names the agent's folder)");
        }
        JsonNode b = root.path("budget");
        if (!b.isObject()) {
            throw HyphaException.input("agent spec " + where + ": budget must be an object with limit, perCall, period, guardian");
        }
        Budget budget = new Budget(text(where, b, "limit", true), text(where, b, "perCall", false),
                Optional.ofNullable(text(where, b, "period", false)).filter(s -> !s.isEmpty()).orElse("1d"),
                text(where, b, "guardian", true), allow(where, b.path("allow")));
        List<ToolSource> tools = new ArrayList<>();
        JsonNode t = root.path("tools");
        if (!t.isArray() || t.size() > MAX_TOOLS) {
            throw HyphaException.input("agent spec " + where + ": tools must be an array of at most " + MAX_TOOLS);
        }
        for (JsonNode s : t) {
            if (s.has("mcp") == s.has("agent")) {
                throw HyphaException.input("agent spec " + where + ": each tools[] entry has either \"mcp\" (a URL) or"
                        + " \"agent\" (an ERC-8004 agent id)");
            }
            if (s.has("mcp")) {
                String url = text(where, s, "mcp", true);
                if (!url.startsWith("http://") && !url.startsWith("https://")) {
                    throw HyphaException.input("agent spec " + where + ": tools[].mcp '" + url + "' must be an http(s) URL");
                }
                tools.add(new ToolSource(Optional.of(url), Optional.empty(), only(where, s.path("only"))));
            } else {
                JsonNode id = s.get("agent");
                if (!id.canConvertToExactIntegral() || id.bigIntegerValue().signum() < 0) {
                    throw HyphaException.input("agent spec " + where + ": tools[].agent must be an agent id (a whole number)");
                }
                tools.add(new ToolSource(Optional.empty(), Optional.of(id.bigIntegerValue()), only(where, s.path("only"))));
            }
        }
        List<Step> steps = new ArrayList<>();
        JsonNode st = root.path("steps");
        if (!st.isMissingNode() && (!st.isArray() || st.isEmpty() || st.size() > MAX_STEPS)) {
            throw HyphaException.input("agent spec " + where + ": steps, when given, must be an array of 1.." + MAX_STEPS
                    + " tool calls (without steps, the model chooses the calls)");
        }
        for (JsonNode s : st.isMissingNode() ? JSON.createArrayNode() : st) {
            String tool = text(where, s, "tool", true);
            JsonNode args = s.path("arguments");
            if (!args.isMissingNode() && !args.isObject()) {
                throw HyphaException.input("agent spec " + where + ": steps[].arguments must be an object");
            }
            steps.add(new Step(tool, args.isMissingNode() ? Map.of() : JSON.convertValue(args, Map.class)));
        }
        Optional<Rating> rate = Optional.empty();
        JsonNode r = root.path("rate");
        if (!r.isMissingNode()) {
            int value = r.path("value").asInt(-1);
            if (!r.path("value").isInt() || value < 0 || value > 100) {
                throw HyphaException.input("agent spec " + where + ": rate.value must be a whole number 0..100");
            }
            rate = Optional.of(new Rating(value, Optional.ofNullable(text(where, r, "tag", false)).orElse("")));
        }
        JsonNode max = root.path("maxSteps");
        if (!max.isMissingNode() && (!max.isInt() || max.intValue() < 1 || max.intValue() > MAX_STEPS)) {
            throw HyphaException.input("agent spec " + where + ": maxSteps must be a whole number 1.." + MAX_STEPS);
        }
        String choice = Optional.ofNullable(text(where, root, "toolChoice", false)).orElse("auto");
        if (!choice.equals("auto") && !choice.equals("required")) {
            throw HyphaException.input("agent spec " + where + ": toolChoice must be \"auto\" (the model may answer) or"
                    + " \"required\" (every turn calls a tool), got '" + choice + "'");
        }
        JsonNode requiredOnly = root.path("requiredArgumentsOnly");
        if (!requiredOnly.isMissingNode() && !requiredOnly.isBoolean()) {
            throw HyphaException.input("agent spec " + where + ": requiredArgumentsOnly must be true or false");
        }
        String task = Optional.ofNullable(text(where, root, "task", false)).orElse("");
        if (steps.isEmpty() && task.isBlank()) {
            throw HyphaException.input("agent spec " + where + ": task is missing: without fixed steps the model needs a"
                    + " task to choose its tool calls for");
        }
        return new AgentSpec(name, Optional.ofNullable(text(where, root, "system", false)).orElse(""), task,
                Optional.ofNullable(text(where, root, "model", false)).orElse(""), budget, tools, steps, rate,
                max.isMissingNode() ? DEFAULT_MAX_STEPS : max.intValue(), choice.equals("required"),
                requiredOnly.asBoolean(false),
                root.has("fetch") ? Optional.of(FetchPolicy.parse(where, root.get("fetch"))) : Optional.empty(),
                root.has("serve") ? Optional.of(service(where, root.get("serve"), tools)) : Optional.empty());
    }

    private static Service service(String where, JsonNode s, List<ToolSource> tools) {
        String at = "agent spec " + where + ": serve";
        if (!s.isObject()) {
            throw HyphaException.input(at + " must be an object with tool, description, price (and maybe maxTokens,"
                    + " inference)");
        }
        String tool = text(where, s, "tool", true);
        if (!TOOL_NAME.matcher(tool).matches()) {
            throw HyphaException.input(at + ".tool '" + AgentLog.quote(tool) + "' must be 1..64 of A-Z a-z 0-9 _ - .");
        }
        String description = text(where, s, "description", true);
        if (description.isBlank() || description.length() > 512) {
            throw HyphaException.input(at + ".description must be 1..512 characters");
        }
        String price = text(where, s, "price", true);
        if (!price.matches("[0-9]{1,12}(\\.[0-9]{1,6})?") || price.matches("0*(\\.0*)?")) {
            throw HyphaException.input(at + ".price '" + AgentLog.quote(price) + "' must be an hUSD amount above 0 with"
                    + " at most 6 decimals, e.g. \"0.003\"");
        }
        JsonNode max = s.path("maxTokens");
        if (!max.isMissingNode() && (!max.isInt() || max.intValue() < 1 || max.intValue() > MAX_SERVE_TOKENS)) {
            throw HyphaException.input(at + ".maxTokens must be a whole number 1.." + MAX_SERVE_TOKENS);
        }
        String inference = Optional.ofNullable(text(where, s, "inference", false)).orElse("generate");
        Optional<InferenceChannel> channel = s.has("channel") ? Optional.of(channel(where, s.get("channel")))
                : Optional.empty();
        if (channel.isPresent() && !max.isMissingNode()
                && max.intValue() > dev.hypha.node.x402.MeteredCompletions.MAX_TOKENS) {
            throw HyphaException.input(at + ".maxTokens must be at most " + dev.hypha.node.x402.MeteredCompletions.MAX_TOKENS
                    + " when the inference is bought over a channel (a provider's metered completions)");
        }
        if (tools.isEmpty() && channel.isEmpty()) {
            throw HyphaException.input(at + " needs a tool source for its inference: list the network's inference in"
                    + " tools (an agent id, or an MCP URL) offering '" + AgentLog.quote(inference) + "', or name a"
                    + " provider's metered completions in serve.channel");
        }
        return new Service(tool, description, price, max.isMissingNode() ? 64 : max.intValue(), inference, channel);
    }

    private static InferenceChannel channel(String where, JsonNode c) {
        String at = "agent spec " + where + ": serve.channel";
        if (!c.isObject()) {
            throw HyphaException.input(at + " must be an object with deposit (hUSD) and either model (chosen from the"
                    + " offers) or url (a provider's /provider/v1/x402/completions)");
        }
        String deposit = text(where + " serve.channel", c, "deposit", true);
        if (!deposit.matches("[0-9]{1,12}(\\.[0-9]{1,6})?") || deposit.matches("0*(\\.0*)?")) {
            throw HyphaException.input(at + ".deposit '" + AgentLog.quote(deposit) + "' must be an hUSD amount above 0"
                    + " with at most 6 decimals, e.g. \"0.01\"");
        }
        java.util.Iterator<String> names = c.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!List.of("url", "model", "maxPrice", "deposit").contains(f)) {
                throw HyphaException.input(at + " has a field '" + AgentLog.quote(f) + "'; it takes deposit and"
                        + " either model (with an optional maxPrice) or url");
            }
        }
        if (c.has("model")) {
            if (c.has("url")) {
                throw HyphaException.input(at + " names both a model and a url: give model to choose from the offers,"
                        + " or url to use one provider");
            }
            String model = text(where + " serve.channel", c, "model", true);
            if (!model.matches("[\\x21-\\x7e]{1,128}")) {
                throw HyphaException.input(at + ".model '" + AgentLog.quote(model) + "' must be 1..128 printable"
                        + " characters without spaces, e.g. \"hypha-tiny\"");
            }
            String maxPrice = text(where + " serve.channel", c, "maxPrice", false);
            if (maxPrice != null && !maxPrice.matches("[0-9]{1,12}(\\.[0-9]{1,6})?")) {
                throw HyphaException.input(at + ".maxPrice '" + AgentLog.quote(maxPrice) + "' must be hUSD per million"
                        + " tokens with at most 6 decimals, e.g. \"0.5\"");
            }
            return new InferenceChannel(Optional.empty(), Optional.of(model), Optional.ofNullable(maxPrice), deposit);
        }
        if (c.has("maxPrice")) {
            throw HyphaException.input(at + ".maxPrice goes with model (it caps the offers chosen from); a url names"
                    + " its provider and price already");
        }
        if (!c.has("url")) {
            throw HyphaException.input(at + " needs model (a provider chosen from the offers) or url (one provider)");
        }
        String url = text(where + " serve.channel", c, "url", true);
        java.net.URI uri;
        try {
            uri = new java.net.URI(url);
        } catch (java.net.URISyntaxException e) {
            throw HyphaException.input(at + ".url '" + AgentLog.quote(url) + "' is not a URL");
        }
        String host = uri.getHost() == null ? "" : uri.getHost();
        boolean loopback = host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]");
        if (!("https".equals(uri.getScheme()) || ("http".equals(uri.getScheme()) && loopback)) || host.isEmpty()
                || url.length() > 512) {
            throw HyphaException.input(at + ".url '" + AgentLog.quote(url) + "' must be an https URL (http only on"
                    + " loopback), at most 512 characters");
        }
        return new InferenceChannel(uri, deposit);
    }

    /** Whether the model chooses the calls (no fixed steps). */
    public boolean modelDriven() {
        return steps.isEmpty();
    }

    private static List<String> only(String where, JsonNode o) {
        if (o.isMissingNode()) {
            return List.of();
        }
        if (!o.isArray() || o.isEmpty() || o.size() > 64) {
            throw HyphaException.input("agent spec " + where + ": tools[].only must be a list of 1..64 tool names");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : o) {
            if (!n.isTextual() || n.textValue().isBlank()) {
                throw HyphaException.input("agent spec " + where + ": tools[].only must list tool names (strings)");
            }
            out.add(n.textValue());
        }
        return out;
    }

    private static List<String> allow(String where, JsonNode a) {
        if (a.isMissingNode()) {
            return List.of();
        }
        if (!a.isArray() || a.size() > MAX_TOOLS) {
            throw HyphaException.input("agent spec " + where + ": budget.allow must be an array of at most " + MAX_TOOLS
                    + " addresses");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode x : a) {
            if (!x.isTextual() || !x.textValue().matches("0x[0-9a-fA-F]{40}")) {
                throw HyphaException.input("agent spec " + where + ": budget.allow entries must be 0x addresses");
            }
            out.add(x.textValue());
        }
        return out;
    }

    private static String text(String where, JsonNode parent, String field, boolean required) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw HyphaException.input("agent spec " + where + ": " + field + " is missing");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw HyphaException.input("agent spec " + where + ": " + field + " must be a string");
        }
        return v.textValue();
    }
}
