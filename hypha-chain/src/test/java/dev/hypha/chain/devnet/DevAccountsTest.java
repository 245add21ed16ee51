package dev.hypha.chain.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

class DevAccountsTest {
    @Test
    void derivesAnvilsWellKnownAccounts() {
        // The first and last default keys anvil prints for its default mnemonic.
        List<Credentials> accounts = DevAccounts.derive(DevAccounts.DEFAULT_MNEMONIC, 10);
        assertThat(accounts.get(0).getAddress()).isEqualToIgnoringCase("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assertThat(accounts.get(0).getEcKeyPair().getPrivateKey().toString(16))
                .isEqualTo("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
        assertThat(accounts.get(9).getAddress()).isEqualToIgnoringCase("0xa0Ee7A142d267C1f36714E4a8F75612F20a79720");
    }

    @Test
    void rejectsBadMnemonicsAndCounts() {
        assertThatThrownBy(() -> DevAccounts.derive("test test test", 1)).hasMessageContaining("BIP-39");
        assertThatThrownBy(() -> DevAccounts.derive(DevAccounts.DEFAULT_MNEMONIC, -1)).hasMessageContaining("-1");
        assertThat(DevAccounts.derive(DevAccounts.DEFAULT_MNEMONIC, 0)).isEmpty();
    }
}
