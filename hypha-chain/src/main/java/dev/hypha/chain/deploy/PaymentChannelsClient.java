package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.channels.AccountVoucherSignature;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.ChannelState;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.chain.channels.VoucherDomain;
import dev.hypha.chain.contracts.AgentAccount;
import dev.hypha.chain.contracts.PaymentChannels;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tuples.generated.Tuple4;
import org.web3j.utils.Numeric;

/**
 * PaymentChannels: open and top up channels (approving the token when the allowance is short), redeem vouchers,
 * request a close, settle; and the reads a payer or provider needs before it trusts a channel. Channel parameters,
 * ids and vouchers are {@code dev.hypha.chain.channels}' types.
 */
public final class PaymentChannelsClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "PaymentChannels";
    /** What ERC-1271's {@code isValidSignature} answers for a valid signature (its own selector). */
    private static final byte[] ERC1271_VALID = {0x16, 0x26, (byte) 0xba, 0x7e};

    /** Most signers whose being a contract is remembered (the least recently asked is forgotten first). */
    static final int MAX_CACHED_SIGNERS = 4_096;

    private final ContractCalls calls;
    /** Whether each recent channel signer is a contract; access-ordered, bounded: peers name signers at will. */
    private final Map<Address, Boolean> contractSigners;
    private final PaymentChannels binding;

    PaymentChannelsClient(ContractCalls calls) {
        this(calls, MAX_CACHED_SIGNERS);
    }

    PaymentChannelsClient(ContractCalls calls, int maxCachedSigners) {
        this.calls = calls;
        this.binding = calls.binding(NAME, PaymentChannels::load);
        this.contractSigners = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Address, Boolean> eldest) {
                return size() > maxCachedSigners;
            }
        };
    }

    /** The generated binding, for reads not wrapped here. */
    public PaymentChannels binding() {
        return binding;
    }

    /** The EIP-712 domain vouchers for this contract are signed in. */
    public VoucherDomain voucherDomain() {
        return new VoucherDomain(calls.deployment().chainId(), Address.parse(calls.deployment().address(NAME)));
    }

    /** Seconds between a close request and settlement. */
    public long challengePeriod() {
        return read(NAME + ".challengePeriod", () -> binding.challengePeriod().send()).longValueExact();
    }

    /** A channel's state (all zero for an id never opened). */
    public ChannelState state(String channelId) {
        Tuple4<BigInteger, BigInteger, BigInteger, Boolean> t =
                read(NAME + ".channelState", () -> binding.channelState(Numeric.hexStringToByteArray(channelId)).send());
        return new ChannelState(t.component1(), t.component2(), t.component3().longValueExact(), t.component4());
    }

    /** The contract's digest of a voucher (to check {@link VoucherDomain} against the chain). */
    public byte[] voucherDigest(String channelId, BigInteger cumulativeAmount) {
        return read(NAME + ".voucherDigest",
                () -> binding.voucherDigest(Numeric.hexStringToByteArray(channelId), cumulativeAmount).send());
    }

    /**
     * Opens a channel with {@code amount} from this account (its payer), first approving the token when the
     * allowance is short.
     *
     * @return the channel's id
     */
    public String open(ChannelParams channel, BigInteger amount) {
        requireAmount(amount);
        calls.approveIfShort(NAME, channel.token(), amount);
        calls.write(NAME, "open", binding.open(struct(channel), amount));
        return channel.id();
    }

    /** Adds {@code amount} to an open channel's deposit (approving the token when the allowance is short). */
    public TransactionReceipt topUp(ChannelParams channel, BigInteger amount) {
        requireAmount(amount);
        calls.approveIfShort(NAME, channel.token(), amount);
        return calls.write(NAME, "topUp", binding.topUp(struct(channel), amount));
    }

    /** Redeems a voucher: pays the provider what it promises beyond what was redeemed (anyone may send it). */
    public TransactionReceipt redeem(ChannelParams channel, Voucher voucher) {
        if (!voucher.channelId().equalsIgnoreCase(channel.id())) {
            throw ChainErrors.input("voucher for channel " + voucher.channelId() + " cannot be redeemed on channel " + channel.id());
        }
        return calls.write(NAME, "redeem",
                binding.redeem(struct(channel), voucher.cumulativeAmount(), signature(channel, voucher)));
    }

    /**
     * Redeems a voucher but claims a total of only {@code claimTotal} (at most the voucher's): what the answers paid for
     * with it actually cost.
     */
    public TransactionReceipt redeemUpTo(ChannelParams channel, Voucher voucher, BigInteger claimTotal) {
        if (!voucher.channelId().equalsIgnoreCase(channel.id())) {
            throw ChainErrors.input("voucher for channel " + voucher.channelId() + " cannot be redeemed on channel " + channel.id());
        }
        if (claimTotal.signum() < 0 || claimTotal.compareTo(voucher.cumulativeAmount()) > 0) {
            throw ChainErrors.input("claim " + claimTotal + " must be between 0 and the voucher's " + voucher.cumulativeAmount());
        }
        return calls.write(NAME, "redeemUpTo", binding.redeemUpTo(struct(channel), voucher.cumulativeAmount(), claimTotal,
                signature(channel, voucher)));
    }

    /** Starts the challenge window (this account must be the payer). */
    public TransactionReceipt requestClose(ChannelParams channel) {
        return calls.write(NAME, "requestClose", binding.requestClose(struct(channel)));
    }

    /** Ends the channel: the provider at any time, anyone else after the challenge window. */
    public TransactionReceipt settle(ChannelParams channel) {
        return calls.write(NAME, "settle", binding.settle(struct(channel)));
    }

    /**
     * The signature bytes the contract checks for {@code voucher}: its own 65 bytes when the channel's signer signed
     * it, otherwise (a channel whose payer and signer is an AgentAccount, the voucher signed by a session key) the
     * account's ERC-1271 envelope ({@link AccountVoucherSignature}).
     */
    public byte[] signature(ChannelParams channel, Voucher voucher) {
        if (voucherDomain().isSignedBy(voucher, channel.signer()) || !channel.payer().equals(channel.signer())) {
            return voucher.signature().toBytes();
        }
        return AccountVoucherSignature.envelope(channel, voucher);
    }

    /**
     * Whether the AgentAccount that is {@code channel}'s payer and signer accepts {@code voucher}, signed by one of its
     * session keys: {@code isValidSignature} of the voucher's digest with the envelope, which holds when the key is the
     * one that funded the channel through the account's policy, for at most what it funded; a later freeze, expiry or
     * revocation does not void it (the deposit was charged to the policy when made). False for any other channel, and
     * for a signer that is not such an account (its call reverts or answers something else).
     */
    public boolean accountAccepts(ChannelParams channel, Voucher voucher) {
        if (!channel.payer().equals(channel.signer()) || !voucher.channelId().equalsIgnoreCase(channel.id())) {
            return false;
        }
        if (!isContract(channel.signer())) {
            return false;
        }
        byte[] digest = voucherDomain().digest(voucher.channelId(), voucher.cumulativeAmount());
        try {
            AgentAccount account = calls.bindingAt(AgentAccountsClient.ACCOUNT, channel.signer().lowercaseHex(),
                    AgentAccount::load);
            byte[] answer = account.isValidSignature(digest, AccountVoucherSignature.envelope(channel, voucher)).send();
            return Arrays.equals(answer, ERC1271_VALID);
        } catch (Exception notAnAccountOrRefused) {
            return false;
        }
    }

    /**
     * Whether {@code signer} has code. A key's forged voucher on a plain channel must not cost an eth_call each, so
     * the answer is remembered (code does not come and go at an address a channel names, short of selfdestruct) for
     * the {@value #MAX_CACHED_SIGNERS} most recently asked signers; the chain is asked outside the lock.
     */
    private boolean isContract(Address signer) {
        synchronized (contractSigners) {
            Boolean known = contractSigners.get(signer);
            if (known != null) {
                return known;
            }
        }
        String code = calls.client().code(signer.lowercaseHex());
        boolean contract = code != null && !code.equals("0x");
        synchronized (contractSigners) {
            contractSigners.put(signer, contract);
        }
        return contract;
    }

    /** How many signers' answers are remembered (at most the bound given at construction). */
    int cachedSigners() {
        synchronized (contractSigners) {
            return contractSigners.size();
        }
    }

    /** The struct the generated binding passes to the contract. */
    static PaymentChannels.Channel struct(ChannelParams c) {
        return new PaymentChannels.Channel(c.payer().lowercaseHex(), c.provider().lowercaseHex(), c.token().lowercaseHex(),
                c.signer().lowercaseHex(), Numeric.hexStringToByteArray(c.salt()));
    }

    private static void requireAmount(BigInteger amount) {
        if (amount == null || amount.signum() <= 0 || amount.bitLength() > 96) {
            throw ChainErrors.input("channel amount must be between 1 and 2^96-1 token units, was " + amount);
        }
    }
}
