package dev.hypha.node.data;

import dev.hypha.chain.assets.Licence;
import dev.hypha.chain.assets.Terms;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import org.web3j.crypto.Credentials;

/**
 * A child JVM for {@link DataAddKillTest}: runs one {@code DataOwner.add} and, at the named step, says so on stdout and
 * waits to be killed with SIGKILL (so the kill lands exactly there, with no timing involved).
 *
 * <p>Arguments: RPC URL, home (holding the deployment), account private key (hex), file, step.
 */
public final class DataAddChild {
    private DataAddChild() {}

    public static void main(String[] args) throws Exception {
        ChainClient chain = ChainClient.connect(args[0]);
        Path home = Path.of(args[1]);
        Credentials key = Credentials.create(args[2]);
        Deployment deployment = new Deployments(home.resolve("deployments")).load(chain.chainId()).orElseThrow();
        HyphaContracts contracts = HyphaContracts.connect(deployment, new TransactionSender(chain, key,
                new NonceManager(chain), RevertDecoder.forHyphaContracts()));
        DataOwner.Step killAt = DataOwner.Step.valueOf(args[4]);
        DataOwner owner = new DataOwner(home, contracts, key, step -> {
            if (step == killAt) {
                System.out.println("AT " + step);
                System.out.flush();
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        owner.add(Path.of(args[3]), Licence.unpriced("CC0-1.0", Terms.FREE), List.of(), DataOwner.Progress.NONE);
        System.out.println("FINISHED " + BigInteger.ONE);
    }
}
