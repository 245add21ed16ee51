package dev.hypha.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.HyphaException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class AddressTest {
    @Test
    void printsTheEip55Checksum() {
        // vectors from the EIP-55 text
        for (String mixed : new String[] {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"}) {
            assertThat(Address.parse(mixed.toLowerCase(java.util.Locale.ROOT)).toString()).isEqualTo(mixed);
            assertThat(Address.parse(mixed).toString()).isEqualTo(mixed);
        }
    }

    @Test
    void upperCaseIsAcceptedWithoutChecksum() {
        assertThat(Address.parse("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED"))
                .isEqualTo(Address.parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
    }

    @Test
    void malformedAddressesGiveTheAgreedMessage() {
        assertThatThrownBy(() -> Address.parse("xyz")).isInstanceOf(HyphaException.class)
                .hasMessage("not an Ethereum address: 'xyz' (expected 0x + 40 hex digits)");
        assertThatThrownBy(() -> Address.parse("0x1234")).hasMessageContaining("not an Ethereum address: '0x1234'");
        assertThatThrownBy(() -> Address.parse("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")).hasMessageContaining("expected 0x + 40");
        assertThatThrownBy(() -> Address.parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg")).hasMessageContaining("not an Ethereum address");
        assertThatThrownBy(() -> Address.parse(null)).hasMessageContaining("not an Ethereum address: ''");
    }

    @Test
    void mixedCaseWithAWrongChecksumIsATypo() {
        assertThatThrownBy(() -> Address.parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"))
                .hasMessageContaining("bad EIP-55 checksum").hasMessageContaining("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    }

    @Property
    void bytesAndTextRoundTrip(@ForAll @Size(20) byte[] bytes) {
        Address address = Address.of(bytes);
        assertThat(address.bytes()).isEqualTo(bytes);
        assertThat(Address.parse(address.toString())).isEqualTo(address);
        assertThat(Address.parse(address.lowercaseHex())).isEqualTo(address);
    }
}
