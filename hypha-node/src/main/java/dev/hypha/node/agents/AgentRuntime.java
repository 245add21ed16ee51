package dev.hypha.node.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.spec.McpSchema;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.mcp.PayingMcpClient;
import dev.hypha.node.mcp.X402McpBinding;
import dev.hypha.node.mcp.X402Payer;
import dev.hypha.node.x402.ExactPayment;
import dev.hypha.node.x402.ExactRequirement;
import dev.hypha.node.x402.PaymentRequired;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs an agent. It finds its tools (MCP servers, or agents through the identity registry), then loops: its model
 * (the gateway's chat completions, {@link ChatModel}) is shown the task and what the last call returned and chooses
 * the next call, held by constrained decoding to the {@link ToolMenu} (a call of an offered tool with valid
 * arguments, or the final answer); the runtime makes the call, paying a tool that asks from its AgentAccount within
 * the on-chain policy, feeds the result back, and stops at the final answer or after {@code maxSteps} turns. A spec
 * with fixed {@code steps} runs them in order instead, without a model. Every turn is logged (prompt, chosen call,
 * payment, result). Between turns it stops when asked ({@link #STOP_FILE} in its folder, as {@code hypha agent stop}
 * writes). It stops for good when the account refuses a spend (policy: budget used up, per-call maximum,
 * counterparty, frozen): the chain is the judge, so a runtime that tried harder would be refused again. Restarted, it
 * skips the turns its journal says are done (a model-driven run resumes its chat from them) and resumes an unfinished
 * payment with the same authorization, so nothing is paid twice.
 */
public final class AgentRuntime {
    /** The file whose presence asks a running agent to stop before its next step. */
    public static final String STOP_FILE = "stop";
    /** Characters of a tool's result shown to the model (small models have small contexts). */
    static final int RESULT_CHARS_FOR_MODEL = 80;

    /**
     * How a run ended.
     *
     * @param stepsDone steps finished (this run and earlier ones)
     * @param paid      payments settled in this run
     * @param spent     what they cost, in the token's smallest units
     * @param reason    why it ended: "finished", "answered", "step limit", "stopped", "refused by policy: ..." or
     *                  "error: ..."
     * @param answer    the model's final answer, when it gave one
     */
    public record Outcome(int stepsDone, int paid, BigInteger spent, String reason, Optional<String> answer) {
        public Outcome(int stepsDone, int paid, BigInteger spent, String reason) {
            this(stepsDone, paid, spent, reason, Optional.empty());
        }
    }

    /** Everything the runtime acts with; {@code model} is needed unless the spec lists fixed steps. */
    public record Wiring(dev.hypha.chain.deploy.AgentAccountsClient.Account accountAsSession,
                         org.web3j.crypto.Credentials sessionKey, dev.hypha.chain.rpc.ChainClient chain,
                         Optional<ServiceDirectory> directory, Optional<AccountRater> rater,
                         java.security.SecureRandom random, Optional<ChatModel> model) {}

    private record Endpoint(String url, Optional<ServiceDirectory.Agent> agent, PayingMcpClient client,
                            McpSchema.Tool tool) {}

    /** What one tool call came to: its journal status, its text, and what it paid (zero if nothing). */
    private record Called(String status, String text, BigInteger paid) {}

    /** The account refused a spend: the run ends. */
    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AgentSpec spec;
    private final Path dir;
    private final Wiring w;
    private final BigInteger maxPerCall;
    private final SpendJournal journal;
    private final AgentLog log;
    private final StepPayer payer = new StepPayer();
    /** The built-in fetch tool, during a run of a spec that turns it on. */
    private Optional<HttpFetch> fetcher = Optional.empty();
    private int paid;
    private BigInteger spent = BigInteger.ZERO;

    /**
     * @param dir        the agent's folder (journal, log, stop file)
     * @param maxPerCall the most one call may cost (the account's per-call maximum: asking more is refused anyway)
     */
    public AgentRuntime(AgentSpec spec, Path dir, Wiring wiring, BigInteger maxPerCall, java.time.Clock clock) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.dir = Objects.requireNonNull(dir, "dir");
        this.w = Objects.requireNonNull(wiring, "wiring");
        this.maxPerCall = Objects.requireNonNull(maxPerCall, "maxPerCall");
        this.journal = new SpendJournal(dir.resolve("journal.jsonl"));
        this.log = new AgentLog(dir.resolve("agent.log"), clock);
    }

    public AgentLog log() {
        return log;
    }

    /** Runs until the task is done (final answer, step limit, or the fixed steps), a stop is asked, or a spend refused. */
    public Outcome run() {
        SpendJournal.State state = journal.read();
        int planned = spec.modelDriven() ? spec.maxSteps() : spec.steps().size();
        log.line("run", "agent " + spec.name() + (spec.task().isEmpty() ? "" : ", task: " + AgentLog.quote(spec.task()))
                + "; account " + Address.parse(w.accountAsSession().address()).toChecksumString() + "; "
                + state.done().size() + "/" + planned + " steps done before"
                + (spec.modelDriven() ? " (the model chooses the calls)" : " (fixed steps, in order)"));
        List<PayingMcpClient> clients = new ArrayList<>();
        paid = 0;
        spent = BigInteger.ZERO;
        fetcher = spec.fetch().map(HttpFetch::new);
        try {
            Map<String, Endpoint> tools = discover(clients);
            fetcher.ifPresent(f -> {
                if (tools.remove(HttpFetch.TOOL) != null) {
                    log.line("tools", "an MCP tool named " + HttpFetch.TOOL + " is hidden by the built-in one");
                }
                FetchPolicy p = spec.fetch().orElseThrow();
                log.line("tools", HttpFetch.TOOL + ": " + f.description() + ", at most " + p.maxBytes() + " bytes, "
                        + p.timeout().toSeconds() + " s, " + p.maxRedirects() + " redirects");
            });
            return spec.modelDriven() ? loop(state, tools) : steps(state, tools);
        } catch (Refused e) {
            return new Outcome(state.done().size(), paid, spent, "refused by policy: " + e.getMessage());
        } catch (HyphaException e) {
            log.line("run", "error: " + AgentLog.quote(e.getMessage()));
            return new Outcome(state.done().size(), paid, spent, "error: " + e.getMessage());
        } finally {
            clients.forEach(PayingMcpClient::close);
            fetcher.ifPresent(HttpFetch::close);
            fetcher = Optional.empty();
        }
    }

    /** The fixed steps, in order (a spec that lists them). */
    private Outcome steps(SpendJournal.State state, Map<String, Endpoint> tools) {
        for (int i = 0; i < spec.steps().size(); i++) {
            if (state.isDone(i)) {
                continue;
            }
            if (stopAsked(i)) {
                return new Outcome(state.done().size(), paid, spent, "stopped");
            }
            AgentSpec.Step step = spec.steps().get(i);
            Endpoint endpoint = tools.get(step.tool());
            String tag = "step " + (i + 1);
            if (isFetch(step.tool())) {
                Called c = fetch(i, tag, step.arguments(), Optional.ofNullable(state.pending().get(i)));
                journal.done(i, c.status());
                state.done().put(i, c.status());
                continue;
            }
            if (endpoint == null) {
                log.line(tag, "no tool named " + AgentLog.quote(step.tool()) + " among " + tools.keySet());
                journal.done(i, "unknown-tool");
                state.done().put(i, "unknown-tool");
                continue;
            }
            Called c = call(i, tag, endpoint, step.tool(), step.arguments(), Optional.ofNullable(state.pending().get(i)));
            journal.done(i, c.status());
            state.done().put(i, c.status());
        }
        log.line("run", "finished: " + state.done().size() + " steps, " + paid + " paid this run (" + spent + ")");
        return new Outcome(state.done().size(), paid, spent, "finished");
    }

    /** The model chooses each call until its final answer or the step limit. */
    private Outcome loop(SpendJournal.State state, Map<String, Endpoint> tools) {
        ChatModel model = w.model().orElseThrow(() -> HyphaException.input("agent " + spec.name() + " lists no fixed"
                + " steps, so its model chooses the calls, and no gateway was given to ask it"));
        String modelName = spec.model().isBlank() ? model.defaultModel() : spec.model();
        Map<String, Map.Entry<String, JsonNode>> offered = new LinkedHashMap<>();
        tools.forEach((name, e) -> offered.put(name, Map.entry(Objects.requireNonNullElse(e.tool().description(), ""),
                JSON.valueToTree(e.tool().inputSchema()))));
        fetcher.ifPresent(f -> offered.put(HttpFetch.TOOL, Map.entry(f.description(), f.argumentSchema())));
        ToolMenu menu = ToolMenu.of(offered, spec.requiredArgumentsOnly());
        menu.skipped().forEach(s -> log.line("tools", "not offered to the model: " + AgentLog.quote(s)));
        ObjectNode schema = menu.schema(spec.callRequired());
        log.line("model", modelName + " at " + model.baseUrl() + " chooses among "
                + menu.tools().stream().map(ToolMenu.Tool::name).toList() + (spec.callRequired() ? "" : " and "
                + ToolMenu.FINAL_ANSWER) + ", up to " + spec.maxSteps() + " steps (decoding held to that choice)");
        for (int i = 0; i < spec.maxSteps(); i++) {
            if (state.isDone(i)) {
                if ("answered".equals(state.done().get(i))) {
                    return new Outcome(state.done().size(), paid, spent, "answered",
                            Optional.ofNullable(state.turns().get(i)).map(SpendJournal.Turn::result));
                }
                continue;
            }
            if (stopAsked(i)) {
                return new Outcome(state.done().size(), paid, spent, "stopped");
            }
            String tag = "step " + (i + 1);
            List<ChatModel.Message> messages = messages(menu, state, i, true);
            log.line(tag, "prompt: " + AgentLog.quote(messages.getLast().content()));
            ChatModel.Reply reply = model.complete(modelName, messages, schema);
            if (reply.finishReason().equals("length") && messages.size() > 2) {
                // a small model's context filled up before its call was complete: ask again with the task alone
                log.line(tag, "the answer did not fit the model's context; asking again without the last result");
                reply = model.complete(modelName, messages(menu, state, i, false), schema);
            }
            ToolMenu.Choice choice;
            try {
                choice = menu.read(reply.text());
            } catch (HyphaException e) {
                throw HyphaException.input(e.getMessage() + (reply.finishReason().equals("length")
                        ? " (the answer reached its token limit)" : ""));
            }
            String call = reply.text().strip();
            switch (choice) {
                case ToolMenu.Answer a -> {
                    log.line(tag, "model answered: " + AgentLog.quote(a.text()));
                    journal.done(i, "answered", call, a.text());
                    state.done().put(i, "answered");
                    log.line("run", "answered after " + state.done().size() + " steps, " + paid + " paid this run ("
                            + spent + ")");
                    return new Outcome(state.done().size(), paid, spent, "answered", Optional.of(a.text()));
                }
                case ToolMenu.Call c -> {
                    log.line(tag, "model chose " + c.tool() + " " + JSON.valueToTree(c.arguments()));
                    Called done = isFetch(c.tool()) ? fetch(i, tag, c.arguments(), Optional.ofNullable(state.pending().get(i)))
                            : call(i, tag, tools.get(c.tool()),
                            c.tool(), c.arguments(), Optional.ofNullable(state.pending().get(i)));
                    journal.done(i, done.status(), call, done.text());
                    state.done().put(i, done.status());
                    state.turns().put(i, new SpendJournal.Turn(call, done.text()));
                }
            }
        }
        log.line("run", "step limit: " + spec.maxSteps() + " steps, " + paid + " paid this run (" + spent + ")");
        return new Outcome(state.done().size(), paid, spent, "step limit");
    }

    /**
     * The chat for turn {@code i}: instructions, the task, and (with {@code withLast}) the last call with its
     * shortened result. Only the last exchange is shown: the network's small models have contexts of a few hundred
     * tokens.
     */
    private List<ChatModel.Message> messages(ToolMenu menu, SpendJournal.State state, int i, boolean withLast) {
        List<ChatModel.Message> m = new ArrayList<>();
        m.add(new ChatModel.Message("system", (spec.system().isBlank() ? "" : spec.system().strip() + " ")
                + menu.instructions(spec.callRequired()) + spec.fetch().map(p -> " " + HttpFetch.TOOL
                + " may fetch only from " + p.hosts() + ".").orElse("")));
        m.add(new ChatModel.Message("user", spec.task()));
        SpendJournal.Turn last = i == 0 || !withLast ? null : state.turns().get(i - 1);
        if (last != null) {
            String r = last.result().strip();
            m.add(new ChatModel.Message("user", "Your last call: " + last.call() + " Result: "
                    + (r.length() <= RESULT_CHARS_FOR_MODEL ? r : r.substring(0, RESULT_CHARS_FOR_MODEL) + "...")));
        }
        return m;
    }

    private boolean stopAsked(int i) {
        if (Files.exists(dir.resolve(STOP_FILE))) {
            log.line("run", "stopped on request before step " + (i + 1));
            return true;
        }
        return false;
    }

    /**
     * Calls {@code tool} at {@code endpoint} for step {@code index}, paying from the account if it asks, logs payment
     * and result, and rates a paid agent.
     *
     * @throws Refused when the account's policy refuses the payment
     */
    private Called call(int index, String tag, Endpoint endpoint, String tool, Map<String, Object> arguments,
                        Optional<SpendJournal.Intent> resumed) {
        log.line(tag, "call " + tool + " " + JSON.valueToTree(arguments) + " at " + endpoint.url()
                + endpoint.agent().map(a -> " (agent #" + a.agentId() + ")").orElse(""));
        resumed.ifPresent(r -> log.line(tag, "resuming payment " + r.nonce() + " from before a restart"));
        payer.next = (offer, json, url) -> {
            endpoint.agent().ifPresent(a -> {
                if (!a.payees().contains(offer.payTo())) {
                    throw HyphaException.input("tool " + tool + " asks to pay " + offer.payTo().toChecksumString()
                            + ", which is neither agent #" + a.agentId() + "'s wallet nor its owner");
                }
            });
            ExactPayment p = new AgentAccountPayer(w.accountAsSession(), w.sessionKey(), w.chain(), journal, index,
                    resumed, w.random()).pay(offer, json, url);
            log.line(tag, "booked " + offer.amount() + " to " + offer.payTo().toChecksumString() + " on the account"
                    + " (nonce " + p.authorization().nonce() + ")");
            return p;
        };
        PayingMcpClient.Call call;
        try {
            call = endpoint.client().call(tool, arguments);
        } catch (HyphaException e) {
            if (AgentAccountPayer.refusedByPolicy(e)) {
                // not journaled as done: once the owner raises the budget, a new run retries this step
                log.line(tag, "refused by the account's policy: " + AgentLog.quote(e.getMessage()));
                throw new Refused(e.getMessage());
            }
            throw e;
        } finally {
            payer.next = null;
        }
        String status;
        BigInteger cost = BigInteger.ZERO;
        if (call.payment().isPresent() && call.settlement().filter(s -> s.success()).isPresent()) {
            var s = call.settlement().get();
            cost = spend(tag, call.payment().get(), s.amount(), ", settled in " + s.transaction());
            status = call.failed() ? "tool-error" : "ok";
        } else if (call.payment().isPresent()) {
            String why = X402McpBinding.requiredOf(call.result()).map(PaymentRequired::error).orElse("");
            if (resumed.isPresent() && why.contains("nonce")) {
                log.line(tag, "the payment from before the restart was already settled; its answer was lost,"
                        + " and it is not paid again");
                status = "paid-answer-lost";
            } else {
                log.line(tag, "payment refused by the server: " + AgentLog.quote(why));
                status = "payment-refused";
            }
        } else {
            status = call.failed() ? "tool-error" : "ok";
        }
        log.line(tag, (call.failed() ? "error: " : "result: ") + AgentLog.quote(call.text()));
        if (status.equals("ok") && call.payment().isPresent()) {
            rate(tag, endpoint, call.payment().get());
        }
        return new Called(status, (call.failed() ? "error: " : "") + call.text(), cost);
    }

    private boolean isFetch(String tool) {
        return fetcher.isPresent() && tool.equals(HttpFetch.TOOL);
    }

    /**
     * The built-in fetch: its refusals and failures (host off the list, too big, too slow, a payment not made...) are
     * the tool's error, shown to the model like any tool's, not the end of the run. A page that answers 402 with an
     * x402 offer is paid from the account when the offer is on the account's chain, within its per-call maximum and
     * to a payee the spec's {@code budget.allow} lists; the account then checks its on-chain policy, and a spend it
     * refuses ends the run as it does for MCP tools. Every payment and refusal is logged with its reason.
     */
    private Called fetch(int index, String tag, Map<String, Object> arguments, Optional<SpendJournal.Intent> resumed) {
        Object url = arguments.get("url");
        log.line(tag, "call " + HttpFetch.TOOL + " " + AgentLog.quote(JSON.valueToTree(arguments).toString()));
        if (!(url instanceof String u) || arguments.size() != 1) {
            String why = HttpFetch.TOOL + " takes exactly one argument, url (a string)";
            log.line(tag, "fetch refused: " + why);
            return new Called("tool-error", "error: " + why, BigInteger.ZERO);
        }
        resumed.ifPresent(r -> log.line(tag, "resuming payment " + r.nonce() + " from before a restart"));
        HttpFetch.Payer pagePayer = (pageUrl, asked) -> {
            ExactRequirement offer = null;
            int chosen = -1;
            List<String> why = new ArrayList<>();
            for (int k = 0; k < asked.accepts().size() && chosen < 0; k++) {
                ExactRequirement a = asked.accepts().get(k);
                String no = FetchPayments.refusal(a, w.chain().chainId(), maxPerCall, spec.budget().allow());
                if (no.isEmpty()) {
                    chosen = k;
                    offer = a;
                } else {
                    why.add(no);
                }
            }
            if (offer == null) {
                String reason = "not paid: " + (why.isEmpty() ? "the 402 offers no exact EVM payment" : String.join("; ", why));
                log.line(tag, "payment refused: " + AgentLog.quote(pageUrl.toString()) + " asks " + AgentLog.quote(
                        FetchPayments.describe(asked)) + "; " + reason);
                throw HyphaException.input(pageUrl + " asks for payment; " + reason);
            }
            ExactPayment p = new AgentAccountPayer(w.accountAsSession(), w.sessionKey(), w.chain(), journal, index,
                    resumed, w.random()).pay(offer, asked.acceptsJson().get(chosen), pageUrl.toString());
            log.line(tag, "booked " + offer.amount() + " to " + offer.payTo().toChecksumString() + " on the account"
                    + " (nonce " + p.authorization().nonce() + ") for " + AgentLog.quote(pageUrl.toString()));
            return p;
        };
        try {
            HttpFetch.Fetched f = fetcher.orElseThrow().fetch(u, Optional.of(pagePayer));
            f.redirects().forEach(r -> log.line(tag, "redirected: " + AgentLog.quote(r)));
            log.line(tag, "fetched " + AgentLog.quote(f.url().toString()) + ": status " + f.status() + ", "
                    + f.bytes() + " bytes" + (f.contentType().isEmpty() ? "" : ", " + AgentLog.quote(f.contentType())));
            BigInteger cost = BigInteger.ZERO;
            String status = f.status() >= 200 && f.status() < 300 ? "ok" : "tool-error";
            if (f.payment().isPresent()) {
                var s = f.settlement().filter(x -> x.success());
                if (s.isPresent() && f.status() != 402) {
                    cost = spend(tag, f.payment().get(), f.payment().get().authorization().value().toString(), ", settled in " + s.get().transaction());
                } else if (resumed.isPresent() && f.text().contains("nonce")) {
                    log.line(tag, "the payment from before the restart was already settled; its answer was lost,"
                            + " and it is not paid again");
                    status = "paid-answer-lost";
                } else if (f.status() != 402) {
                    // The page took the payment and answered without a readable receipt: the authorization is the
                    // payee's to settle until it expires, so it counts as spent (the chain's budget has booked it).
                    cost = spend(tag, f.payment().get(), f.payment().get().authorization().value().toString(), " with no settlement receipt in the answer (status "
                            + f.status() + "): counted as spent; the payee may settle it until the authorization expires");
                } else {
                    log.line(tag, "payment refused by the server: " + AgentLog.quote(f.text()));
                    status = "payment-refused";
                }
            }
            log.line(tag, "result: " + AgentLog.quote(f.result()));
            return new Called(status, f.result(), cost);
        } catch (HyphaException e) {
            if (AgentAccountPayer.refusedByPolicy(e)) {
                // as for MCP tools: not journaled as done, the chain refused, the run ends
                log.line(tag, "refused by the account's policy: " + AgentLog.quote(e.getMessage()));
                throw new Refused(e.getMessage());
            }
            log.line(tag, "fetch refused: " + AgentLog.quote(e.getMessage()));
            return new Called("tool-error", "error: " + e.getMessage(), BigInteger.ZERO);
        } catch (IllegalArgumentException e) { // the URL is the model's: anything it writes is an answer
            log.line(tag, "fetch refused: " + AgentLog.quote(e.getMessage()));
            return new Called("tool-error", "error: " + e.getMessage(), BigInteger.ZERO);
        }
    }

    /**
     * Counts a payment the payee took as spent this run and logs it: "paid AMOUNT to PAYEE" and how it was settled.
     *
     * @param shown the amount as the log shows it (the MCP path shows the settlement's own amount text)
     * @return the payment's value, what the step cost
     */
    private BigInteger spend(String tag, ExactPayment payment, String shown, String how) {
        BigInteger cost = payment.authorization().value();
        paid++;
        spent = spent.add(cost);
        log.line(tag, "paid " + shown + " to " + payment.authorization().to().toChecksumString() + how);
        return cost;
    }

    private void rate(String tag, Endpoint endpoint, ExactPayment payment) {
        if (spec.rate().isEmpty() || endpoint.agent().isEmpty() || w.rater().isEmpty()) {
            return;
        }
        AgentSpec.Rating r = spec.rate().get();
        BigInteger agentId = endpoint.agent().get().agentId();
        try {
            AccountRater.Rated rated = w.rater().get().rate(agentId, payment.authorization().nonce(), r.value(), r.tag(),
                    endpoint.url());
            log.line(tag, "rated agent #" + agentId + " " + r.value() + "/100 with this payment as proof (feedback "
                    + rated.feedbackIndex() + ", " + rated.transaction() + ")");
        } catch (HyphaException e) {
            log.line(tag, "could not rate agent #" + agentId + ": " + AgentLog.quote(e.getMessage()));
        }
    }

    private Map<String, Endpoint> discover(List<PayingMcpClient> clients) {
        Map<String, Endpoint> tools = new LinkedHashMap<>();
        for (AgentSpec.ToolSource source : spec.tools()) {
            Optional<ServiceDirectory.Agent> agent = source.agentId().map(id -> w.directory()
                    .orElseThrow(() -> HyphaException.input("tools by agent id need the identity registry"))
                    .find(id));
            String url = agent.map(ServiceDirectory.Agent::mcpEndpoint).orElseGet(() -> source.mcpUrl().orElseThrow());
            agent.ifPresent(a -> log.line("tools", "agent #" + a.agentId() + " (" + AgentLog.quote(a.name())
                    + ") serves MCP at " + url + " (found in the identity registry)"));
            PayingMcpClient client = new PayingMcpClient(url, payer, w.chain().chainId(), maxPerCall);
            clients.add(client);
            List<McpSchema.Tool> offered = client.tools();
            List<String> names = offered.stream().map(McpSchema.Tool::name).toList();
            offered.stream().filter(t -> source.offers(t.name()))
                    .forEach(t -> tools.putIfAbsent(t.name(), new Endpoint(url, agent, client, t)));
            log.line("tools", url + " offers " + names + (source.only().isEmpty() ? "" : "; using " + source.only()));
        }
        return tools;
    }

    /** The payer a client holds; the runtime sets the step's own before each call. */
    private static final class StepPayer implements X402Payer {
        volatile X402Payer next;

        @Override
        public ExactPayment pay(ExactRequirement offer, com.fasterxml.jackson.databind.node.ObjectNode offerJson,
                                String resourceUrl) {
            X402Payer p = next;
            if (p == null) {
                throw HyphaException.input("a tool asked for payment outside a step");
            }
            return p.pay(offer, offerJson, resourceUrl);
        }
    }

}
