package dev.hypha.core.keys;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Wallet;
import org.web3j.crypto.WalletFile;
import org.web3j.crypto.exception.CipherException;
import org.web3j.protocol.ObjectMapperFactory;

/**
 * A folder of encrypted keys in Web3 Secret Storage v3 format (scrypt + AES-128-CTR), written by web3j exactly as
 * geth writes them and named as geth names them ({@code UTC--<time>--<address>}), so the folder can be shared with
 * geth, Foundry ({@code cast wallet}) and other wallets.
 *
 * <p>Files are written with owner-only permissions (0600) into a folder with 0700, first to a temporary file and then
 * linked into place, so a crash never leaves half a key and an existing file is never overwritten. Keys and
 * passwords never appear in messages or logs; {@link #toString()} shows only the folder.
 *
 * <p>web3j takes passwords as {@link String}, so the {@code char[]} given here is copied into one for the duration of
 * a call; callers should still clear their arrays.
 */
public final class KeystoreDirectory {
    private static final ObjectMapper JSON = ObjectMapperFactory.getObjectMapper();
    /** Keystore files are under 1 KiB; a larger one is not read. */
    static final int MAX_FILE_BYTES = 64 * 1024;
    /** geth's file-name time: UTC, nanoseconds, colons replaced so the name is valid everywhere. */
    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss.nnnnnnnnn'Z'").withZone(ZoneOffset.UTC);

    private final Path dir;
    private final KdfStrength strength;
    private final Clock clock;

    /** A keystore folder using the standard scrypt cost for new keys. */
    public KeystoreDirectory(Path dir) {
        this(dir, KdfStrength.STANDARD, Clock.systemUTC());
    }

    /**
     * @param strength scrypt cost for keys created or imported from now on
     * @param clock    the time put in new file names (only there: it never affects a key)
     */
    public KeystoreDirectory(Path dir, KdfStrength strength, Clock clock) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.strength = Objects.requireNonNull(strength, "strength");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Path directory() {
        return dir;
    }

    /** Generates a new key, stores it encrypted under {@code password} and returns its address. */
    public Address create(char[] password) {
        requirePassword(password);
        try {
            return store(Keys.createEcKeyPair(), password);
        } catch (InvalidAlgorithmParameterException | NoSuchAlgorithmException | NoSuchProviderException e) {
            throw new HyphaException(ErrorCategory.INTERNAL, "secp256k1 key generation is unavailable in this JVM", e);
        }
    }

    /**
     * Stores an existing private key (64 hex digits, 0x optional) encrypted under {@code password}.
     *
     * @throws HyphaException (INPUT) when the text is not a private key; the message never repeats the text
     */
    public Address importPrivateKey(String privateKeyHex, char[] password) {
        requirePassword(password);
        byte[] key;
        try {
            key = Hex.decode(privateKeyHex == null ? "" : privateKeyHex.strip(), 32, "private key");
        } catch (HyphaException e) {
            // the message of Hex.decode may quote its input; a key must never be echoed
            throw HyphaException.input("not a private key (expected 64 hex digits, optionally prefixed with 0x)");
        }
        BigInteger secret = new BigInteger(1, key);
        java.util.Arrays.fill(key, (byte) 0);
        if (secret.signum() == 0 || secret.compareTo(dev.hypha.core.crypto.Signature.CURVE_ORDER) >= 0) {
            throw HyphaException.input("not a valid secp256k1 private key (must be between 1 and the curve order)");
        }
        return store(ECKeyPair.create(secret), password);
    }

    /**
     * Copies a keystore file from elsewhere into this folder after checking that {@code password} opens it. The
     * file's own encryption (and scrypt cost) is kept unchanged.
     *
     * @throws WrongPasswordException when the password does not open it
     */
    public Address importKeystoreFile(Path file, char[] password) {
        requirePassword(password);
        byte[] content = readKeystoreBytes(file);
        WalletFile wallet = parseWallet(content, file);
        Address address;
        if (wallet.getAddress() != null) {
            address = addressOf(wallet, file);
            decrypt(wallet, password, address, file);
        } else {
            // the address field is optional in v3 (Foundry's cast leaves it out): the key itself says whose it is
            address = Address.of(decryptAnonymous(wallet, password, file));
        }
        ensureAbsent(address);
        ObjectNode json;
        try {
            json = (ObjectNode) JSON.readTree(content); // the bytes that were checked, not a second read of the file
        } catch (IOException | ClassCastException e) {
            throw HyphaException.input(file + " is not a keystore file (expected a JSON object)");
        }
        json.put("address", address.lowercaseHex().substring(2)); // so list() can name it without the password
        try {
            writeNew(address, JSON.writeValueAsBytes(json));
        } catch (IOException e) {
            throw HyphaException.io("cannot encode keystore for " + address, e);
        }
        return address;
    }

    /**
     * Decrypts the account's key.
     *
     * @throws HyphaException NOT_FOUND when the folder has no such account
     * @throws WrongPasswordException when the password is wrong
     */
    public Credentials unlock(Address account, char[] password) {
        requirePassword(password);
        Path file = fileOf(account).orElseThrow(() -> notFound(account));
        WalletFile wallet = readWallet(file);
        return Credentials.create(decrypt(wallet, password, account, file));
    }

    /**
     * The addresses of the keystores in the folder, sorted. Files that are not keystores are skipped; an absent
     * folder has none.
     */
    public List<Address> list() {
        TreeSet<Address> addresses = new TreeSet<>();
        for (Path file : keystoreFiles()) {
            try {
                addresses.add(addressOf(readWallet(file), file));
            } catch (HyphaException notAKeystore) {
                // another program's file in the folder: not ours to judge, not an account either
            }
        }
        return List.copyOf(addresses);
    }

    /** Whether the folder holds a keystore for the account. */
    public boolean contains(Address account) {
        return fileOf(account).isPresent();
    }

    /**
     * The account's address in checksummed form, checking that the folder holds it (what {@code hypha account
     * export-address} prints: nothing secret leaves the file).
     */
    public String exportAddress(Address account) {
        if (!contains(account)) throw notFound(account);
        return account.toChecksumString();
    }

    /** The keystore file of an account, if the folder has one. */
    public Optional<Path> fileOf(Address account) {
        String suffix = "--" + account.lowercaseHex().substring(2);
        for (Path file : keystoreFiles()) {
            if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(suffix)) {
                return Optional.of(file);
            }
        }
        for (Path file : keystoreFiles()) { // files named otherwise (copied by hand) still count
            try {
                if (addressOf(readWallet(file), file).equals(account)) return Optional.of(file);
            } catch (HyphaException notAKeystore) {
                // skip
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "KeystoreDirectory[" + dir + "]";
    }

    private Address store(ECKeyPair keyPair, char[] password) {
        Address address = Address.of(keyPair);
        ensureAbsent(address);
        try {
            WalletFile wallet = Wallet.create(new String(password), keyPair, strength.n(), strength.p());
            writeNew(address, JSON.writeValueAsBytes(wallet));
            return address;
        } catch (CipherException e) {
            throw new HyphaException(ErrorCategory.INTERNAL, "cannot encrypt the key: " + e.getMessage(), e);
        } catch (IOException e) {
            throw HyphaException.io("cannot encode keystore for " + address, e);
        }
    }

    private void ensureAbsent(Address address) {
        if (contains(address)) {
            throw new HyphaException(ErrorCategory.INPUT, "account " + address + " already exists in " + dir);
        }
    }

    /**
     * Writes a new key file: a temporary file forced to disk, linked (or moved) to its final name, then the folder
     * forced, so after a crash the key is either absent or complete, never an empty file under its name.
     */
    private void writeNew(Address address, byte[] content) {
        String name = "UTC--" + FILE_TIME.format(clock.instant()) + "--" + address.lowercaseHex().substring(2);
        Path target = dir.resolve(name);
        Path temp = null;
        try {
            createPrivateDirectory();
            temp = DurableFiles.writeTemp(dir, ".tmp-keystore-", ".json", content,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.createLink(target, temp); // atomic and refuses to replace an existing file
            } catch (UnsupportedOperationException | IOException linkFailed) {
                if (linkFailed instanceof FileAlreadyExistsException) throw linkFailed;
                Files.move(temp, target); // no REPLACE_EXISTING: fails rather than overwrite
                temp = null;
            }
            if (temp != null) {
                Files.delete(temp); // the link is in place; drop the temporary name before forcing the folder
                temp = null;
            }
            DurableFiles.forceDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new HyphaException(ErrorCategory.IO, "keystore file " + target + " already exists; not overwriting it", e);
        } catch (AtomicMoveNotSupportedException e) {
            throw HyphaException.io("cannot move the keystore into " + dir, e);
        } catch (IOException e) {
            throw HyphaException.io("cannot write keystore in " + dir + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a leftover temp file holds only encrypted data and is ignored by list()
                }
            }
        }
    }

    private void createPrivateDirectory() throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    private List<Path> keystoreFiles() {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> result = new ArrayList<>();
            files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .forEach(result::add);
            return result;
        } catch (IOException e) {
            throw HyphaException.io("cannot list keystore folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static WalletFile readWallet(Path file) {
        return parseWallet(readKeystoreBytes(file), file);
    }

    /**
     * A keystore file's bytes; real ones are under 1 KiB, so anything over {@link #MAX_FILE_BYTES} is refused (which
     * also ends a read of {@code /dev/zero}). Pipes are read like files ({@code --keystore <(gpg -d key.json.gpg)}).
     */
    private static byte[] readKeystoreBytes(Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw HyphaException.input(file + " is a folder, not a keystore file");
            }
            try (java.io.InputStream in = Files.newInputStream(file)) {
                byte[] content = in.readNBytes(MAX_FILE_BYTES + 1);
                if (content.length > MAX_FILE_BYTES) {
                    throw HyphaException.input(file + " is not a keystore file (larger than " + MAX_FILE_BYTES
                            + " bytes; keystores are under 1 KiB)");
                }
                return content;
            }
        } catch (NoSuchFileException e) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no such keystore file: " + file);
        } catch (IOException e) {
            throw HyphaException.io("cannot read keystore " + file + " (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /**
     * Parses keystore JSON. The file may be anything (users point --keystore at plaintext key files), and JSON parser
     * messages quote the text they choke on, so no parser message or exception is ever kept: the error says where
     * parsing stopped, not what was there.
     */
    private static WalletFile parseWallet(byte[] content, Path file) {
        WalletFile wallet;
        try {
            wallet = JSON.readValue(content, WalletFile.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            String where = at == null || at.getLineNr() < 1 ? ""
                    : " (not valid JSON at line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw HyphaException.input(file + " is not a keystore file: expected Web3 Secret Storage v3 JSON" + where);
        } catch (IOException | RuntimeException e) {
            throw HyphaException.input(file + " is not a keystore file: expected Web3 Secret Storage v3 JSON");
        }
        if (wallet == null || wallet.getCrypto() == null || wallet.getVersion() != 3) {
            throw HyphaException.input(file + " is not a version 3 keystore file");
        }
        return wallet;
    }

    private static Address addressOf(WalletFile wallet, Path file) {
        String address = wallet.getAddress();
        if (address == null) {
            throw HyphaException.input("keystore " + file + " has no address field");
        }
        try {
            return Address.parse(address.startsWith("0x") ? address : "0x" + address);
        } catch (HyphaException e) { // Address.parse quotes its input; the field could hold anything
            throw HyphaException.input("keystore " + file + " has an address field that is not 40 hex digits");
        }
    }

    /**
     * Decrypts after checking the key-derivation cost ({@link KdfLimits}). Failures carry no cause: web3j's and
     * BouncyCastle's messages may quote fields of the file.
     */
    private static ECKeyPair decrypt(WalletFile wallet, char[] password, Address expected, Path file) {
        KdfLimits.check(wallet, file);
        ECKeyPair keyPair;
        try {
            keyPair = Wallet.decrypt(new String(password), wallet);
        } catch (CipherException e) {
            if (String.valueOf(e.getMessage()).contains("Invalid password")) {
                throw new WrongPasswordException(expected);
            }
            throw HyphaException.input("keystore " + file + " for " + expected + " cannot be decrypted"
                    + " (malformed cipher parameters)");
        } catch (RuntimeException e) {
            throw HyphaException.input("keystore " + file + " for " + expected + " is malformed ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (!Address.of(keyPair).equals(expected)) {
            throw HyphaException.input("keystore claims address " + expected + " but holds the key of " + Address.of(keyPair));
        }
        return keyPair;
    }

    private static ECKeyPair decryptAnonymous(WalletFile wallet, char[] password, Path file) {
        KdfLimits.check(wallet, file);
        try {
            return Wallet.decrypt(new String(password), wallet);
        } catch (CipherException e) {
            if (String.valueOf(e.getMessage()).contains("Invalid password")) {
                throw new HyphaException(ErrorCategory.AUTH, "wrong password for keystore " + file);
            }
            throw HyphaException.input("keystore " + file + " cannot be decrypted (malformed cipher parameters)");
        } catch (RuntimeException e) {
            throw HyphaException.input("keystore " + file + " is malformed (" + e.getClass().getSimpleName() + ")");
        }
    }

    private HyphaException notFound(Address account) {
        return new HyphaException(ErrorCategory.NOT_FOUND, "no account " + account + " in " + dir
                + " (see `hypha account list`)");
    }

    private static void requirePassword(char[] password) {
        if (password == null || password.length == 0) {
            throw HyphaException.input("empty password (a keystore needs a non-empty password)");
        }
    }
}
