package dev.hypha.cli;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.text.TerminalText;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Whose model registrations a selling provider pays royalties to ({@code provider start}, {@code provider redeem},
 * {@code up}, and {@code localnet} for its providers). A content id can be registered by anyone, so a provider pays
 * only the assets registered by the publishers it names here, and by itself (AssetRegistry's (content id, registrant)
 * claims; see {@code dev.hypha.node.royalties.ModelAssets}).
 */
final class RoyaltyOptions {
    /** Most publishers one provider names (each costs nothing on chain; the bound keeps argument lists sane). */
    static final int MAX_PUBLISHERS = 32;

    @Option(names = "--royalty-publisher", paramLabel = "ADDRESS",
            description = {"Pay the royalties of served models registered by this account (repeatable; e.g. the signer of",
                "a model manifest you verified). Models registered by the provider's own account are always paid;",
                "a registration of the same model by anyone else is not."})
    List<String> publishers = new ArrayList<>();

    /**
     * The named publishers, in order.
     *
     * @throws HyphaException (INPUT) naming the option and the value when one is not an address, or too many are given
     */
    List<Address> addresses() {
        if (publishers.size() > MAX_PUBLISHERS) {
            throw HyphaException.input("--royalty-publisher given " + publishers.size() + " times; at most "
                    + MAX_PUBLISHERS);
        }
        List<Address> out = new ArrayList<>();
        for (String p : publishers) {
            try {
                out.add(Address.parse(p));
            } catch (HyphaException e) {
                throw HyphaException.input("--royalty-publisher " + TerminalText.line(p) + ": "
                        + TerminalText.line(e.getMessage()));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The named publishers, then the home's own account when one can be chosen without asking (the {@code account}
     * setting or the only keystore account): on {@code hypha up} and {@code localnet} the home's user is the one who
     * registers models, and its provider is a dev account.
     */
    List<Address> addressesAndHomeAccount(Session session) {
        List<Address> out = new ArrayList<>(addresses());
        try {
            Address home = session.account();
            if (!out.contains(home)) {
                out.add(home);
            }
        } catch (HyphaException noSingleAccount) {
            // no account in this home, or several and none chosen: only the named publishers (and the provider)
        }
        return List.copyOf(out);
    }
}
