package dev.hypha.node.gateway.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What the gateway may lock up in payment channels, in the payment token's smallest units: each new channel (and each
 * top-up) deposits {@code perChannel}, and all channels together never hold more than {@code total}. Deposits are not
 * spent: what a provider does not redeem returns when the channel is closed. Kept in {@code <home>/gateway/budget.json}
 * ({@code hypha budget}).
 *
 * @param perChannel what one channel is opened or topped up with
 * @param total      the most all channels may hold together
 */
public record Budget(BigInteger perChannel, BigInteger total) {
    /** 1 hUSD per channel (6 decimals). */
    public static final BigInteger DEFAULT_PER_CHANNEL = BigInteger.valueOf(1_000_000);
    /** 10 hUSD in all. */
    public static final BigInteger DEFAULT_TOTAL = BigInteger.valueOf(10_000_000);
    /** The file's name under {@code <home>/gateway}. */
    public static final String FILE = "budget.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_FILE_BYTES = 4096;

    public Budget {
        if (Objects.requireNonNull(perChannel, "perChannel").signum() <= 0) {
            throw HyphaException.input("the deposit per channel must be positive, was " + perChannel);
        }
        if (Objects.requireNonNull(total, "total").compareTo(perChannel) < 0) {
            throw HyphaException.input("the total budget (" + total + ") must be at least one channel's deposit ("
                    + perChannel + ")");
        }
    }

    public static Budget defaults() {
        return new Budget(DEFAULT_PER_CHANNEL, DEFAULT_TOTAL);
    }

    /** Where a home keeps its budget. */
    public static Path file(Path home) {
        return home.resolve("gateway").resolve(FILE);
    }

    /** The home's budget, or the defaults when none was set. */
    public static Budget load(Path home) {
        Path file = file(home);
        if (!Files.exists(file)) {
            return defaults();
        }
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw HyphaException.input(file + " is larger than " + MAX_FILE_BYTES + " bytes: not a budget file");
            }
            JsonNode o = JSON.readTree(Files.readAllBytes(file));
            return new Budget(units(file, o, "perChannel"), units(file, o, "total"));
        } catch (IOException e) {
            throw HyphaException.input("cannot read the budget in " + file + ": " + e.getMessage()
                    + " (set it again with `hypha budget set`)", e);
        }
    }

    /** Writes the budget durably (a temporary file renamed into place). */
    public void save(Path home) {
        Path file = file(home);
        ObjectNode o = JSON.createObjectNode().put("perChannel", perChannel.toString()).put("total", total.toString());
        try {
            Files.createDirectories(file.getParent());
            DurableFiles.replace(file, o.toPrettyString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw HyphaException.io("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static BigInteger units(Path file, JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isTextual() || !n.textValue().matches("[0-9]{1,78}")) {
            throw HyphaException.input(file + ": " + field + " must be a whole number of token units as a string");
        }
        return new BigInteger(n.textValue());
    }
}
