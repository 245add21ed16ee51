package dev.hypha.node.x402;

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
import dev.hypha.node.http.ApiServer;
import io.javalin.http.HandlerType;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.web3j.crypto.Credentials;

/**
 * The x402 tests' world: anvil with `hypha deploy`'s contracts, hUSD minted to the payer (dev account 1), and a Hypha
 * node on loopback serving the facilitator API (relayer: dev account 3) and {@value #PAID_PATH}, which costs
 * {@value #PRICE} hUSD units paid to dev account 2.
 */
final class X402Chain implements AutoCloseable {
    static final String PAID_PATH = "/paid/hello";
    static final long PRICE = 1_000;

    final Devnet devnet;
    final ChainClient client;
    final Deployment deployment;
    final NonceManager nonces;
    final ExactFacilitator facilitator;
    final ApiServer server;
    final Credentials payer;
    final Credentials payee;

    X402Chain() {
        devnet = new AnvilLauncher().start();
        client = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(client);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        payer = devnet.account(1);
        payee = devnet.account(2);
        mint(payer, 1_000_000);
        facilitator = ExactFacilitator.forDeployment(sender(devnet.account(3)), deployment);
        Paywall paywall = new Paywall(facilitator);
        server = new ApiServer("127.0.0.1", 0, List.of(new FacilitatorRoutes(facilitator),
                paywall.routes(List.of(new Paywall.PaidRoute(HandlerType.GET, PAID_PATH, price(payee.getAddress()),
                        "a greeting, paid per request", ctx -> ctx.json(Map.of("hello", "world")))))));
        server.start();
    }

    TransactionSender sender(Credentials who) {
        return new TransactionSender(client, who, nonces, RevertDecoder.forHyphaContracts());
    }

    HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    Address token() {
        return Address.parse(deployment.address(PaymentTokenClient.NAME));
    }

    /** {@value #PRICE} hUSD units to {@code payTo} on this chain. */
    ExactRequirement price(String payTo) {
        return new ExactRequirement(client.chainId(), BigInteger.valueOf(PRICE), token(), Address.parse(payTo), 120,
                Deployer.PAYMENT_NAME, "1");
    }

    void mint(Credentials who, long units) {
        as(devnet.account(0)).payment().mint(who.getAddress(), BigInteger.valueOf(units));
    }

    BigInteger usd(String who) {
        return as(devnet.account(0)).payment().balanceOf(who);
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    long chainTime() {
        return client.latestBlock().getTimestamp().longValueExact();
    }

    @Override
    public void close() {
        server.close();
        client.close();
        devnet.close();
    }
}
