package dev.hypha.node.payments;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a payer's receipts: one {@link PayerReceipts} file per chain and paying account,
 * {@code <home>/gateway/receipts-<chainId>-<payer lowercase hex>.sqlite} (the gateway names them so, in
 * {@code gateway.network.PayerFiles}), so receipts of a wiped devnet and those of another account never mix, and
 * {@code hypha usage} finds them all.
 */
public final class ReceiptFiles {
    private static final Pattern NAME = Pattern.compile("receipts-([0-9]{1,19})-(0x[0-9a-f]{40})\\.sqlite");

    private ReceiptFiles() {}

    /** One receipts file, with the chain and payer its name gives (empty when the name does not follow the scheme). */
    public record Found(Path file, OptionalLong chainId, Optional<Address> payer) {
        public Found {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(chainId, "chainId");
            Objects.requireNonNull(payer, "payer");
        }

        /**
         * The payer ledger beside it ({@code payer-<chainId>-<payer>.sqlite}, as the gateway names the pair), which
         * knows each channel's token; empty for a file whose name does not follow the scheme.
         */
        public Optional<Path> payerLedger() {
            String name = file.getFileName().toString();
            return payer.isEmpty() ? Optional.empty()
                    : Optional.of(file.resolveSibling("payer-" + name.substring("receipts-".length())));
        }
    }

    /** The gateway's folder in a Hypha home. */
    public static Path folder(Path home) {
        return home.resolve("gateway");
    }

    /** Every {@code receipts-*.sqlite} in the gateway folder, by name; none when the folder does not exist. */
    public static List<Found> list(Path home) {
        Path dir = folder(home);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Found> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "receipts-*.sqlite")) {
            for (Path f : files) {
                if (Files.isRegularFile(f)) {
                    out.add(found(f));
                }
            }
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot list the receipts in " + dir + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(f -> f.file().getFileName().toString()));
        return List.copyOf(out);
    }

    private static Found found(Path f) {
        Matcher m = NAME.matcher(f.getFileName().toString());
        if (!m.matches()) {
            return new Found(f, OptionalLong.empty(), Optional.empty());
        }
        try {
            return new Found(f, OptionalLong.of(Long.parseLong(m.group(1))), Optional.of(Address.parse(m.group(2))));
        } catch (NumberFormatException e) { // 19 digits above Long.MAX_VALUE: not a chain id we wrote
            return new Found(f, OptionalLong.empty(), Optional.empty());
        }
    }
}
