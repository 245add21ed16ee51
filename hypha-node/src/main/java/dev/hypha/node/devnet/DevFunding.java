package dev.hypha.node.devnet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.web3j.crypto.Credentials;

/**
 * Gives anvil's development accounts HYP and hUSD, once per deployment: a small record next to the chain state names
 * the HyphaToken it funded from, so a restart does not hand out tokens again, while a fresh deployment (wiped chain)
 * does.
 */
final class DevFunding {

    /** HYP each dev account receives (account 0, the deployer, holds the initial supply already). */
    static final BigInteger HYP_PER_ACCOUNT = BigInteger.TEN.pow(18).multiply(BigInteger.valueOf(100_000));
    /** hUSD (6 decimals) minted to every dev account. */
    static final BigInteger HUSD_PER_ACCOUNT = BigInteger.TEN.pow(6).multiply(BigInteger.valueOf(10_000));

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What was funded: the token contract and how many accounts. */
    record Record(String hyphaToken, int accounts) {
    }

    private final Path recordFile;
    private final int accounts;

    DevFunding(Path recordFile, int accounts) {
        this.recordFile = recordFile;
        this.accounts = accounts;
    }

    /** Funds the first {@code accounts} dev accounts unless this deployment's tokens were already handed out. */
    void ensureFunded(HyphaContracts contracts, List<Credentials> devAccounts, Consumer<String> progress) {
        String token = contracts.hyp().address().toLowerCase(Locale.ROOT);
        Record done = read();
        if (done != null && done.hyphaToken().equals(token) && done.accounts() >= accounts) {
            progress.accept("Dev accounts already funded");
            return;
        }
        int n = Math.min(accounts, devAccounts.size());
        progress.accept("Funding " + n + " dev accounts with HYP and hUSD...");
        for (int i = 0; i < n; i++) {
            String account = devAccounts.get(i).getAddress();
            if (!account.equalsIgnoreCase(contracts.account())) {
                contracts.hyp().transfer(account, HYP_PER_ACCOUNT);
            }
            contracts.payment().mint(account, HUSD_PER_ACCOUNT);
        }
        write(new Record(token, n));
    }

    private Record read() {
        if (!Files.isRegularFile(recordFile)) {
            return null;
        }
        try {
            return JSON.readValue(recordFile.toFile(), Record.class);
        } catch (IOException e) {
            // A damaged record only means we cannot tell: funding again is harmless on a devnet.
            return null;
        }
    }

    private void write(Record record) {
        try {
            Files.createDirectories(recordFile.getParent());
            Path tmp = Files.createTempFile(recordFile.getParent(), "funded", ".tmp");
            JSON.writeValue(tmp.toFile(), record);
            Files.move(tmp, recordFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw HyphaException.io("cannot write " + recordFile + ": " + e.getMessage(), e);
        }
    }
}
