package dev.hypha.chain.tx;

import dev.hypha.chain.abi.AbiError;
import dev.hypha.chain.abi.AbiParam;
import dev.hypha.chain.abi.AbiValues;
import dev.hypha.chain.abi.ContractAbi;
import dev.hypha.chain.abi.HyphaAbis;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns revert data into a readable reason: {@code Error(string)}, {@code Panic(uint256)} with the
 * panic's meaning, and the custom errors of known contracts (selector to name plus decoded
 * arguments), e.g. {@code ProviderRegistry: InsufficientStake(have=0, need=1000000000000000000000)}.
 */
public final class RevertDecoder {
    private static final String ERROR_STRING = "0x08c379a0";
    private static final String PANIC = "0x4e487b71";
    private static final Map<Integer, String> PANIC_MEANINGS = Map.ofEntries(
            Map.entry(0x00, "generic compiler panic"),
            Map.entry(0x01, "assertion failed"),
            Map.entry(0x11, "arithmetic overflow or underflow"),
            Map.entry(0x12, "division or modulo by zero"),
            Map.entry(0x21, "invalid enum value"),
            Map.entry(0x22, "corrupt storage byte array"),
            Map.entry(0x31, "pop on an empty array"),
            Map.entry(0x32, "array index out of bounds"),
            Map.entry(0x41, "out of memory (allocation too large)"),
            Map.entry(0x51, "call to an uninitialized function pointer"));

    /** Selector to the errors with that selector (one per declaring contract), in a fixed order. */
    private final Map<String, List<AbiError>> bySelector;

    /** A decoder that knows the custom errors of these ABIs. */
    public RevertDecoder(Collection<ContractAbi> abis) {
        Map<String, List<AbiError>> map = new TreeMap<>();
        for (ContractAbi abi : abis) {
            for (AbiError e : abi.errors()) {
                map.computeIfAbsent(e.selector(), k -> new ArrayList<>()).add(e);
            }
        }
        this.bySelector = map;
    }

    /** A decoder for Hypha's bundled contract ABIs. */
    public static RevertDecoder forHyphaContracts() {
        return new RevertDecoder(HyphaAbis.decodable());
    }

    /** Decodes revert data without knowing which contract reverted. */
    public String decode(String revertData) {
        return decode(revertData, Optional.empty());
    }

    /**
     * Decodes revert data; when the reverting contract is known its declaration of the error is
     * preferred (OpenZeppelin errors appear in several ABIs).
     *
     * @param revertData 0x hex as returned by the node (may be null or "0x")
     * @param contract name of the contract that was called, if known
     */
    public String decode(String revertData, Optional<String> contract) {
        if (revertData == null) {
            return "reverted without a reason";
        }
        String data = revertData.strip().toLowerCase(Locale.ROOT);
        if (!data.startsWith("0x")) {
            data = "0x" + data;
        }
        if (!data.matches("0x[0-9a-f]*") || data.length() % 2 != 0) {
            return "reverted with malformed data " + abbreviate(revertData);
        }
        if (data.length() == 2) {
            return "reverted without a reason";
        }
        if (data.length() < 10) {
            return "reverted with data " + data + " (too short for an error selector)";
        }
        String selector = data.substring(0, 10);
        String args = "0x" + data.substring(10);
        if (selector.equals(ERROR_STRING)) {
            return AbiValues.decode(List.of(param("reason", "string")), args)
                    .map(v -> "reverted: " + v.getFirst())
                    .orElse("reverted with a malformed Error(string): " + abbreviate(data));
        }
        if (selector.equals(PANIC)) {
            return AbiValues.decode(List.of(param("code", "uint256")), args)
                    .map(v -> panic((BigInteger) v.getFirst()))
                    .orElse("reverted with a malformed Panic(uint256): " + abbreviate(data));
        }
        List<AbiError> candidates = bySelector.get(selector);
        if (candidates == null) {
            return "reverted with unknown error " + selector + " (data " + abbreviate(data) + ")";
        }
        Optional<AbiError> declaredByCalled =
                contract.flatMap(c -> candidates.stream().filter(e -> e.contract().equals(c)).findFirst());
        if (declaredByCalled.isPresent()) {
            return declaredByCalled.get().contract() + ": " + render(declaredByCalled.get(), args);
        }
        if (candidates.size() > 1) {
            // an error several contracts declare (OpenZeppelin's) raised inside a call to another contract: naming the
            // first declarer would blame the wrong one (a PaymentToken balance error read as HyphaToken's)
            return render(candidates.getFirst(), args);
        }
        return candidates.getFirst().contract() + ": " + render(candidates.getFirst(), args);
    }

    private static String render(AbiError error, String args) {
        Optional<List<Object>> values = AbiValues.decode(error.inputs(), args);
        if (values.isEmpty()) {
            return error.signature() + " with undecodable arguments " + abbreviate(args);
        }
        StringBuilder sb = new StringBuilder(error.name()).append('(');
        for (int i = 0; i < error.inputs().size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            String name = error.inputs().get(i).name();
            if (!name.isEmpty()) {
                sb.append(name).append('=');
            }
            sb.append(AbiValues.display(values.get().get(i)));
        }
        return sb.append(')').toString();
    }

    private static String panic(BigInteger code) {
        String meaning = code.bitLength() <= 31 ? PANIC_MEANINGS.get(code.intValue()) : null;
        return "panic 0x" + code.toString(16) + ": " + (meaning == null ? "unknown panic code" : meaning);
    }

    private static AbiParam param(String name, String type) {
        return new AbiParam(name, type, false, List.of());
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...(" + s.length() + " chars)";
    }
}
