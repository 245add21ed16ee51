package dev.hypha.cli;

import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Names and decimals of payment tokens, known without asking a chain: the PaymentToken (hUSD, 6 decimals) that the
 * recorded deployment of a chain names. Any other token is shown by address in smallest units, since its decimals
 * would have to be read on-chain and {@code hypha usage} works offline.
 */
final class TokenLabels {
    private final Deployments deployments;
    private final Map<Long, Optional<Address>> paymentTokens = new HashMap<>();

    TokenLabels(Deployments deployments) {
        this.deployments = deployments;
    }

    /** How an amount of a token is written. */
    record Label(Optional<String> symbol, OptionalInt decimals, Optional<Address> token) {
        /** {@code 0.000045 hUSD}, or the bare units and what they are of when the token's decimals are unknown. */
        String amount(BigInteger units) {
            if (symbol.isPresent() && decimals.isPresent()) {
                return TokenAmount.format(units, decimals.getAsInt()) + " " + symbol.get();
            }
            return units + " units of " + token.map(t -> "token " + t.toChecksumString()).orElse("an unrecorded token");
        }
    }

    Label of(OptionalLong chainId, Optional<Address> token) {
        if (chainId.isPresent() && token.isPresent() && token.equals(paymentToken(chainId.getAsLong()))) {
            return new Label(Optional.of(Deployer.PAYMENT_SYMBOL), OptionalInt.of(Deployer.PAYMENT_DECIMALS), token);
        }
        return new Label(Optional.empty(), OptionalInt.empty(), token);
    }

    private Optional<Address> paymentToken(long chainId) {
        return paymentTokens.computeIfAbsent(chainId, id -> {
            try {
                return deployments.load(id).map(TokenLabels::paymentToken);
            } catch (HyphaException e) {
                // a damaged deployments file costs only the pretty amounts here; `hypha status` reports it
                return Optional.empty();
            }
        });
    }

    private static Address paymentToken(Deployment d) {
        return Address.parse(d.address("PaymentToken"));
    }
}
