package dev.hypha.core.keys;

import dev.hypha.core.errors.HyphaException;
import java.nio.file.Path;
import org.web3j.crypto.WalletFile;

/**
 * The key-derivation settings a keystore file may ask for. They are outside input: scrypt allocates 128·r·n bytes and
 * works n·r·p, so a file asking for n = 2^22 made an unlock allocate 4 GiB and end in an OutOfMemoryError. Accepted is
 * what geth, web3j, Foundry and the usual wallets write, checked before any derivation starts:
 * <ul>
 *   <li>scrypt: n a power of two up to 2^18 (geth's "standard" cost, the highest any of them writes), r up to 8 (all of
 *       them write 8), p up to 16 (geth's light cost writes 6), dklen 32;</li>
 *   <li>pbkdf2 (old geth and MyEtherWallet files): hmac-sha256, c up to 2^20 iterations (they write 262144),
 *       dklen 32;</li>
 *   <li>cipher aes-128-ctr.</li>
 * </ul>
 * So an unlock never takes more than 256 MiB and about sixteen times geth's standard cost. Messages name the file and
 * the field and never repeat anything else from the file.
 */
final class KdfLimits {
    static final int MAX_SCRYPT_N = 1 << 18;
    static final int MAX_SCRYPT_R = 8;
    static final int MAX_SCRYPT_P = 16;
    static final int MAX_PBKDF2_C = 1 << 20;
    static final int DKLEN = 32;

    private KdfLimits() {
    }

    /**
     * @throws HyphaException (INPUT) naming the file and the first field out of bounds
     */
    static void check(WalletFile wallet, Path file) {
        WalletFile.Crypto crypto = wallet.getCrypto();
        if (!"aes-128-ctr".equals(crypto.getCipher())) {
            throw bad(file, "cipher is not aes-128-ctr (the only cipher of Web3 Secret Storage v3)");
        }
        String kdf = crypto.getKdf();
        Object params = crypto.getKdfparams();
        if ("scrypt".equals(kdf) && params instanceof WalletFile.ScryptKdfParams scrypt) {
            int n = scrypt.getN();
            if (n < 2 || n > MAX_SCRYPT_N || Integer.bitCount(n) != 1) {
                throw bad(file, "kdfparams.n is " + n + "; expected a power of two from 2 to " + MAX_SCRYPT_N
                        + " (geth's standard scrypt cost)");
            }
            requireRange(file, "r", scrypt.getR(), MAX_SCRYPT_R);
            requireRange(file, "p", scrypt.getP(), MAX_SCRYPT_P);
            requireDklen(file, scrypt.getDklen());
            requireSalt(file, scrypt.getSalt());
        } else if ("pbkdf2".equals(kdf) && params instanceof WalletFile.Aes128CtrKdfParams pbkdf2) {
            requireRange(file, "c", pbkdf2.getC(), MAX_PBKDF2_C);
            if (!"hmac-sha256".equals(pbkdf2.getPrf())) {
                throw bad(file, "kdfparams.prf is not hmac-sha256 (the only one geth and web3j use)");
            }
            requireDklen(file, pbkdf2.getDklen());
            requireSalt(file, pbkdf2.getSalt());
        } else if ("scrypt".equals(kdf) || "pbkdf2".equals(kdf)) {
            throw bad(file, "kdfparams do not match kdf " + kdf
                    + " (scrypt takes n, r, p, dklen, salt; pbkdf2 takes c, prf, dklen, salt)");
        } else {
            throw bad(file, "kdf is neither scrypt nor pbkdf2");
        }
    }

    private static void requireRange(Path file, String field, int value, int max) {
        if (value < 1 || value > max) {
            throw bad(file, "kdfparams." + field + " is " + value + "; expected 1 to " + max);
        }
    }

    private static void requireDklen(Path file, int dklen) {
        if (dklen != DKLEN) {
            throw bad(file, "kdfparams.dklen is " + dklen + "; expected " + DKLEN);
        }
    }

    private static void requireSalt(Path file, String salt) {
        if (salt == null || salt.isEmpty()) {
            throw bad(file, "kdfparams.salt is missing");
        }
    }

    private static HyphaException bad(Path file, String what) {
        return HyphaException.input("keystore " + file + " is refused: " + what);
    }
}
