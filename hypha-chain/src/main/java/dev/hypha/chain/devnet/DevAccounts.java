package dev.hypha.chain.devnet;

import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.MnemonicUtils;

/**
 * Derives the development accounts anvil funds at genesis from its mnemonic, the same way anvil
 * does (BIP-39 seed with an empty passphrase, BIP-44 path m/44'/60'/0'/0/i). Deriving them here
 * instead of scraping anvil's banner keeps us independent of its output format.
 */
public final class DevAccounts {
    /** anvil's and hardhat's well-known default mnemonic. Its keys are public: test use only. */
    public static final String DEFAULT_MNEMONIC = "test test test test test test test test test test test junk";

    private static final int HARDENED = 0x8000_0000;

    private DevAccounts() {}

    /**
     * Derives the first {@code count} accounts of a mnemonic.
     *
     * @throws IllegalArgumentException if count is negative or the mnemonic is not valid BIP-39
     */
    public static List<Credentials> derive(String mnemonic, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("account count must be >= 0, was " + count);
        }
        if (!MnemonicUtils.validateMnemonic(mnemonic)) {
            throw new IllegalArgumentException("not a valid BIP-39 mnemonic (wrong words or checksum)");
        }
        Bip32ECKeyPair master = Bip32ECKeyPair.generateKeyPair(MnemonicUtils.generateSeed(mnemonic, ""));
        List<Credentials> accounts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int[] path = {44 | HARDENED, 60 | HARDENED, HARDENED, 0, i};
            accounts.add(Credentials.create(Bip32ECKeyPair.deriveKeyPair(master, path)));
        }
        return List.copyOf(accounts);
    }
}
