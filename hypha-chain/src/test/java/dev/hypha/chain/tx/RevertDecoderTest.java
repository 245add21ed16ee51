package dev.hypha.chain.tx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.abi.ContractAbi;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Hash;

class RevertDecoderTest {
    private static final String REGISTRY_ABI = """
            [{"type":"error","name":"InsufficientStake","inputs":[{"name":"have","type":"uint256"},{"name":"need","type":"uint256"}]},
             {"type":"error","name":"AlreadyRegistered","inputs":[]},
             {"type":"function","name":"register","inputs":[],"outputs":[],"stateMutability":"nonpayable"}]""";
    private static final String ERC20_ERROR = """
            {"type":"error","name":"ERC20InsufficientBalance","inputs":[{"name":"sender","type":"address"},
             {"name":"balance","type":"uint256"},{"name":"needed","type":"uint256"}]}""";

    private final RevertDecoder decoder = new RevertDecoder(List.of(
            ContractAbi.parse("ProviderRegistry", REGISTRY_ABI),
            ContractAbi.parse("HyphaToken", "[" + ERC20_ERROR + "]"),
            ContractAbi.parse("PaymentToken", "[" + ERC20_ERROR + "]")));

    private static String encode(String signature, Type<?>... args) {
        return Hash.sha3String(signature).substring(0, 10) + FunctionEncoder.encodeConstructor(List.of(args));
    }

    @Test
    void customErrorsShowContractNameAndNamedArguments() {
        String data = encode("InsufficientStake(uint256,uint256)", new Uint256(0),
                new Uint256(new BigInteger("1000000000000000000000")));
        assertThat(decoder.decode(data))
                .isEqualTo("ProviderRegistry: InsufficientStake(have=0, need=1000000000000000000000)");
        assertThat(decoder.decode(encode("AlreadyRegistered()"))).isEqualTo("ProviderRegistry: AlreadyRegistered()");
    }

    @Test
    void anErrorDeclaredByManyContractsIsAttributedToTheCalledOneOrToNone() {
        String data = encode("ERC20InsufficientBalance(address,uint256,uint256)",
                new Address("0x00000000000000000000000000000000000000aa"), new Uint256(5), new Uint256(7));
        assertThat(decoder.decode(data, Optional.of("PaymentToken"))).isEqualTo(
                "PaymentToken: ERC20InsufficientBalance(sender=0x00000000000000000000000000000000000000aa, balance=5, needed=7)");
        // raised inside a call to a contract that does not declare it: which token it was is unknown, so none is named
        assertThat(decoder.decode(data)).isEqualTo(
                "ERC20InsufficientBalance(sender=0x00000000000000000000000000000000000000aa, balance=5, needed=7)");
        assertThat(decoder.decode(data, Optional.of("EmissionAuction"))).isEqualTo(decoder.decode(data));
    }

    @Test
    void errorStringAndPanicAreDecoded() {
        assertThat(decoder.decode(encode("Error(string)", new Utf8String("not enough")))).isEqualTo("reverted: not enough");
        assertThat(decoder.decode(encode("Panic(uint256)", new Uint256(0x11))))
                .isEqualTo("panic 0x11: arithmetic overflow or underflow");
        assertThat(decoder.decode(encode("Panic(uint256)", new Uint256(0x32)))).contains("array index out of bounds");
        assertThat(decoder.decode(encode("Panic(uint256)", new Uint256(0x99)))).contains("unknown panic code");
    }

    @Test
    void emptyUnknownAndMalformedDataStillGiveAReadableLine() {
        assertThat(decoder.decode(null)).isEqualTo("reverted without a reason");
        assertThat(decoder.decode("0x")).isEqualTo("reverted without a reason");
        assertThat(decoder.decode("0xdeadbeef")).isEqualTo("reverted with unknown error 0xdeadbeef (data 0xdeadbeef)");
        assertThat(decoder.decode("0xzz")).startsWith("reverted with malformed data");
        assertThat(decoder.decode("0x1234")).contains("too short");
        // Right selector, truncated arguments.
        String truncated = encode("InsufficientStake(uint256,uint256)", new Uint256(1), new Uint256(2)).substring(0, 40);
        assertThat(decoder.decode(truncated)).contains("InsufficientStake(uint256,uint256) with undecodable arguments");
        assertThat(decoder.decode("0x08c379a0ffff")).contains("malformed Error(string)");
    }

    @Test
    void hostileLengthWordsAreRejectedInsteadOfExhaustingMemory() {
        // Error(string) claiming a 2^60-byte string in a 100-byte payload (web3j alone would try to allocate it).
        String hugeString = "0x08c379a0" + "0".repeat(62) + "20" + "0".repeat(48) + "1000000000000000" + "0".repeat(64);
        assertThat(decoder.decode(hugeString)).contains("malformed Error(string)");
        String hugeArray = "0x" + "0".repeat(62) + "20" + "0".repeat(48) + "7fffffffffffffff";
        assertThat(dev.hypha.chain.abi.AbiValues.decode(
                List.of(new dev.hypha.chain.abi.AbiParam("s", "bytes32[]", false, List.of())), hugeArray)).isEmpty();
    }

    @Property(tries = 300)
    void arbitraryHexNeverThrows(@ForAll @StringLength(max = 400) @CharRange(from = '0', to = '9')
                                 @CharRange(from = 'a', to = 'f') String hex) {
        assertThat(decoder.decode("0x" + hex)).isNotBlank();
        assertThat(decoder.decode("0x08c379a0" + hex)).isNotBlank();
        assertThat(decoder.decode("0x4e487b71" + hex)).isNotBlank();
        assertThat(decoder.decode(encode("InsufficientStake(uint256,uint256)").substring(0, 10) + hex)).isNotBlank();
    }

    @Property(tries = 200)
    void arbitraryStringsNeverThrow(@ForAll String junk) {
        assertThat(decoder.decode(junk)).isNotBlank();
    }
}
