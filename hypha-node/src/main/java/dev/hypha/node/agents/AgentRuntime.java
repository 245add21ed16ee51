package dev.hypha.node.agents;

import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Runs an agent: finds its tools (MCP servers, or agents through the identity registry), then works through its steps
 * in order, paying each tool that asks from its AgentAccount within the on-chain policy, and logs every step. Between
 * steps it stops when asked ({@link #STOP_FILE} in its folder, as {@code hypha agent stop} writes). It stops for good
 * when the account refuses a spend (policy: budget used up, per-call maximum, counterparty, frozen): the chain is the
 * judge, so a runtime that tried harder would be refused again. Restarted, it skips the steps its journal says are done
 * and resumes an unfinished payment with the same authorization, so nothing is paid twice.
 */
public final class AgentRuntime {
    /** The file whose presence asks a running agent to stop before its next step. */
    public static final String STOP_FILE = "stop";

    /**
     * How a run ended.
     *
     * @param stepsDone steps finished (this run and earlier ones)
     * @param paid      payments settled in this run
     * @param spent     what they cost, in the token's smallest units
     * @param reason    why it ended: "finished", "stopped", "refused by policy: ..." or "error: ..."
     */
    public record Outcome(int stepsDone, int paid, BigInteger spent, String reason) {}

    /** Everything the runtime acts with. */
    public record Wiring(dev.hypha.chain.deploy.AgentAccountsClient.Account accountAsSession,
                         org.web3j.crypto.Credentials sessionKey, dev.hypha.chain.rpc.ChainClient chain,
                         Optional<ServiceDirectory> directory, Optional<AccountRater> rater,
                         java.security.SecureRandom random) {}

    private record Endpoint(String url, Optional<ServiceDirectory.Agent> agent, PayingMcpClient client) {}

    private final AgentSpec spec;
    private final Path dir;
    private final Wiring w;
    private final BigInteger maxPerCall;
    private final SpendJournal journal;
    private final AgentLog log;

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

    /** Runs until the steps are done, a stop is asked, or the account refuses a spend. */
    public Outcome run() {
        SpendJournal.State state = journal.read();
        log.line("run", "agent " + spec.name() + (spec.task().isEmpty() ? "" : ", task: " + AgentLog.quote(spec.task()))
                + "; account " + Address.parse(w.accountAsSession().address()).toChecksumString() + "; "
                + state.done().size() + "/" + spec.steps().size() + " steps done before");
        Map<String, Endpoint> tools;
        List<PayingMcpClient> clients = new ArrayList<>();
        StepPayer payer = new StepPayer();
        int paid = 0;
        BigInteger spent = BigInteger.ZERO;
        try {
            tools = discover(payer, clients);
            for (int i = 0; i < spec.steps().size(); i++) {
                if (state.isDone(i)) {
                    continue;
                }
                if (Files.exists(dir.resolve(STOP_FILE))) {
                    log.line("run", "stopped on request before step " + (i + 1));
                    return new Outcome(state.done().size(), paid, spent, "stopped");
                }
                AgentSpec.Step step = spec.steps().get(i);
                Endpoint endpoint = tools.get(step.tool());
                String tag = "step " + (i + 1);
                if (endpoint == null) {
                    log.line(tag, "no tool named " + AgentLog.quote(step.tool()) + " among " + tools.keySet());
                    journal.done(i, "unknown-tool");
                    state.done().put(i, "unknown-tool");
                    continue;
                }
                log.line(tag, "call " + step.tool() + " " + new ObjectMapper().valueToTree(step.arguments()) + " at "
                        + endpoint.url() + endpoint.agent().map(a -> " (agent #" + a.agentId() + ")").orElse(""));
                Optional<SpendJournal.Intent> resumed = Optional.ofNullable(state.pending().get(i));
                resumed.ifPresent(r -> log.line(tag, "resuming payment " + r.nonce() + " from before a restart"));
                int index = i;
                payer.next = (offer, json, url) -> {
                    endpoint.agent().ifPresent(a -> {
                        if (!a.payees().contains(offer.payTo())) {
                            throw HyphaException.input("tool " + step.tool() + " asks to pay " + offer.payTo().toChecksumString()
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
                    call = endpoint.client().call(step.tool(), step.arguments());
                } catch (HyphaException e) {
                    if (AgentAccountPayer.refusedByPolicy(e)) {
                        // not journaled as done: once the owner raises the budget, a new run retries this step
                        log.line(tag, "refused by the account's policy: " + AgentLog.quote(e.getMessage()));
                        return new Outcome(state.done().size(), paid, spent, "refused by policy: " + e.getMessage());
                    }
                    throw e;
                }
                String status;
                if (call.payment().isPresent() && call.settlement().filter(s -> s.success()).isPresent()) {
                    var s = call.settlement().get();
                    paid++;
                    spent = spent.add(call.payment().get().authorization().value());
                    log.line(tag, "paid " + s.amount() + " to " + call.payment().get().authorization().to().toChecksumString()
                            + ", settled in " + s.transaction());
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
                journal.done(i, status);
                state.done().put(i, status);
                if (status.equals("ok") && call.payment().isPresent()) {
                    rate(tag, endpoint, call.payment().get());
                }
            }
            log.line("run", "finished: " + state.done().size() + " steps, " + paid + " paid this run (" + spent + ")");
            return new Outcome(state.done().size(), paid, spent, "finished");
        } catch (HyphaException e) {
            log.line("run", "error: " + AgentLog.quote(e.getMessage()));
            return new Outcome(state.done().size(), paid, spent, "error: " + e.getMessage());
        } finally {
            clients.forEach(PayingMcpClient::close);
        }
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

    private Map<String, Endpoint> discover(X402Payer payer, List<PayingMcpClient> clients) {
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
            List<String> names = client.tools().stream().map(t -> t.name()).toList();
            names.forEach(n -> tools.putIfAbsent(n, new Endpoint(url, agent, client)));
            log.line("tools", url + " offers " + names);
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
