package dev.hypha.node.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.deploy.AgentAccountsClient;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.http.ApiRoutes;
import dev.hypha.node.mcp.McpTool;
import dev.hypha.node.mcp.PayingMcpClient;
import dev.hypha.node.mcp.X402McpBinding;
import dev.hypha.node.x402.ExactFacilitator;
import dev.hypha.node.x402.ExactPayment;
import dev.hypha.node.x402.ExactRequirement;
import dev.hypha.node.x402.PaymentRequired;
import dev.hypha.node.x402.Paywall;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.modelcontextprotocol.spec.McpSchema;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An agent that sells its own service (its spec's {@code serve}): one tool, paid per call over x402 into the agent's
 * AgentAccount, served both as an MCP tool and as a plain x402 HTTP endpoint ({@value #HTTP_PREFIX}TOOL, GET with
 * {@code ?prompt=} or POST with {@code {"prompt": ...}}). Its work is the agent's own: its system prompt and task
 * applied to the caller's request, completed by the network's inference, which it buys per call (the
 * {@code inference} tool of its tool sources, e.g. the node's paid {@code generate}) from its own account with its
 * session key, within the account's on-chain policy, each payment journaled and logged as the runtime's are. One
 * request is worked at a time (the journal and the session key's nonces are one sequence).
 *
 * <p>The buyer pays before the work (the paywalls settle first); when the agent cannot buy its inference (budget
 * used up, inference down), the paid call answers an error naming why, and the buyer keeps the settlement as proof
 * of what it paid, which is what its rating can say.
 */
public final class AgentService implements AutoCloseable {
    /** Where the plain x402 endpoint of the tool is served. */
    public static final String HTTP_PREFIX = "/service/";
    /** Longest request accepted. */
    public static final int MAX_PROMPT_CHARS = 2_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = """
            {"type":"object","properties":{
              "prompt":{"type":"string","minLength":1,"maxLength":%d}},
             "required":["prompt"],"additionalProperties":false}""".formatted(MAX_PROMPT_CHARS);

    private final AgentSpec spec;
    private final AgentSpec.Service service;
    private final AgentAccountsClient.Account account;
    private final org.web3j.crypto.Credentials sessionKey;
    private final ChainClient chain;
    private final Optional<ServiceDirectory> directory;
    private final BigInteger maxPerCall;
    private final ExactRequirement price;
    private final SecureRandom random;
    private final SpendJournal journal;
    private final AgentLog log;
    private final Path dir;
    private final Optional<dev.hypha.chain.deploy.PaymentChannelsClient> channels;
    private final Optional<dev.hypha.node.offers.OfferSource> offers;
    private final Clock clock;
    /** How the inference is bought, once connected over a channel (for the serve command to print). */
    private String inferenceSummary = "";
    private PayingMcpClient inference;
    private ChannelInference channelInference;
    /** Where {@link #channelInference} buys, and the offer it was chosen from (failover needs to know which). */
    private ChannelProviders.Provider channelProvider;
    /** Most offer-chosen providers tried in one connection before giving up (each failure is a refused probe). */
    private static final int MAX_CONNECT_ATTEMPTS = 3;
    /** Providers chosen from offers that failed this agent (unreachable, or charging beyond their offer). */
    private final java.util.Set<Address> failedProviders = new java.util.LinkedHashSet<>();
    private Optional<ServiceDirectory.Agent> inferenceAgent = Optional.empty();
    private String inferenceUrl = "";
    private int next;
    /** The request being answered (its journal index and log tag), for the inference payer. */
    private int current;
    private String currentTag = "serve";

    /**
     * @param dir        the agent's folder (its {@code agent.log} and {@code serve-journal.jsonl})
     * @param account    the agent's account, driven by its session key (books the inference payments)
     * @param directory  the identity registry, when the inference is named by agent id
     * @param maxPerCall the most one inference call may cost (the account's per-call maximum)
     * @param price      what one call of the tool costs; {@code payTo} is the agent's account
     * @param channels   the PaymentChannels contract, as the session key, when the spec buys its inference over a
     *                   channel ({@code serve.channel})
     * @param offers     the on-chain offers, when {@code serve.channel} names a model to choose a provider for
     */
    public AgentService(AgentSpec spec, Path dir, AgentAccountsClient.Account account,
                        org.web3j.crypto.Credentials sessionKey, ChainClient chain, Optional<ServiceDirectory> directory,
                        Optional<dev.hypha.chain.deploy.PaymentChannelsClient> channels,
                        Optional<dev.hypha.node.offers.OfferSource> offers, BigInteger maxPerCall,
                        ExactRequirement price, SecureRandom random, Clock clock) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.service = spec.serve().orElseThrow(() -> HyphaException.input("agent " + spec.name() + " sells nothing:"
                + " its spec has no \"serve\" section (tool, description, price)"));
        this.account = Objects.requireNonNull(account, "account");
        this.sessionKey = Objects.requireNonNull(sessionKey, "sessionKey");
        this.chain = Objects.requireNonNull(chain, "chain");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.maxPerCall = Objects.requireNonNull(maxPerCall, "maxPerCall");
        this.price = Objects.requireNonNull(price, "price");
        this.random = Objects.requireNonNull(random, "random");
        this.dir = Objects.requireNonNull(dir, "dir");
        this.channels = Objects.requireNonNull(channels, "channels");
        this.offers = Objects.requireNonNull(offers, "offers");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.journal = new SpendJournal(dir.resolve("serve-journal.jsonl"));
        this.log = new AgentLog(dir.resolve("agent.log"), clock);
        SpendJournal.State state = journal.read();
        int last = Math.max(state.done().isEmpty() ? -1 : state.done().lastKey(),
                state.pending().isEmpty() ? -1 : state.pending().lastKey());
        this.next = last + 1;
    }

    /**
     * Finds the inference tool among the spec's tool sources (through the identity registry for an agent id) and
     * opens its MCP session.
     *
     * @throws HyphaException INPUT when no source offers it, NETWORK when the source cannot be reached
     */
    public synchronized void connect() {
        if (service.channel().isPresent()) {
            connectChannel("serve");
            log.line("serve", "agent " + spec.name() + " sells " + service.tool() + " at " + price.amount()
                    + " a call into " + Address.parse(account.address()).toChecksumString() + "; " + inferenceSummary);
            return;
        }
        for (AgentSpec.ToolSource source : spec.tools()) {
            if (!source.offers(service.inference())) {
                continue;
            }
            Optional<ServiceDirectory.Agent> agent = source.agentId().map(id -> directory
                    .orElseThrow(() -> HyphaException.input("tools by agent id need the identity registry")).find(id));
            String url = agent.map(ServiceDirectory.Agent::mcpEndpoint).orElseGet(() -> source.mcpUrl().orElseThrow());
            PayingMcpClient client = new PayingMcpClient(url, this::payInference, chain.chainId(), maxPerCall);
            if (client.tools().stream().map(McpSchema.Tool::name).anyMatch(service.inference()::equals)) {
                inference = client;
                inferenceAgent = agent;
                inferenceUrl = url;
                log.line("serve", "agent " + spec.name() + " sells " + service.tool() + " at " + price.amount()
                        + " a call into " + Address.parse(account.address()).toChecksumString() + "; its inference: "
                        + service.inference() + " at " + url + agent.map(a -> " (agent #" + a.agentId() + ", found in"
                        + " the identity registry)").orElse(""));
                return;
            }
            client.close();
        }
        throw HyphaException.input("agent " + spec.name() + ": none of its tool sources offers the inference tool '"
                + AgentLog.quote(service.inference()) + "' its serve section names");
    }

    /** The tool, sold over MCP. */
    public McpTool tool() {
        return new McpTool(service.tool(), service.description(), SCHEMA, Optional.of(price),
                args -> answer((String) args.get("prompt")));
    }

    /** The same tool as a plain x402 endpoint, {@value #HTTP_PREFIX}TOOL (GET {@code ?prompt=}, POST JSON). */
    public ApiRoutes httpRoutes(ExactFacilitator facilitator) {
        Paywall paywall = new Paywall(facilitator);
        String path = HTTP_PREFIX + service.tool();
        Handler work = ctx -> {
            try {
                ctx.contentType("text/plain; charset=utf-8").result(answer(ctx.attribute("prompt")));
            } catch (HyphaException e) {
                // paid and settled (the PAYMENT-RESPONSE header is set), the work failed: the buyer learns why
                ctx.status(502).contentType("application/json")
                        .result(JSON.createObjectNode().put("error", e.getMessage()).toString());
            }
        };
        Handler get = checked(paywall.protect(new Paywall.PaidRoute(HandlerType.GET, path, price, service.description(),
                work)));
        Handler post = checked(paywall.protect(new Paywall.PaidRoute(HandlerType.POST, path, price,
                service.description(), work)));
        return api -> {
            api.get(path, get);
            api.post(path, post);
        };
    }

    /** Reads and checks the request before anything is paid: a request the work cannot use costs nothing. */
    private static Handler checked(Handler paid) {
        return ctx -> {
            Optional<String> prompt = prompt(ctx);
            if (prompt.isEmpty()) {
                ctx.status(400).contentType("application/json").result(JSON.createObjectNode().put("error",
                        "send the request as ?prompt= (GET) or {\"prompt\": \"...\"} (POST), 1.." + MAX_PROMPT_CHARS
                                + " characters").toString());
                return;
            }
            ctx.attribute("prompt", prompt.get());
            paid.handle(ctx);
        };
    }

    private static Optional<String> prompt(Context ctx) {
        String p;
        if (ctx.method() == HandlerType.GET) {
            p = ctx.queryParam("prompt");
        } else {
            if (ctx.bodyAsBytes().length > 4 * MAX_PROMPT_CHARS + 64) {
                return Optional.empty();
            }
            try {
                JsonNode body = JSON.readTree(ctx.bodyAsBytes());
                p = body != null && body.path("prompt").isTextual() && body.size() == 1 ? body.get("prompt").textValue()
                        : null;
            } catch (java.io.IOException e) {
                p = null;
            }
        }
        return Optional.ofNullable(p).filter(s -> !s.isBlank() && s.length() <= MAX_PROMPT_CHARS);
    }

    /**
     * The agent's answer to one paid request: its system prompt, task and the request, completed by the inference it
     * buys from its account.
     *
     * @throws HyphaException naming why when the inference cannot be bought or fails
     */
    public synchronized String answer(String request) {
        if (service.channel().isPresent() && channelProvider != null) {
            return answerOverChannel(request);
        }
        if (inference == null) {
            throw new HyphaException(ErrorCategory.NETWORK, "agent " + spec.name() + " is not connected to its inference");
        }
        int n = next++;
        String tag = "serve " + (n + 1);
        log.line(tag, "request: " + AgentLog.quote(request));
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("prompt", prompt(request));
        args.put("max_tokens", service.maxTokens());
        if (!spec.model().isBlank()) {
            args.put("model", spec.model());
        }
        current = n;
        currentTag = tag;
        PayingMcpClient.Call call;
        try {
            call = inference.call(service.inference(), args);
        } catch (HyphaException e) {
            String why = AgentAccountPayer.refusedByPolicy(e) ? "refused by the account's policy" : "failed";
            log.line(tag, "buying inference " + why + ": " + AgentLog.quote(e.getMessage()));
            journal.done(n, "inference-unpaid");
            throw HyphaException.input("agent " + spec.name() + " could not buy its inference (" + why + "): "
                    + e.getMessage());
        }
        if (call.payment().isPresent() && call.settlement().filter(s -> s.success()).isPresent()) {
            log.line(tag, "paid " + call.payment().get().authorization().value() + " for inference to "
                    + call.payment().get().authorization().to().toChecksumString() + ", settled in "
                    + call.settlement().get().transaction());
        } else if (call.payment().isPresent()) {
            String why = X402McpBinding.requiredOf(call.result()).map(PaymentRequired::error).orElse("");
            log.line(tag, "inference payment refused by " + inferenceUrl + ": " + AgentLog.quote(why));
            journal.done(n, "inference-refused");
            throw HyphaException.input("agent " + spec.name() + "'s inference refused its payment: " + why);
        }
        if (call.failed()) {
            log.line(tag, "inference error: " + AgentLog.quote(call.text()));
            journal.done(n, "inference-error");
            throw new HyphaException(ErrorCategory.NETWORK, "agent " + spec.name() + "'s inference failed: " + call.text());
        }
        journal.done(n, "served");
        log.line(tag, "answered: " + AgentLog.quote(call.text()));
        return call.text();
    }

    /**
     * Chooses the channel provider ({@link ChannelProviders}, passing over {@link #failedProviders}) and opens (or
     * finds) the account's channel to it. An offer's provider that cannot be reached joins the failed ones and the next
     * offer is tried, up to {@value #MAX_CONNECT_ATTEMPTS} providers (an unreachable one costs nothing: the probe comes
     * before any deposit).
     */
    private void connectChannel(String tag) {
        AgentSpec.InferenceChannel c = service.channel().orElseThrow();
        java.util.Set<Address> allowed = new java.util.LinkedHashSet<>();
        spec.budget().allow().forEach(a -> allowed.add(Address.parse(a)));
        if (channelInference != null) {
            channelInference.close(); // its ledger file is the one the next channel is tracked in
            channelInference = null;
        }
        ChannelInference bought = null;
        ChannelProviders.Provider provider = null;
        for (int attempt = 1; bought == null; attempt++) {
            provider = ChannelProviders.choose(c, offers, allowed, failedProviders, price.asset(), chain.chainId(),
                    spec.model(), clock);
            channelProvider = provider;
            try {
                bought = ChannelInference.connect(provider, c.deposit(), account, sessionKey, channels
                        .orElseThrow(() -> HyphaException.input("agent " + spec.name() + " buys its inference over a"
                                + " channel: it needs the PaymentChannels contract")), chain.chainId(),
                        dir.resolve("channels.sqlite"), maxPerCall);
            } catch (HyphaException e) {
                if (provider.offer().isEmpty() || e.category() != ErrorCategory.NETWORK
                        || attempt >= MAX_CONNECT_ATTEMPTS) {
                    throw e;
                }
                failedProviders.add(provider.offer().get().provider());
                log.line(tag, "inference from " + provider.offer().get().provider().toChecksumString() + " failed ("
                        + AgentLog.quote(e.getMessage()) + "): choosing the next offer without it");
            }
        }
        channelInference = bought;
        inferenceSummary = "its inference: " + provider.offer().map(o -> AgentLog.quote(o.model()) + " from "
                + o.provider().toChecksumString() + " (the best of the offers for " + c.describe() + ", at "
                + o.inputPerMillion() + "/" + o.outputPerMillion() + " per million tokens in/out), at ")
                .orElse("") + AgentLog.quote(bought.url().toString()) + ", paid with upto vouchers over"
                + " channel " + bought.channel().id() + " to " + bought.provider().toChecksumString() + " (deposit "
                + bought.deposit() + ", funded by the account through its policy)";
    }

    /**
     * Buys one completion over the channel. A provider chosen from an offer that cannot be reached (or answers with an
     * error), or that charged beyond its offer, is passed over: the offers are ranked again without it, the account
     * opens a channel to the next (through its policy, which may refuse), and the request is bought there once. A
     * provider named by URL has no other to fail over to. When the last failover found no provider to connect to, each
     * request tries again.
     */
    private ChannelInference.Bought buyOverChannel(String request, String tag) {
        if (channelInference == null) {
            connectChannel(tag);
            log.line(tag, "connected: " + inferenceSummary);
        }
        try {
            return channelInference.complete(prompt(request), service.maxTokens());
        } catch (HyphaException e) {
            boolean failedOver = channelProvider.offer().isPresent()
                    && (e.category() == ErrorCategory.NETWORK || channelInference.paysNothingMore());
            if (!failedOver) {
                throw e;
            }
            Address failed = channelInference.provider();
            failedProviders.add(failed);
            log.line(tag, "inference from " + failed.toChecksumString() + " failed (" + AgentLog.quote(e.getMessage())
                    + "): choosing the next offer without it");
            connectChannel(tag);
            log.line(tag, "switched to " + inferenceSummary);
            return channelInference.complete(prompt(request), service.maxTokens());
        }
    }

    /** {@link #answer} with the inference bought over the account's channel: no transaction, the voucher logged. */
    private String answerOverChannel(String request) {
        int n = next++;
        String tag = "serve " + (n + 1);
        log.line(tag, "request: " + AgentLog.quote(request));
        ChannelInference.Bought b;
        try {
            b = buyOverChannel(request, tag);
        } catch (HyphaException e) {
            log.line(tag, "buying inference failed: " + AgentLog.quote(e.getMessage()));
            journal.done(n, "inference-unpaid");
            throw HyphaException.input("agent " + spec.name() + " could not buy its inference: " + e.getMessage());
        }
        log.line(tag, "paid " + b.cost() + " for inference to " + channelInference.provider().toChecksumString()
                + " with a voucher for " + b.voucher() + " on channel " + channelInference.channel().id()
                + " (charged " + b.charged() + " of " + channelInference.deposit() + ")");
        journal.done(n, "served");
        log.line(tag, "answered: " + AgentLog.quote(b.text()));
        return b.text();
    }

    private String prompt(String request) {
        return (spec.system().isBlank() ? "" : spec.system().strip() + "\n") + spec.task().strip()
                + "\nRequest: " + request.strip();
    }

    /** Pays the inference from the account (called by the MCP client inside {@link #answer}). */
    private ExactPayment payInference(ExactRequirement offer, ObjectNode offerJson, String resourceUrl) {
        inferenceAgent.ifPresent(a -> {
            if (!a.payees().contains(offer.payTo())) {
                throw HyphaException.input("the inference asks to pay " + offer.payTo().toChecksumString()
                        + ", which is neither agent #" + a.agentId() + "'s wallet nor its owner");
            }
        });
        ExactPayment p = new AgentAccountPayer(account, sessionKey, chain, journal, current, Optional.empty(), random)
                .pay(offer, offerJson, resourceUrl);
        log.line(currentTag, "booked " + offer.amount() + " for inference to " + offer.payTo().toChecksumString()
                + " on the account (nonce " + p.authorization().nonce() + ")");
        return p;
    }

    /**
     * The agent's ERC-8004 registration file: its MCP and x402 endpoints under {@code baseUrl}, and the price.
     */
    public String registrationFile(String baseUrl) {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", "https://eips.ethereum.org/EIPS/eip-8004#registration-v1").put("name", spec.name())
                .put("description", service.description());
        var services = o.putArray("services");
        services.addObject().put("name", "MCP").put("endpoint", baseUrl + dev.hypha.node.mcp.McpToolServer.PATH)
                .put("version", "2025-06-18");
        services.addObject().put("name", "x402").put("endpoint", baseUrl + HTTP_PREFIX + service.tool());
        o.put("x402Support", true).put("active", true);
        o.putArray("pricing").addObject().put("tool", service.tool()).put("scheme", "exact")
                .put("network", price.network()).put("asset", price.asset().toChecksumString())
                .put("amount", price.amount().toString()).put("payTo", price.payTo().toChecksumString());
        o.putArray("supportedTrust").add("reputation");
        return o.toString();
    }

    /** {@link #registrationFile} as a {@code data:} URI, the agent URI that needs no web host. */
    public String registrationUri(String baseUrl) {
        return "data:application/json;base64," + java.util.Base64.getEncoder()
                .encodeToString(registrationFile(baseUrl).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * How a {@code serve.channel} agent buys its inference once {@link #connect}ed ("its inference: ... channel ...");
     * empty otherwise.
     */
    public synchronized String inferenceSummary() {
        return inferenceSummary;
    }

    public AgentLog log() {
        return log;
    }

    @Override
    public synchronized void close() {
        if (channelInference != null) {
            channelInference.close();
            channelInference = null;
        }
        channelProvider = null;
        if (inference != null) {
            inference.close();
            inference = null;
        }
    }
}
