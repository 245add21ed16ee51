package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.abi.HyphaAbis;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.Receipt;
import dev.hypha.chain.channels.VoucherDomain;
import dev.hypha.chain.deploy.DeployedContract;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.core.crypto.Address;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.gateway.network.PayerFiles;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hypha usage} in-process over real receipt files written through {@link PayerReceipts}, where the gateway puts
 * them ({@link PayerFiles}).
 */
class UsageCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CHAIN = 31337;
    private static final Address PAYER = Address.parse("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    private static final Address OTHER_PAYER = Address.parse("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
    private static final Address PROVIDER = Address.parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static final Address HUSD = Address.parse("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");
    private static final Address STRANGE_TOKEN = Address.parse("0x0000000000000000000000000000000000000abc");

    @TempDir
    Path home;
    private int channel;

    @Test
    void saysSoWhenThereAreNoReceipts() throws Exception {
        CliRun run = CliRun.run("--home", home.toString(), "usage");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("No paid requests yet").contains(home.resolve("gateway").toString());
        CliRun asJson = CliRun.run("--home", home.toString(), "usage", "--json");
        assertThat(asJson.exitCode()).isZero();
        assertThat(JSON.readTree(asJson.out()).isArray()).isTrue();
        assertThat(JSON.readTree(asJson.out())).isEmpty();
    }

    @Test
    void printsSpendingPerDayModelAndProviderWithHusdDecimals() {
        deployment();
        try (PayerReceipts r = PayerReceipts.open(PayerFiles.of(home, CHAIN, PAYER).receipts())) {
            add(r, "2026-12-06T10:00:00Z", "chat", 10, 5, 45, HUSD);
            add(r, "2026-12-06T11:00:00Z", "chat", 20, 7, 1_000_000, HUSD);
            add(r, "2026-12-07T09:00:00Z", "chat", 3, 2, 5, HUSD);
        }
        CliRun run = CliRun.run("--home", home.toString(), "usage");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).containsExactly(
                "DAY          MODEL   PROVIDER                                     REQUESTS   TOKENS IN   TOKENS OUT"
                        + "     UNITS   AMOUNT",
                "2026-12-06   chat    " + PROVIDER.toChecksumString() + "          2          30           12"
                        + "   1000045   1.000045 hUSD",
                "2026-12-07   chat    " + PROVIDER.toChecksumString() + "          1           3            2"
                        + "         5   0.000005 hUSD",
                "Total: 1.00005 hUSD (1000050 units) over 3 requests");
    }

    @Test
    void jsonHasTheSameRowsWithExactAmounts() throws Exception {
        deployment();
        BigInteger huge = BigInteger.TWO.pow(100);
        try (PayerReceipts r = PayerReceipts.open(PayerFiles.of(home, CHAIN, PAYER).receipts())) {
            add(r, "2026-12-06T10:00:00Z", "chat", 10, 5, 45, HUSD);
            r.add(stored("2026-12-06T12:00:00Z", "code", 1, 1, huge, Optional.of(STRANGE_TOKEN)), "0xsig");
        }
        CliRun run = CliRun.run("--home", home.toString(), "usage", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode rows = JSON.readTree(run.out());
        assertThat(rows).hasSize(2);
        JsonNode chat = rows.get(0);
        assertThat(chat.get("chain_id").asLong()).isEqualTo(CHAIN);
        assertThat(chat.get("payer").asText()).isEqualTo(PAYER.toChecksumString());
        assertThat(chat.get("day").asText()).isEqualTo("2026-12-06");
        assertThat(chat.get("model").asText()).isEqualTo("chat");
        assertThat(chat.get("provider").asText()).isEqualTo(PROVIDER.toChecksumString());
        assertThat(chat.get("requests").asLong()).isEqualTo(1);
        assertThat(chat.get("input_tokens").asLong()).isEqualTo(10);
        assertThat(chat.get("output_tokens").asLong()).isEqualTo(5);
        assertThat(chat.get("amount").asText()).isEqualTo("45");
        assertThat(chat.get("token").asText()).isEqualTo(HUSD.toChecksumString());
        assertThat(chat.get("symbol").asText()).isEqualTo("hUSD");
        assertThat(chat.get("decimals").asInt()).isEqualTo(6);
        JsonNode code = rows.get(1);
        assertThat(code.get("amount").asText()).isEqualTo(huge.toString());
        assertThat(code.get("symbol").isNull()).isTrue();
        assertThat(code.get("decimals").isNull()).isTrue();

        CliRun table = CliRun.run("--home", home.toString(), "usage");
        assertThat(table.out()).contains(huge + " units of token " + STRANGE_TOKEN.toChecksumString());
    }

    @Test
    void filtersAndAccountsNarrowTheRows() throws Exception {
        try (PayerReceipts r = PayerReceipts.open(PayerFiles.of(home, CHAIN, PAYER).receipts())) {
            add(r, "2026-12-05T10:00:00Z", "chat", 1, 1, 1, HUSD);
            add(r, "2026-12-06T10:00:00Z", "chat", 1, 1, 2, HUSD);
            add(r, "2026-12-06T10:00:00Z", "code", 1, 1, 4, HUSD);
        }
        try (PayerReceipts r = PayerReceipts.open(PayerFiles.of(home, CHAIN, OTHER_PAYER).receipts())) {
            add(r, "2026-12-06T10:00:00Z", "chat", 1, 1, 8, HUSD);
        }
        JsonNode all = JSON.readTree(CliRun.run("--home", home.toString(), "usage", "--json").out());
        // one file after the other, by file name (the other payer's address sorts first)
        assertThat(all).extracting(n -> n.get("amount").asText()).containsExactly("8", "1", "2", "4");
        JsonNode since = JSON.readTree(CliRun.run("--home", home.toString(), "usage", "--json", "--since", "2026-12-06",
                "--model", "chat").out());
        assertThat(since).extracting(n -> n.get("amount").asText()).containsExactly("8", "2");
        JsonNode mine = JSON.readTree(CliRun.run("--home", home.toString(), "--account", PAYER.toChecksumString(),
                "usage", "--json", "--provider", PROVIDER.lowercaseHex()).out());
        assertThat(mine).extracting(n -> n.get("amount").asText()).containsExactly("1", "2", "4");

        CliRun table = CliRun.run("--home", home.toString(), "usage");
        assertThat(table.out()).contains("Chain 31337, payer " + PAYER.toChecksumString(),
                "Chain 31337, payer " + OTHER_PAYER.toChecksumString());
        CliRun none = CliRun.run("--home", home.toString(), "usage", "--model", "nothing-like-this");
        assertThat(none.out()).startsWith("No paid requests match");
    }

    @Test
    void receiptsStoredWithoutTheirTokenShowTheChannelsTokenFromThePayerLedger() throws Exception {
        deployment();
        PayerFiles files = PayerFiles.of(home, CHAIN, PAYER);
        ChannelParams channel = new ChannelParams(PAYER, PROVIDER, HUSD, PAYER, ChannelParams.salt(1));
        try (PayerLedger ledger = PayerLedger.open(files.ledger(), new VoucherDomain(CHAIN,
                Address.parse("0x5fc8d32690cc91d4c39d9d3abcbd16989f875707")))) {
            ledger.track(channel, BigInteger.valueOf(1_000_000));
        }
        try (PayerReceipts r = PayerReceipts.open(files.receipts())) {
            Receipt receipt = new Receipt(hash(1), hash(2), 10, 5, hash(3), BigInteger.valueOf(45), channel.id(),
                    BigInteger.valueOf(45));
            // what the gateway's RemoteBackend stores today: no token with the receipt
            r.add(new PayerReceipts.Stored(Instant.parse("2026-12-06T10:00:00Z"), "chat", PROVIDER, receipt, java.util.Optional.empty()), "0xsig");
        }
        CliRun run = CliRun.run("--home", home.toString(), "usage");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("0.000045 hUSD", "Total: 0.000045 hUSD (45 units) over 1 request");
    }

    @Test
    void badFiltersAreRefusedByName() {
        CliRun day = CliRun.run("--home", home.toString(), "usage", "--since", "yesterday");
        assertThat(day.exitCode()).isEqualTo(3);
        assertThat(day.errorLine()).contains("--since", "yesterday", "YYYY-MM-DD");
        CliRun who = CliRun.run("--home", home.toString(), "usage", "--provider", "0x1234");
        assertThat(who.exitCode()).isEqualTo(3);
        assertThat(who.errorLine()).contains("--provider", "0x1234");
        assertThat(Files.exists(home.resolve("gateway"))).isFalse(); // nothing was created by looking
    }

    private void deployment() {
        Map<String, DeployedContract> contracts = new LinkedHashMap<>();
        int n = 1;
        for (String name : HyphaAbis.NAMES) {
            String address = name.equals("PaymentToken") ? HUSD.lowercaseHex() : "0x%040x".formatted(n++);
            contracts.put(name, new DeployedContract(address, 1, "0x" + "ab".repeat(32), "0x" + "cd".repeat(32)));
        }
        new Deployments(home.resolve("deployments")).save(new Deployment(CHAIN, PAYER.lowercaseHex(), contracts, 60,
                "1000", "", 0));
    }

    private void add(PayerReceipts r, String at, String model, long in, long out, long price, Address token) {
        r.add(stored(at, model, in, out, BigInteger.valueOf(price), Optional.of(token)), "0xsig");
    }

    private PayerReceipts.Stored stored(String at, String model, long in, long out, BigInteger price,
                                        Optional<Address> token) {
        Receipt receipt = new Receipt(hash(1), hash(2), in, out, hash(3), price, hash(100 + channel++), price);
        return new PayerReceipts.Stored(Instant.parse(at), model, PROVIDER, receipt, token);
    }

    private static String hash(int n) {
        return "0x" + "%064x".formatted(n);
    }
}
