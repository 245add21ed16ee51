package dev.hypha.chain.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ContractAbiTest {
    @Test
    void bundledAbisHaveTheEventsAndErrorsTheIndexerAndDecoderRelyOn() {
        ContractAbi staking = HyphaAbis.load("Staking");
        assertThat(staking.events()).extracting(AbiEvent::signature)
                .contains("Staked(address,bytes32,uint256)", "UnbondRequested(address,bytes32,uint256,uint64)",
                        "Withdrawn(address,bytes32,uint256)");
        assertThat(staking.errors()).extracting(AbiError::signature)
                .contains("ZeroAmount()", "AccessControlUnauthorizedAccount(address,bytes32)");
        ContractAbi registry = HyphaAbis.load("ProviderRegistry");
        assertThat(registry.events()).extracting(AbiEvent::signature)
                .contains("ProviderRegistered(address,string,address,bytes32[],string)");
        assertThat(HyphaAbis.all()).extracting(ContractAbi::name).containsExactlyElementsOf(HyphaAbis.NAMES);
    }

    @Test
    void selectorsAndTopicsAreKeccakOfTheCanonicalSignature() {
        // Well-known values: ERC-20 Transfer topic and OpenZeppelin's ERC20InsufficientBalance selector.
        ContractAbi hyp = HyphaAbis.load("HyphaToken");
        assertThat(hyp.events()).filteredOn(e -> e.name().equals("Transfer")).singleElement()
                .extracting(AbiEvent::topic0)
                .isEqualTo("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
        assertThat(hyp.errors()).filteredOn(e -> e.name().equals("ERC20InsufficientBalance")).singleElement()
                .extracting(AbiError::selector).isEqualTo("0xe450d38c");
    }

    @Test
    void tupleTypesAreSpelledOutInSignatures() {
        ContractAbi abi = ContractAbi.parse("T", """
                [{"type":"event","name":"E","anonymous":false,"inputs":[{"name":"p","type":"tuple[]","indexed":false,
                  "components":[{"name":"a","type":"uint8"},{"name":"b","type":"string"}]}]}]""");
        assertThat(abi.events().getFirst().signature()).isEqualTo("E((uint8,string)[])");
    }

    @Test
    void malformedAbisNameTheContract() {
        assertThatThrownBy(() -> ContractAbi.parse("X", "{")).hasMessageContaining("ABI of X is not valid JSON");
        assertThatThrownBy(() -> ContractAbi.parse("X", "{}")).hasMessageContaining("must be a JSON array");
        assertThatThrownBy(() -> ContractAbi.parse("X", "[{\"type\":\"error\"}]")).hasMessageContaining("without a name");
        assertThatThrownBy(() -> ContractAbi.parse("X", "[{\"type\":\"event\",\"name\":\"E\",\"inputs\":[{}]}]"))
                .hasMessageContaining("has no type");
        assertThat(ContractAbi.parse("X", "[]").errors()).isEmpty();
    }

    @Property(tries = 300)
    void arbitraryTextIsParsedOrRejectedWithTheContractName(@ForAll String text) {
        try {
            ContractAbi.parse("Prop", text);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).contains("Prop");
        }
    }

    @Test
    void valuesDecodeToPlainJava() {
        String data = "0x" + "0".repeat(62) + "2a" + "0".repeat(24) + "00000000000000000000000000000000000000aa";
        assertThat(AbiValues.decode(List.of(new AbiParam("n", "uint256", false, List.of()),
                new AbiParam("a", "address", false, List.of())), data))
                .contains(List.of(java.math.BigInteger.valueOf(42), "0x00000000000000000000000000000000000000aa"));
        assertThat(AbiValues.decode(List.of(new AbiParam("n", "uint256", false, List.of())), "0x12")).isEmpty();
    }
}
