package dev.hypha.node.apps;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.deploy.AppRewardsClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.node.gateway.GatewayException;
import java.math.BigInteger;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Charges app-tagged requests through AppRewards from the gateway's own account: the app's price per answered request
 * ({@code pay(appId, provider, price)}: the protocol fee, the creator's share, the rest to the serving provider, on top
 * of what the provider's channel was paid for the tokens). An app priced at 0 is served uncharged.
 *
 * <p>The client names the app, and the app's creator sets its price and may change it at any moment, so neither may
 * decide what the gateway's account pays: an app priced above {@code maxPerUse} is refused before anything is bought,
 * and an answer is charged the price quoted then, or the app's price at charge time if that is lower. Charges run one
 * at a time, so two answers never share one approval of the token (the second would revert and go uncharged).
 */
public final class ChainAppCharges implements AppCharges {
    /** 1 hUSD (6 decimals): what the gateway pays at most for one use of an app, unless told otherwise. */
    public static final BigInteger DEFAULT_MAX_PER_USE = BigInteger.valueOf(1_000_000);

    private final AppRewardsClient apps;
    private final BigInteger maxPerUse;
    private final ReentrantLock oneAtATime = new ReentrantLock();

    /** With {@link #DEFAULT_MAX_PER_USE}. */
    public ChainAppCharges(AppRewardsClient apps) {
        this(apps, DEFAULT_MAX_PER_USE);
    }

    /**
     * @param apps      AppRewards as the gateway's paying account
     * @param maxPerUse the most one use of any app may cost the gateway's account
     */
    public ChainAppCharges(AppRewardsClient apps, BigInteger maxPerUse) {
        this.apps = Objects.requireNonNull(apps, "apps");
        if (Objects.requireNonNull(maxPerUse, "maxPerUse").signum() < 0) {
            throw new IllegalArgumentException("maxPerUse must not be negative, was " + maxPerUse);
        }
        this.maxPerUse = maxPerUse;
    }

    @Override
    public BigInteger check(long appId) {
        BigInteger price = price(appId);
        if (price.compareTo(maxPerUse) > 0) {
            throw GatewayException.badRequest(AppTag.HEADER + " " + appId + " costs " + price
                    + " units per use, more than the " + maxPerUse + " this gateway pays for one use of an app");
        }
        return price;
    }

    @Override
    public void charge(long appId, BigInteger quoted, Address provider) {
        BigInteger price = price(appId).min(quoted);
        if (price.signum() <= 0) {
            return;
        }
        oneAtATime.lock();
        try {
            apps.pay(appId, provider, price);
        } finally {
            oneAtATime.unlock();
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
