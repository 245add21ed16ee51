package dev.hypha.cli;

import dev.hypha.chain.agents.SpendingLimit;
import dev.hypha.chain.deploy.AgentAccountsClient;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.chain.tx.TxRequest;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.agents.AccountRater;
import dev.hypha.node.agents.AgentFolder;
import dev.hypha.node.agents.AgentRuntime;
import dev.hypha.node.agents.AgentSpec;
import dev.hypha.node.agents.ChatModel;
import dev.hypha.node.agents.ServiceDirectory;
import java.io.IOException;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypha agent create|run|logs|stop|fund}: the agent runtime's commands (see dev.hypha.node.agents). */
final class AgentRuntimeCommands {
    private AgentRuntimeCommands() {}

    /** Gas the owner gives a new session key, in wei (0.05 ETH: hundreds of bookings on an L2 or anvil). */
    static final BigInteger SESSION_GAS = BigInteger.TEN.pow(16).multiply(BigInteger.valueOf(5));
    /** How long a session key lives. */
    static final long SESSION_SECONDS = 30L * 86_400;

    private static String hUsd(BigInteger units) {
        return TokenAmount.format(units, Deployer.PAYMENT_DECIMALS) + " " + Deployer.PAYMENT_SYMBOL;
    }

    /** The owner's key: anvil dev account {@code devAccount} on the local chain, else the session's keystore account. */
    private static Credentials owner(Session session, Integer devAccount) {
        return devAccount == null ? session.credentials()
                : ProviderStartCommand.devKey(devAccount, session.deployment().chainId());
    }

    private static AgentFolder folder(Session session, String name) {
        AgentFolder f = new AgentFolder(session.home(), name);
        if (!f.exists()) {
            throw HyphaException.input("no agent named '" + name + "' in " + f.dir().getParent()
                    + ": create it with `hypha agent create SPEC`");
        }
        return f;
    }

    @Command(name = "create", description = "Create an agent from a JSON spec: its AgentAccount (you own it) with the"
            + " spec's budget as on-chain policy, and a session key for its runtime.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "SPEC", description = "The agent's spec file (JSON; see README).")
        Path file;

        @picocli.CommandLine.Option(names = "--dev-account", paramLabel = "N", description = "Own it as anvil dev"
                + " account N (local chain only) instead of your keystore account.")
        Integer devAccount;

        @Override
        public Integer call() throws IOException {
            byte[] bytes = Files.readAllBytes(file);
            AgentSpec agent = AgentSpec.parse(file.toString(), bytes);
            try (Session session = Session.of(spec)) {
                Credentials owner = owner(session, devAccount);
                create(session.out(), session.home(), session.chain(), session.sender(owner), session.deployment(),
                        bytes, agent);
            }
            return ExitCodes.OK;
        }

        /**
         * Creates {@code agent} owned by {@code ownerSender}'s account: its AgentAccount with the spec's budget as
         * policy, allowed to pay the agents its tools name (looked up in the identity registry) and budget.allow, and
         * a session key with gas for the runtime; prints what it made. Also what {@code hypha localnet --agents} runs.
         */
        static AgentFolder create(java.io.PrintWriter out, Path home, dev.hypha.chain.rpc.ChainClient chain,
                                  dev.hypha.chain.tx.TransactionSender ownerSender,
                                  dev.hypha.chain.deploy.Deployment deployment, byte[] bytes, AgentSpec agent) {
            BigInteger limit = TokenAmount.parse(agent.budget().limit(), Deployer.PAYMENT_DECIMALS, "budget.limit").baseUnits();
            BigInteger perCall = agent.budget().perCall() == null ? limit
                    : TokenAmount.parse(agent.budget().perCall(), Deployer.PAYMENT_DECIMALS, "budget.perCall").baseUnits();
            long period = AgentCommand.seconds(agent.budget().period(), "budget.period");
            Address guardian = Address.parse(agent.budget().guardian());
            AgentFolder folder = new AgentFolder(home, agent.name());
            if (folder.exists()) {
                throw HyphaException.input("agent '" + agent.name() + "' exists already in " + folder.dir());
            }
            HyphaContracts contracts = HyphaContracts.connect(deployment, ownerSender);
            String usd = contracts.deployment().address(PaymentTokenClient.NAME);
            Set<Address> payees = new LinkedHashSet<>();
            agent.budget().allow().forEach(a -> payees.add(Address.parse(a)));
            ServiceDirectory directory = new ServiceDirectory(contracts.identity(), HttpClient.newHttpClient());
            for (AgentSpec.ToolSource t : agent.tools()) {
                t.agentId().ifPresent(id -> payees.addAll(directory.find(id).payees()));
            }
            if (payees.isEmpty()) {
                throw HyphaException.input("agent '" + agent.name() + "' could pay nobody: name sellers by agent id in"
                        + " tools, or addresses in budget.allow");
            }
            String account = contracts.agentAccounts().create(guardian.lowercaseHex(), 86_400,
                    Hashes.keccak256(("agent:" + agent.name()).getBytes(StandardCharsets.UTF_8)));
            AgentAccountsClient.Account a = contracts.agentAccounts().at(account);
            a.setLimit(usd, new SpendingLimit(limit, perCall, period));
            Credentials key = Credentials.create(keyPair());
            long now = chain.latestBlock().getTimestamp().longValueExact();
            Address first = payees.iterator().next();
            a.grantSession(key.getAddress(), 0, now + SESSION_SECONDS, SESSION_GAS, usd, limit, first.lowercaseHex());
            for (Address p : payees) {
                a.setCounterparty(p.lowercaseHex(), true);
                if (!p.equals(first)) {
                    a.allowSessionCounterparty(key.getAddress(), p.lowercaseHex());
                }
            }
            if (agent.serve().flatMap(AgentSpec.Service::channel).isPresent()) {
                // the session key may then fund channels on this deployment's PaymentChannels, to payees listed above
                a.setTrustedChannels(contracts.deployment().address(dev.hypha.chain.deploy.PaymentChannelsClient.NAME));
            }
            ownerSender.send(TxRequest.transfer(key.getAddress(), SESSION_GAS));
            folder.create(bytes, key, new AgentFolder.Record(account, key.getAddress(), chain.chainId(), perCall));
            out.println("Created agent " + agent.name() + " in " + folder.dir());
            out.println("  account " + Address.parse(account).toChecksumString() + ": at most " + hUsd(limit)
                    + " per " + period + " s, " + hUsd(perCall) + " per payment, to " + payees.size() + " payee(s)");
            out.println("  session key " + Address.parse(key.getAddress()).toChecksumString()
                    + "; fund the account with `hypha agent fund " + agent.name() + " AMOUNT`");
            out.flush();
            return folder;
        }

        private static org.web3j.crypto.ECKeyPair keyPair() {
            try {
                return Keys.createEcKeyPair();
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException("no secure random for a session key", e);
            }
        }
    }

    @Command(name = "fund", description = "Move hUSD from your account into an agent's account.")
    static final class Fund implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "AMOUNT", description = "hUSD, e.g. 0.5")
        String amount;

        @picocli.CommandLine.Option(names = "--dev-account", paramLabel = "N", description = "Pay from anvil dev"
                + " account N (local chain only) instead of your keystore account.")
        Integer devAccount;

        @Override
        public Integer call() {
            BigInteger units = TokenAmount.parse(amount, Deployer.PAYMENT_DECIMALS, "AMOUNT").baseUnits();
            try (Session session = Session.of(spec)) {
                AgentFolder folder = folder(session, name);
                String account = folder.record().account();
                HyphaContracts contracts = HyphaContracts.connect(session.deployment(),
                        session.sender(owner(session, devAccount)));
                contracts.payment().transfer(account, units);
                session.out().println("Funded agent " + name + " (" + Address.parse(account).toChecksumString() + ") with "
                        + hUsd(units) + "; balance " + hUsd(contracts.payment().balanceOf(account)));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "run", description = "Run an agent in the foreground: its model (through the node's gateway) chooses"
            + " each tool call, paid from its account within the on-chain policy, until its final answer or maxSteps"
            + " (log: `hypha agent logs NAME`; stop: `hypha agent stop NAME`). Resumes where a killed run left off.")
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @picocli.CommandLine.Option(names = "--gateway", paramLabel = "URL", description = "The node whose OpenAI API"
                + " the agent's model is asked through (default: http://<api.listen>, the node `hypha up` runs).")
        String gateway;

        @picocli.CommandLine.Option(names = "--dev-account", paramLabel = "N", description = "The agent's owner is anvil"
                + " dev account N (local chain only; it sends the ratings) instead of your keystore account.")
        Integer devAccount;

        @Override
        public Integer call() throws IOException {
            try (Session session = Session.of(spec)) {
                AgentFolder folder = folder(session, name);
                AgentSpec agent = folder.spec();
                AgentFolder.Record record = folder.record();
                Credentials key = folder.sessionKey();
                Files.deleteIfExists(folder.dir().resolve(AgentRuntime.STOP_FILE));
                HyphaContracts asSession = HyphaContracts.connect(session.deployment(), session.sender(key));
                Optional<AccountRater> rater = agent.rate().isPresent()
                        ? Optional.of(new AccountRater(HyphaContracts.connect(session.deployment(),
                        session.sender(owner(session, devAccount))), record.account())) : Optional.empty();
                AgentRuntime runtime = new AgentRuntime(agent, folder.dir(), new AgentRuntime.Wiring(
                        asSession.agentAccounts().at(record.account()), key, session.chain(),
                        Optional.of(new ServiceDirectory(asSession.identity(), HttpClient.newHttpClient())), rater,
                        new SecureRandom(), Optional.of(new ChatModel(gatewayUrl(session), Optional.empty(),
                        HttpClient.newHttpClient()))), record.maxPerCall(), Clock.systemUTC());
                AgentRuntime.Outcome out = runtime.run();
                session.out().println("Agent " + name + ": " + out.reason() + "; " + out.stepsDone() + "/"
                        + (agent.modelDriven() ? agent.maxSteps() : agent.steps().size()) + " steps done, " + out.paid()
                        + " paid this run (" + hUsd(out.spent()) + "); log " + runtime.log().file());
                out.answer().ifPresent(a -> session.out().println("  answer: "
                        + dev.hypha.core.text.TerminalText.line(a)));
                if (out.reason().startsWith("error")) {
                    return ExitCodes.NETWORK;
                }
                return out.reason().startsWith("refused") ? ExitCodes.CHAIN : ExitCodes.OK;
            }
        }

        private String gatewayUrl(Session session) {
            if (gateway != null) {
                if (!gateway.startsWith("http://") && !gateway.startsWith("https://")) {
                    throw HyphaException.input("--gateway '" + gateway + "' must be an http(s) URL");
                }
                return gateway;
            }
            dev.hypha.core.config.Settings.HostPort listen = session.config().get(dev.hypha.core.config.Settings.API_LISTEN);
            String host = listen.host().equals("0.0.0.0") ? "127.0.0.1" : listen.host();
            return "http://" + host + ":" + listen.port();
        }
    }

    @Command(name = "logs", description = "Print an agent's log: each step, payment and result.")
    static final class Logs implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws IOException {
            try (Session session = Session.of(spec)) {
                Path log = folder(session, name).dir().resolve("agent.log");
                session.out().print(Files.exists(log) ? Files.readString(log) : "");
                session.out().flush();
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "stop", description = "Ask a running agent to stop before its next step.")
    static final class Stop implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws IOException {
            try (Session session = Session.of(spec)) {
                Path stop = folder(session, name).dir().resolve(AgentRuntime.STOP_FILE);
                Files.writeString(stop, "");
                session.out().println("Asked agent " + name + " to stop before its next step (" + stop + ")");
            }
            return ExitCodes.OK;
        }
    }
}
