package dev.hypha.core.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.crypto.Hex;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class KeyWrapTest {
    @Test
    void publicKeysAndSharedSecretsMatchRfc7748() throws Exception {
        RecipientKey alice = RecipientKey.ofScalar(Hex.decode(
                "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        RecipientKey bob = RecipientKey.ofScalar(Hex.decode(
                "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
        assertThat(Hex.encodeNoPrefix(alice.publicKey()))
                .isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assertThat(Hex.encodeNoPrefix(bob.publicKey()))
                .isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        assertThat(Hex.encodeNoPrefix(alice.agree(bob.publicKey())))
                .isEqualTo("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
                .isEqualTo(Hex.encodeNoPrefix(bob.agree(alice.publicKey())));
    }

    @Test
    void anAccountsKeyIsDerivedTheSameEveryTimeAndDiffersPerAccount() {
        BigInteger account = new BigInteger("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", 16);
        assertThat(RecipientKey.ofAccount(account).publicKey()).isEqualTo(RecipientKey.ofAccount(account).publicKey());
        assertThat(RecipientKey.ofAccount(account).publicKey())
                .isNotEqualTo(RecipientKey.ofAccount(account.add(BigInteger.ONE)).publicKey());
    }

    @Test
    void onlyTheRecipientUnwrapsAndAnyChangeIsRefused() {
        RecipientKey grantee = RecipientKey.ofAccount(BigInteger.valueOf(12345));
        RecipientKey other = RecipientKey.ofAccount(BigInteger.valueOf(54321));
        DataKey key = DataKey.random();
        byte[] wrapped = KeyWrap.wrap(key, grantee.publicKey());
        assertThat(wrapped).hasSize(KeyWrap.BYTES);
        assertThat(KeyWrap.unwrap(wrapped, grantee)).isEqualTo(key);
        assertThat(KeyWrap.wrap(key, grantee.publicKey())).as("a fresh ephemeral key per wrap").isNotEqualTo(wrapped);
        assertThatThrownBy(() -> KeyWrap.unwrap(wrapped, other)).isInstanceOf(SealException.class)
                .hasMessageContaining("another recipient");
        for (int i = 0; i < wrapped.length; i++) {
            // every bit, also the ephemeral key's top bit that X25519 ignores: the key's bytes are authenticated data
            for (int bit = 0; bit < 8; bit++) {
                byte[] changed = wrapped.clone();
                changed[i] ^= (byte) (1 << bit);
                assertThatThrownBy(() -> KeyWrap.unwrap(changed, grantee)).as("byte %d bit %d", i, bit)
                        .isInstanceOf(SealException.class);
            }
        }
        assertThatThrownBy(() -> KeyWrap.unwrap(new byte[10], grantee)).isInstanceOf(SealException.class)
                .hasMessageContaining("not a wrapped data key");
        assertThatThrownBy(() -> KeyWrap.wrap(key, new byte[31])).isInstanceOf(IllegalArgumentException.class);
    }
}
