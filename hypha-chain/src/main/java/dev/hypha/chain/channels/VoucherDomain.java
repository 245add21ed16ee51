package dev.hypha.chain.channels;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The EIP-712 domain of one PaymentChannels deployment (name "Hypha PaymentChannels", version "1", its chain and
 * address) and the voucher type in it, {@code Voucher(bytes32 channelId,uint256 cumulativeAmount)}: what a payer
 * signs and what a provider checks before it serves, byte for byte what the contract verifies.
 *
 * @param chainId  the chain the contract is on
 * @param contract the PaymentChannels contract
 */
public record VoucherDomain(long chainId, Address contract) {
    /** The contract's EIP-712 name. */
    public static final String NAME = "Hypha PaymentChannels";
    /** The contract's EIP-712 version. */
    public static final String VERSION = "1";
    private static final Map<String, List<TypedData.Field>> TYPES = Map.of("Voucher", List.of(
            new TypedData.Field("channelId", "bytes32"), new TypedData.Field("cumulativeAmount", "uint256")));

    public VoucherDomain {
        Objects.requireNonNull(contract, "contract");
    }

    /** The typed data of a voucher for {@code cumulativeAmount} on {@code channelId}. */
    public TypedData typedData(String channelId, BigInteger cumulativeAmount) {
        return TypedData.of(TypedData.Domain.of(NAME, VERSION, chainId, contract), TYPES, "Voucher",
                Map.of("channelId", channelId, "cumulativeAmount", cumulativeAmount));
    }

    /** The digest the signer signs (equal to the contract's {@code voucherDigest}). */
    public byte[] digest(String channelId, BigInteger cumulativeAmount) {
        return Eip712.hash(typedData(channelId, cumulativeAmount));
    }

    /**
     * Signs a voucher with a signer that never hands out its key (e.g. {@code TransactionSender::signTypedData}).
     */
    public Voucher sign(String channelId, BigInteger cumulativeAmount, Function<TypedData, Signature> signer) {
        return new Voucher(channelId, cumulativeAmount, signer.apply(typedData(channelId, cumulativeAmount)));
    }

    /**
     * Whether {@code voucher} was signed by {@code expected} (for an ECDSA signer; ERC-1271 wallets are checked by the
     * contract). A malformed or high-s signature is simply not valid.
     */
    public boolean isSignedBy(Voucher voucher, Address expected) {
        try {
            return Eip712.verify(typedData(voucher.channelId(), voucher.cumulativeAmount()), voucher.signature(), expected);
        } catch (HyphaException | IllegalArgumentException notValid) {
            return false;
        }
    }
}
