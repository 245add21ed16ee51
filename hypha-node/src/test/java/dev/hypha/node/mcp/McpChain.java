package dev.hypha.node.mcp;

import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.x402.ExactFacilitator;
import dev.hypha.node.x402.ExactRequirement;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.web3j.crypto.Credentials;

/**
 * The MCP tests' world: anvil with `hypha deploy`'s contracts, hUSD minted to the payer (dev account 1), and a Hypha
 * node on loopback serving MCP at /mcp with a free tool ({@code word_count}) and a paid one ({@code shout}, which
 * costs {@value #PRICE} hUSD units paid to dev account 2, settled by dev account 3 as facilitator). {@link #shouts}
 * counts the paid tool's runs, so a test sees work done without payment.
 */
public final class McpChain implements AutoCloseable {
    public static final long PRICE = 1_500;
    public static final String WORDS_SCHEMA = """
            {"type":"object","properties":{"text":{"type":"string","maxLength":10000}},"required":["text"],
             "additionalProperties":false}""";

    public final Devnet devnet;
    public final ChainClient client;
    public final Deployment deployment;
    public final NonceManager nonces;
    public final ExactFacilitator facilitator;
    public final McpToolServer mcp;
    public final ApiServer server;
    public final Credentials payer;
    public final Credentials payee;
    public final AtomicInteger shouts = new AtomicInteger();

    public McpChain() {
        devnet = new AnvilLauncher().start();
        client = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(client);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        payer = devnet.account(1);
        payee = devnet.account(2);
        as(devnet.account(0)).payment().mint(payer.getAddress(), BigInteger.valueOf(1_000_000));
        facilitator = ExactFacilitator.forDeployment(sender(devnet.account(3)), deployment);
        McpTool words = new McpTool("word_count", "Counts the words of a text (free).", WORDS_SCHEMA, Optional.empty(),
                args -> Integer.toString(((String) args.get("text")).strip().split("\\s+").length));
        McpTool shout = new McpTool("shout", "Upper-cases a text; costs " + PRICE + " hUSD units a call.", WORDS_SCHEMA,
                Optional.of(price(payee.getAddress())), args -> {
                    String text = (String) args.get("text");
                    if (text.isBlank()) {
                        throw HyphaException.input("text must not be blank");
                    }
                    shouts.incrementAndGet();
                    return text.toUpperCase(Locale.ROOT);
                });
        mcp = new McpToolServer(Optional.of(facilitator), "hypha-test", "0.1.0", List.of(words, shout));
        server = new ApiServer("127.0.0.1", 0, List.of(mcp.routes()));
        server.start();
    }

    public TransactionSender sender(Credentials who) {
        return new TransactionSender(client, who, nonces, RevertDecoder.forHyphaContracts());
    }

    public HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    public Address token() {
        return Address.parse(deployment.address(PaymentTokenClient.NAME));
    }

    public ExactRequirement price(String payTo) {
        return new ExactRequirement(client.chainId(), BigInteger.valueOf(PRICE), token(), Address.parse(payTo), 120,
                Deployer.PAYMENT_NAME, "1");
    }

    public BigInteger usd(String who) {
        return as(devnet.account(0)).payment().balanceOf(who);
    }

    public String mcpUrl() {
        return "http://127.0.0.1:" + server.port() + McpToolServer.PATH;
    }

    @Override
    public void close() {
        server.close();
        mcp.close();
        client.close();
        devnet.close();
    }
}
