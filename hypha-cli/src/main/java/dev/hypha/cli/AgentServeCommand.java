package dev.hypha.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.IdentityRegistryClient;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.core.config.Settings;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.agents.AgentFolder;
import dev.hypha.node.agents.AgentService;
import dev.hypha.node.agents.AgentSpec;
import dev.hypha.node.agents.ServiceDirectory;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.mcp.McpToolServer;
import dev.hypha.node.x402.ExactFacilitator;
import dev.hypha.node.x402.ExactRequirement;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha agent serve NAME}: runs an agent whose spec has a {@code serve} section as a standalone seller
 * ({@link AgentService}): its tool over MCP and plain x402 on its own HTTP server, paid into its AgentAccount, settled
 * by the owner's account as x402 facilitator (the owner pays that gas); registered in the ERC-8004 identity registry by
 * the account itself (so the account is the agent's owner and wallet, the payee ReputationRegistry counts), with a
 * registration file naming both endpoints and the price. A restart on another address points the same agent id at
 * the new file.
 */
@Command(name = "serve", description = "Sell an agent's service (its spec's \"serve\": tool, description, price):"
        + " MCP and x402 on its own HTTP server, paid into its account, registered in the ERC-8004 identity registry"
        + " with its endpoints and price; its work is bought from the network's inference with its own budget."
        + " Runs until Ctrl-C.")
final class AgentServeCommand implements Callable<Integer> {
    /** The file in the agent's folder that remembers its agent id. */
    static final String SERVICE_FILE = "service.json";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:0",
            description = "Where to serve (default ${DEFAULT-VALUE}: a free port on this machine).")
    String listen;

    @Option(names = "--public-url", paramLabel = "URL", description = "The base URL buyers reach it at, as written in"
            + " its registration file (default: http://HOST:PORT it listens on).")
    String publicUrl;

    @Option(names = "--dev-account", paramLabel = "N", description = "The agent's owner is anvil dev account N (local"
            + " chain only; it registers the agent and relays the settlements) instead of your keystore account.")
    Integer devAccount;

    @Override
    public Integer call() throws Exception {
        // port 0 (any free port) is this command's default, which HostPort (ports 1..65535) does not take
        int colon = listen.lastIndexOf(':');
        boolean anyPort = colon > 0 && listen.substring(colon + 1).equals("0");
        Settings.HostPort where;
        try {
            where = Settings.HostPort.parse(anyPort ? listen.substring(0, colon) + ":1" : listen);
        } catch (RuntimeException e) {
            throw HyphaException.input("--listen " + listen + " is not HOST:PORT (" + e.getMessage() + ")");
        }
        int port = anyPort ? 0 : where.port();
        if (publicUrl == null && (where.host().equals("0.0.0.0") || where.host().equals("::"))) {
            // The registration must name an address buyers can reach; 127.0.0.1 on the chain would send them nowhere.
            throw HyphaException.input("--listen " + listen + " serves every interface, so the address to register is not"
                    + " known: add --public-url http(s)://HOST[:PORT] (the address buyers reach this agent at)");
        }
        if (publicUrl != null && !publicUrl.matches("https?://[^/?#\\s]+")) {
            throw HyphaException.input("--public-url '" + publicUrl + "' must be http(s)://HOST[:PORT] with no path");
        }
        try (Session session = Session.of(spec)) {
            AgentFolder folder = new AgentFolder(session.home(), name);
            if (!folder.exists()) {
                throw HyphaException.input("no agent named '" + name + "' in " + folder.dir().getParent()
                        + ": create it with `hypha agent create SPEC`");
            }
            AgentSpec agent = folder.spec();
            AgentSpec.Service sells = agent.serve().orElseThrow(() -> HyphaException.input("agent " + name + " sells"
                    + " nothing: add a \"serve\" section (tool, description, price) to its spec"));
            AgentFolder.Record record = folder.record();
            Credentials key = folder.sessionKey();
            Credentials owner = devAccount == null ? session.credentials()
                    : ProviderStartCommand.devKey(devAccount, session.deployment().chainId());
            HyphaContracts asOwner = HyphaContracts.connect(session.deployment(), session.sender(owner));
            HyphaContracts asSession = HyphaContracts.connect(session.deployment(), session.sender(key));
            if (!Address.parse(asOwner.agentAccounts().at(record.account()).owner()).equals(Address.parse(owner.getAddress()))) {
                throw HyphaException.input(Address.parse(owner.getAddress()).toChecksumString() + " does not own agent "
                        + name + "'s account " + Address.parse(record.account()).toChecksumString()
                        + (devAccount == null ? "" : " (try the --dev-account that created it)"));
            }
            BigInteger units = TokenAmount.parse(sells.price(), Deployer.PAYMENT_DECIMALS, "serve.price").baseUnits();
            ExactRequirement price = new ExactRequirement(session.chain().chainId(), units,
                    Address.parse(session.deployment().address(PaymentTokenClient.NAME)), Address.parse(record.account()),
                    300, Deployer.PAYMENT_NAME, "1");
            ExactFacilitator facilitator = ExactFacilitator.forDeployment(session.sender(owner), session.deployment());
            PrintWriter out = session.out();
            CliEnvironment.StopSignal stop = session.environment().runUntil();
            try (AgentService service = new AgentService(agent, folder.dir(), asSession.agentAccounts().at(record.account()),
                    key, session.chain(), Optional.of(new ServiceDirectory(asSession.identity(), HttpClient.newHttpClient())),
                    Optional.of(asSession.channels()),
                    Optional.of(new dev.hypha.node.offers.ChainOffers(asSession.offers(), asSession.registry())),
                    record.maxPerCall(), price, new SecureRandom(), Clock.systemUTC())) {
                service.connect();
                McpToolServer mcp = new McpToolServer(Optional.of(facilitator), "hypha-agent-" + name, "0.1.0",
                        List.of(service.tool()));
                try (ApiServer server = new ApiServer(where.host(), port, List.of(mcp.routes(),
                        service.httpRoutes(facilitator)))) {
                    server.start();
                    String base = publicUrl != null ? publicUrl : "http://" + where.host() + ":" + server.port();
                    BigInteger agentId = register(folder, asOwner, record.account(), service.registrationUri(base));
                    out.println("Agent " + name + " sells " + sells.tool() + " as ERC-8004 agent #" + agentId + ": MCP at "
                            + base + McpToolServer.PATH + ", x402 at " + base + AgentService.HTTP_PREFIX + sells.tool()
                            + "; " + TokenAmount.format(units, Deployer.PAYMENT_DECIMALS) + " " + Deployer.PAYMENT_SYMBOL
                            + " a call into its account " + Address.parse(record.account()).toChecksumString());
                    if (!service.inferenceSummary().isEmpty()) {
                        out.println("  " + service.inferenceSummary());
                    }
                    out.println("  log: " + service.log().file());
                    out.println("Running. Press Ctrl-C to stop.");
                    out.flush();
                    stop.await();
                    out.println("Stopping agent " + name + "...");
                    out.flush();
                } finally {
                    mcp.close();
                }
            } finally {
                stop.finished();
            }
        }
        return ExitCodes.OK;
    }

    /**
     * The agent's id: registered by its account (through the owner's {@code execute}) the first time, its URI updated
     * when its endpoints changed; remembered in {@value #SERVICE_FILE} (written to a temporary name and renamed).
     */
    static BigInteger register(AgentFolder folder, HyphaContracts asOwner, String account, String uri) throws IOException {
        IdentityRegistryClient identity = asOwner.identity();
        var asAccount = asOwner.agentAccounts().at(account);
        Path file = folder.dir().resolve(SERVICE_FILE);
        ObjectMapper json = new ObjectMapper();
        if (Files.exists(file)) {
            BigInteger id = new BigInteger(json.readTree(file.toFile()).path("agentId").asText("-1"));
            if (id.signum() >= 0 && identity.ownerOf(id).toLowerCase(Locale.ROOT).equals(account.toLowerCase(Locale.ROOT))) {
                if (!identity.agentUri(id).equals(uri)) {
                    asAccount.execute(identity.address(), identity.setAgentUriCall(id, uri));
                }
                return id;
            }
        }
        BigInteger id = IdentityRegistryClient.registeredAgentId(asAccount.execute(identity.address(),
                identity.registerCall(uri)));
        Path tmp = file.resolveSibling(SERVICE_FILE + ".tmp");
        Files.writeString(tmp, json.createObjectNode().put("agentId", id.toString()).toString());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return id;
    }
}
