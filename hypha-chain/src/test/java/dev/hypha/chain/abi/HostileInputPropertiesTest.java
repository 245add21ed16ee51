package dev.hypha.chain.abi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.tx.RevertDecoder;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.web3j.utils.Numeric;

/**
 * Hostile input for everything in hypha-chain that reads data from outside: revert data and event
 * data from a node, ABI JSON. (Property tests rather than Jazzer: Jazzer 0.24's instrumentation
 * cannot read Java 25 class files, and its agent start alone cost ~40 s per run.)
 */
class HostileInputPropertiesTest {
    private static final RevertDecoder DECODER = RevertDecoder.forHyphaContracts();
    private static final List<AbiParam> EVENT_PARAMS = List.of(
            new AbiParam("endpoint", "string", false, List.of()),
            new AbiParam("signingKey", "address", false, List.of()),
            new AbiParam("services", "bytes32[]", false, List.of()),
            new AbiParam("amount", "uint256", false, List.of()));

    @Provide
    Arbitrary<String> knownSelectors() {
        List<String> selectors = new java.util.ArrayList<>(List.of("0x08c379a0", "0x4e487b71"));
        for (ContractAbi abi : HyphaAbis.all()) {
            abi.errors().forEach(e -> selectors.add(e.selector()));
        }
        return Arbitraries.of(selectors);
    }

    @Property(tries = 500)
    void revertDataWithAnyKnownSelectorAndArbitraryArgumentsDecodesToALine(
            @ForAll("knownSelectors") String selector, @ForAll @Size(max = 300) byte[] args) {
        String line = DECODER.decode(selector + Numeric.toHexStringNoPrefix(args), Optional.of("ProviderRegistry"));
        assertThat(line).isNotBlank().doesNotContain("\n");
    }

    @Property(tries = 300)
    void eventDataDecodesToAllValuesOrIsRejected(@ForAll @Size(max = 400) byte[] data) {
        AbiValues.decode(EVENT_PARAMS, Numeric.toHexString(data))
                .ifPresent(values -> assertThat(values).hasSize(EVENT_PARAMS.size()));
    }

    @Property(tries = 300)
    void wellFormedEventDataWithCorruptedBytesNeverThrows(@ForAll @Size(min = 1, max = 8) List<@Size(max = 4) byte[]> junk,
                                                          @ForAll int position) {
        String valid = "0x" + "0".repeat(62) + "80" // offset of endpoint
                + "0".repeat(24) + "00000000000000000000000000000000000000aa"
                + "0".repeat(62) + "c0" // offset of services
                + "0".repeat(62) + "2a"
                + "0".repeat(63) + "1" + "61" + "0".repeat(62) // "a"
                + "0".repeat(64); // empty services
        assertThat(AbiValues.decode(EVENT_PARAMS, valid)).isPresent();
        StringBuilder corrupted = new StringBuilder(valid);
        for (byte[] j : junk) {
            int at = 2 + Math.floorMod(position, valid.length() - 2);
            corrupted.insert(at, Numeric.toHexStringNoPrefix(j));
        }
        AbiValues.decode(EVENT_PARAMS, corrupted.toString());
    }

    @Property(tries = 300)
    void abiJsonWithArbitraryEntriesIsParsedOrRejectedClearly(@ForAll("abiEntries") List<String> entries) {
        String json = "[" + String.join(",", entries) + "]";
        try {
            ContractAbi abi = ContractAbi.parse("Hostile", json);
            abi.errors().forEach(e -> assertThat(e.selector()).hasSize(10));
            abi.events().forEach(e -> assertThat(e.topic0()).hasSize(66));
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).contains("Hostile");
        }
    }

    @Provide
    Arbitrary<List<String>> abiEntries() {
        Arbitrary<String> type = Arbitraries.of("error", "event", "function", "", "constructor");
        Arbitrary<String> name = Arbitraries.strings().ofMaxLength(8);
        Arbitrary<String> paramType = Arbitraries.of("uint256", "address", "tuple", "bytes32[]", "", "string");
        Arbitrary<String> param = net.jqwik.api.Combinators.combine(name, paramType, Arbitraries.of(true, false))
                .as((n, t, i) -> "{\"name\":" + quote(n) + ",\"type\":" + quote(t) + ",\"indexed\":" + i + "}");
        Arbitrary<String> entry = net.jqwik.api.Combinators.combine(type, name, param.list().ofMaxSize(3))
                .as((t, n, ps) -> "{\"type\":" + quote(t) + ",\"name\":" + quote(n) + ",\"inputs\":[" + String.join(",", ps) + "]}");
        return Arbitraries.oneOf(entry, Arbitraries.of("1", "null", "\"x\"", "{}", "[]")).list().ofMaxSize(5);
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
