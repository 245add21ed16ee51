package dev.hypha.chain.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Signature;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;

/** Provider receipts: signed and checked as one EIP-712 message, bound to the registry and chain. */
class ReceiptDomainTest {
    private static final Credentials PROVIDER_KEY = Credentials.create(ECKeyPair.create(BigInteger.valueOf(777_000_001)));
    private static final Address REGISTRY = Address.parse("0xdc64a140aa3e981100a9beca4e685f962f0cf6c9");
    private static final String H = "0x" + "ab".repeat(32);

    private static Receipt receipt(long tokensOut) {
        return new Receipt(H, "0x" + "cd".repeat(32), 12, tokensOut, "0x" + "ef".repeat(32), BigInteger.valueOf(340),
                "0x" + "01".repeat(32), BigInteger.valueOf(9_340));
    }

    @Test
    void aReceiptVerifiesOnlyForItsSignerItsContentAndItsDomain() {
        ReceiptDomain domain = new ReceiptDomain(31337, REGISTRY);
        Address provider = Address.parse(PROVIDER_KEY.getAddress());
        Signature signature = domain.sign(receipt(30), data -> Eip712.sign(data, PROVIDER_KEY));

        assertThat(domain.isSignedBy(receipt(30), signature, provider)).isTrue();
        assertThat(domain.isSignedBy(receipt(31), signature, provider)).as("inflated token count").isFalse();
        assertThat(new ReceiptDomain(1, REGISTRY).isSignedBy(receipt(30), signature, provider)).as("other chain").isFalse();
        assertThat(new ReceiptDomain(31337, Address.parse("0x" + "11".repeat(20))).isSignedBy(receipt(30), signature, provider))
                .as("other registry").isFalse();
        assertThat(domain.isSignedBy(receipt(30), signature, Address.parse("0x" + "22".repeat(20)))).as("other signer").isFalse();
    }

    @Test
    void receiptFieldsAreCheckedWhenMade() {
        assertThatThrownBy(() -> new Receipt("0x12", H, 1, 1, H, BigInteger.ONE, H, BigInteger.ONE))
                .hasMessageContaining("requestHash must be 0x + 64 hex digits");
        assertThatThrownBy(() -> new Receipt(H, H, -1, 1, H, BigInteger.ONE, H, BigInteger.ONE))
                .hasMessageContaining("token counts must be >= 0");
        assertThatThrownBy(() -> new Receipt(H, H, 1, 1, H, BigInteger.ONE.negate(), H, BigInteger.ONE))
                .hasMessageContaining("amounts must be >= 0");
    }
}
