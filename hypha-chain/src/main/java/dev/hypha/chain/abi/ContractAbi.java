package dev.hypha.chain.abi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The errors and events of one contract, parsed from the ABI JSON array solc emits.
 *
 * @param name contract name
 * @param errors its custom errors (including inherited OpenZeppelin ones)
 * @param events its events
 */
public record ContractAbi(String name, List<AbiError> errors, List<AbiEvent> events) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ContractAbi {
        Objects.requireNonNull(name, "name");
        errors = List.copyOf(errors);
        events = List.copyOf(events);
    }

    /**
     * Parses an ABI JSON array.
     *
     * @throws IllegalArgumentException naming the contract when the JSON is not an ABI array
     */
    public static ContractAbi parse(String name, String abiJson) {
        JsonNode root;
        try {
            root = JSON.readTree(abiJson);
        } catch (IOException e) {
            throw new IllegalArgumentException("ABI of " + name + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("ABI of " + name + " must be a JSON array of entries");
        }
        List<AbiError> errors = new ArrayList<>();
        List<AbiEvent> events = new ArrayList<>();
        for (JsonNode entry : root) {
            String type = entry.path("type").asText("");
            switch (type) {
                case "error" -> errors.add(new AbiError(name, requireName(name, entry), params(name, entry.path("inputs"))));
                case "event" -> events.add(new AbiEvent(name, requireName(name, entry), params(name, entry.path("inputs")),
                        entry.path("anonymous").asBoolean(false)));
                default -> { /* functions, constructor, fallback, receive: not needed here */ }
            }
        }
        return new ContractAbi(name, errors, events);
    }

    private static String requireName(String contract, JsonNode entry) {
        String n = entry.path("name").asText("");
        if (n.isEmpty()) {
            throw new IllegalArgumentException("ABI of " + contract + " has an " + entry.path("type").asText() + " without a name");
        }
        return n;
    }

    private static List<AbiParam> params(String contract, JsonNode array) {
        List<AbiParam> out = new ArrayList<>();
        if (array.isMissingNode() || array.isNull()) {
            return out;
        }
        if (!array.isArray()) {
            throw new IllegalArgumentException("ABI of " + contract + ": inputs must be an array");
        }
        for (JsonNode p : array) {
            String type = p.path("type").asText("");
            if (type.isEmpty()) {
                throw new IllegalArgumentException("ABI of " + contract + ": a parameter has no type");
            }
            out.add(new AbiParam(p.path("name").asText(""), type, p.path("indexed").asBoolean(false),
                    params(contract, p.path("components"))));
        }
        return out;
    }
}
