package dev.hypha.node.apps;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.deploy.AppRewardsClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.node.gateway.GatewayException;
import java.math.BigInteger;
import java.util.Objects;

/**
 * Charges app-tagged requests through AppRewards from the gateway's own account: the app's current price per answered
 * request ({@code pay(appId, provider, price)}: the protocol fee, the creator's share, the rest to the serving
 * provider, on top of what the provider's channel was paid for the tokens). An app priced at 0 is served uncharged.
 */
public final class ChainAppCharges implements AppCharges {
    private final AppRewardsClient apps;

    /** @param apps AppRewards as the gateway's paying account */
    public ChainAppCharges(AppRewardsClient apps) {
        this.apps = Objects.requireNonNull(apps, "apps");
    }

    @Override
    public void check(long appId) {
        price(appId);
    }

    @Override
    public void charge(long appId, Address provider) {
        BigInteger price = price(appId); // read again: the creator may have changed it meanwhile
        if (price.signum() > 0) {
            apps.pay(appId, provider, price);
        }
    }

    private BigInteger price(long appId) {
        try {
            return apps.app(appId).price();
        } catch (ChainException e) {
            if (String.valueOf(e.getMessage()).contains("UnknownApp")) {
                throw GatewayException.badRequest(AppTag.HEADER + " " + appId + " is not a published app");
            }
            throw e;
        }
    }
}
