package dev.hypha.node.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.HyphaTokenClient;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.core.errors.HyphaException;

/**
 * A token's address, symbol and decimals as the chain states them (read once: a deployed token's symbol and
 * decimals never change). The page formats smallest units with them; the server never turns amounts into floats.
 */
record TokenLabel(String address, String symbol, int decimals) {

    /** hUSD (or whatever PaymentToken the deployment names): what channels and receipts are paid in. */
    static TokenLabel payment(HyphaContracts contracts) {
        var binding = contracts.payment().binding();
        return read(contracts.deployment().address(PaymentTokenClient.NAME), () -> binding.decimals().send(),
                () -> binding.symbol().send());
    }

    /** HYP, the staking token. */
    static TokenLabel hyp(HyphaContracts contracts) {
        var binding = contracts.hyp().binding();
        return read(contracts.deployment().address(HyphaTokenClient.NAME), () -> binding.decimals().send(),
                () -> binding.symbol().send());
    }

    private interface Call<T> {
        T send() throws Exception;
    }

    private static TokenLabel read(String address, Call<java.math.BigInteger> decimals, Call<String> symbol) {
        String lower = address.toLowerCase(java.util.Locale.ROOT);
        try {
            return new TokenLabel(lower, symbol.send(), decimals.send().intValueExact());
        } catch (Exception e) {
            throw new HyphaException(dev.hypha.core.errors.ErrorCategory.CHAIN, "cannot read the symbol and decimals"
                    + " of the token at " + lower + ": " + e.getMessage(), e);
        }
    }

    ObjectNode json(ObjectNode into) {
        return into.put("address", address).put("symbol", symbol).put("decimals", decimals);
    }
}
