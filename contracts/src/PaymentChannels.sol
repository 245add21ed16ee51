// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title PaymentChannels
/// @notice Unidirectional ERC-20 payment channels from a payer (a gateway's user) to a provider, paid per request
/// with cumulative EIP-712 vouchers. The payer deposits and may top up; with each request it signs a voucher for the
/// total owed so far; the provider redeems the newest voucher whenever it likes (each redemption pays the difference
/// to what was already redeemed). The payer leaves with `requestClose`, which starts a challenge window in which the
/// provider can still redeem; after it anyone may `settle`, returning the rest to the payer. The provider may settle
/// at any time (after its last redemption) to return the rest at once.
/// @dev No owner, no admin, no upgrade: nobody but the two parties can move a channel's funds, and the rules cannot
/// change under them. A channel is identified by the hash of its parameters (payer, provider, token, voucher signer,
/// salt), which callers pass in every call; storage holds only one slot per channel (deposit, redeemed, closing time),
/// so opening, redeeming and closing stay cheap. A settled channel keeps a tombstone, so its id (and hence its old
/// vouchers) can never be used again. Vouchers are bound to the channel id and to this contract and chain through the
/// EIP-712 domain, so they replay nowhere else. Amounts are at most 2^96 - 1 token units per channel.
contract PaymentChannels is EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice A channel's fixed parameters; its id is `keccak256(abi.encode(channel))`.
    /// @param payer deposits, signs (or lets `signer` sign) vouchers, gets the rest back
    /// @param provider receives what vouchers promise
    /// @param token the ERC-20 paid in (a plain token: no fee on transfer, no rebasing)
    /// @param signer the key whose vouchers count: the payer itself, or a key it delegates to (a gateway's hot key,
    /// an agent's session key); an ERC-1271 contract is accepted
    /// @param salt any value, so one payer can hold several channels to the same provider
    struct Channel {
        address payer;
        address provider;
        IERC20 token;
        address signer;
        bytes32 salt;
    }

    /// @dev One storage slot per channel. closesAt: 0 while open, the end of the challenge window while closing,
    /// SETTLED once settled (deposit and redeemed then keep their final values as a record).
    struct State {
        uint96 deposit;
        uint96 redeemed;
        uint64 closesAt;
    }

    /// @notice EIP-712 type of a voucher: the payer owes the provider `cumulativeAmount` in total on `channelId`.
    bytes32 public constant VOUCHER_TYPEHASH = keccak256("Voucher(bytes32 channelId,uint256 cumulativeAmount)");
    /// @notice Shortest challenge window outside the local development chain.
    uint64 public constant MIN_CHALLENGE_PERIOD = 1 hours;
    /// @notice Longest challenge window (a payer's funds are never locked longer than this after asking to close).
    uint64 public constant MAX_CHALLENGE_PERIOD = 30 days;
    /// @notice Chain id of the local development chain (anvil, `hypha up`), where any window is allowed.
    uint256 public constant LOCAL_CHAIN_ID = 31337;
    uint64 private constant SETTLED = type(uint64).max;

    /// @notice Seconds between a payer's close request and the moment its deposit can be returned.
    uint64 public immutable challengePeriod;

    mapping(bytes32 channelId => State) private _states;

    /// @notice A channel was opened with `deposit`.
    event ChannelOpened(
        bytes32 indexed channelId,
        address indexed payer,
        address indexed provider,
        address token,
        address signer,
        bytes32 salt,
        uint256 deposit
    );
    /// @notice `from` added `amount`; the deposit is now `deposit`.
    event ChannelToppedUp(bytes32 indexed channelId, address indexed from, uint256 amount, uint256 deposit);
    /// @notice The provider was paid `amount`; `redeemed` in total so far.
    event VoucherRedeemed(bytes32 indexed channelId, uint256 amount, uint256 redeemed);
    /// @notice The payer asked to close; the provider can redeem until `closesAt`.
    event CloseRequested(bytes32 indexed channelId, uint64 closesAt);
    /// @notice The channel ended: `refunded` went back to the payer, `redeemed` was paid to the provider in total.
    event ChannelSettled(bytes32 indexed channelId, uint256 refunded, uint256 redeemed);

    /// @notice The challenge period is outside [MIN_CHALLENGE_PERIOD, MAX_CHALLENGE_PERIOD] (the minimum does not
    /// apply on the local chain).
    error InvalidChallengePeriod(uint64 period);
    /// @notice A channel parameter is the zero address, or payer and provider are the same account.
    error InvalidChannel();
    /// @notice Only the channel's payer may do this.
    error NotPayer(address caller, address payer);
    /// @notice An amount of zero was given.
    error ZeroAmount();
    /// @notice The deposit would exceed 2^96 - 1 token units.
    error DepositTooLarge(uint256 deposit);
    /// @notice A channel with these parameters exists or existed (ids are never reused).
    error ChannelExists(bytes32 channelId);
    /// @notice No channel with these parameters was opened.
    error ChannelNotFound(bytes32 channelId);
    /// @notice The channel is closing or settled and takes no more deposits.
    error ChannelNotOpen(bytes32 channelId);
    /// @notice The channel is settled: nothing can be redeemed or returned any more.
    error ChannelSettledAlready(bytes32 channelId);
    /// @notice The challenge window ended at `closesAt`: vouchers can no longer be redeemed.
    error ChallengeWindowOver(uint64 closesAt);
    /// @notice The challenge window is still open until `closesAt` (or no close was requested: closesAt 0).
    error ChallengeWindowOpen(uint64 closesAt);
    /// @notice The signature is not the channel signer's over this voucher.
    error InvalidVoucher();
    /// @notice The voucher pays nothing beyond what was already redeemed.
    error NothingToRedeem(uint256 redeemed, uint256 payable_);
    /// @notice A provider claimed more than the voucher it presents.
    error ClaimAboveVoucher(uint256 claimTotal, uint256 cumulativeAmount);
    /// @notice The token delivered a different amount than asked (fee-on-transfer tokens are not supported).
    error UnsupportedToken(uint256 received, uint256 expected);

    /// @param challengePeriod_ seconds between `requestClose` and `settle`, in [MIN_CHALLENGE_PERIOD,
    /// MAX_CHALLENGE_PERIOD] (any value up to the maximum on the local chain)
    constructor(uint64 challengePeriod_) EIP712("Hypha PaymentChannels", "1") {
        if (
            challengePeriod_ > MAX_CHALLENGE_PERIOD
                || (challengePeriod_ < MIN_CHALLENGE_PERIOD && block.chainid != LOCAL_CHAIN_ID)
        ) {
            revert InvalidChallengePeriod(challengePeriod_);
        }
        challengePeriod = challengePeriod_;
    }

    // ----------------------------------------------------------------------------------------------
    // Payer
    // ----------------------------------------------------------------------------------------------

    /// @notice Opens a channel with `amount` of `channel.token` from the caller, who must be `channel.payer`
    /// (approve this contract first).
    /// @param channel the channel's parameters (see Channel)
    /// @param amount the deposit, > 0 and < 2^96
    /// @return channelId the new channel's id
    function open(Channel calldata channel, uint256 amount) external nonReentrant returns (bytes32 channelId) {
        if (msg.sender != channel.payer) revert NotPayer(msg.sender, channel.payer);
        if (
            channel.provider == address(0) || address(channel.token) == address(0) || channel.signer == address(0)
                || channel.provider == channel.payer
        ) revert InvalidChannel();
        if (amount == 0) revert ZeroAmount();
        if (amount > type(uint96).max) revert DepositTooLarge(amount);
        channelId = channelIdOf(channel);
        State storage s = _states[channelId];
        if (s.deposit != 0 || s.closesAt != 0) revert ChannelExists(channelId);

        s.deposit = uint96(amount);
        emit ChannelOpened(channelId, channel.payer, channel.provider, address(channel.token), channel.signer,
            channel.salt, amount);
        _pull(channel.token, amount);
    }

    /// @notice Adds `amount` to an open channel's deposit. Anyone may top up; what is not redeemed returns to the payer.
    /// @param channel the channel's parameters
    /// @param amount tokens to add, > 0
    function topUp(Channel calldata channel, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        bytes32 channelId = channelIdOf(channel);
        State storage s = _existing(channelId);
        if (s.closesAt != 0) revert ChannelNotOpen(channelId);
        uint256 deposit = uint256(s.deposit) + amount;
        if (deposit > type(uint96).max) revert DepositTooLarge(deposit);

        s.deposit = uint96(deposit);
        emit ChannelToppedUp(channelId, msg.sender, amount, deposit);
        _pull(channel.token, amount);
    }

    /// @notice Starts the challenge window: the provider can redeem until now + challengePeriod, then anyone can
    /// settle and return the rest to the payer. Only the payer.
    /// @param channel the channel's parameters
    function requestClose(Channel calldata channel) external {
        if (msg.sender != channel.payer) revert NotPayer(msg.sender, channel.payer);
        bytes32 channelId = channelIdOf(channel);
        State storage s = _existing(channelId);
        if (s.closesAt != 0) revert ChannelNotOpen(channelId);
        uint64 closesAt = uint64(block.timestamp) + challengePeriod;
        s.closesAt = closesAt;
        emit CloseRequested(channelId, closesAt);
    }

    // ----------------------------------------------------------------------------------------------
    // Provider (or anyone relaying for it)
    // ----------------------------------------------------------------------------------------------

    /// @notice Pays the provider what a voucher promises beyond what was already redeemed, never more than the
    /// deposit. Anyone may submit it (the tokens always go to the provider); allowed while the channel is open or
    /// within the challenge window.
    /// @param channel the channel's parameters
    /// @param cumulativeAmount the total the voucher says is owed on this channel
    /// @param signature the signer's signature of the voucher (65-byte ECDSA, low s, or an ERC-1271 signature)
    /// @return paid what was transferred to the provider now
    function redeem(Channel calldata channel, uint256 cumulativeAmount, bytes calldata signature)
        external
        nonReentrant
        returns (uint256 paid)
    {
        return _redeem(channel, cumulativeAmount, cumulativeAmount, signature);
    }

    /// @notice Like `redeem`, but the provider claims a total of only `claimTotal` (<= the voucher's total): a voucher
    /// signed in advance for a request's maximum price need not be cashed beyond what the answers actually cost.
    /// @param channel the channel's parameters
    /// @param cumulativeAmount the total the voucher says is owed on this channel
    /// @param claimTotal the total the provider claims, at most `cumulativeAmount`
    /// @param signature the signer's signature of the voucher
    /// @return paid what was transferred to the provider now
    function redeemUpTo(Channel calldata channel, uint256 cumulativeAmount, uint256 claimTotal, bytes calldata signature)
        external
        nonReentrant
        returns (uint256 paid)
    {
        if (claimTotal > cumulativeAmount) revert ClaimAboveVoucher(claimTotal, cumulativeAmount);
        return _redeem(channel, cumulativeAmount, claimTotal, signature);
    }

    function _redeem(Channel calldata channel, uint256 cumulativeAmount, uint256 claimTotal, bytes calldata signature)
        private
        returns (uint256 paid)
    {
        bytes32 channelId = channelIdOf(channel);
        State storage s = _existing(channelId);
        uint64 closesAt = s.closesAt;
        if (closesAt == SETTLED) revert ChannelSettledAlready(channelId);
        // Validators can skew timestamps by seconds; challenge windows are hours.
        // forge-lint: disable-next-line(block-timestamp)
        if (closesAt != 0 && block.timestamp >= closesAt) revert ChallengeWindowOver(closesAt);
        if (!SignatureChecker.isValidSignatureNow(channel.signer, voucherDigest(channelId, cumulativeAmount), signature)) {
            revert InvalidVoucher();
        }
        uint256 deposit = s.deposit;
        uint256 redeemed = s.redeemed;
        uint256 payable_ = claimTotal < deposit ? claimTotal : deposit;
        if (payable_ <= redeemed) revert NothingToRedeem(redeemed, payable_);

        paid = payable_ - redeemed;
        s.redeemed = uint96(payable_);
        emit VoucherRedeemed(channelId, paid, payable_);
        channel.token.safeTransfer(channel.provider, paid);
    }

    /// @notice Ends the channel and returns what was not redeemed to the payer. The provider may call it at any time
    /// (it gives up redeeming more); anyone else only after the challenge window of a requested close.
    /// @param channel the channel's parameters
    /// @return refunded what went back to the payer
    function settle(Channel calldata channel) external nonReentrant returns (uint256 refunded) {
        bytes32 channelId = channelIdOf(channel);
        State storage s = _existing(channelId);
        uint64 closesAt = s.closesAt;
        if (closesAt == SETTLED) revert ChannelSettledAlready(channelId);
        // forge-lint: disable-next-line(block-timestamp)
        if (msg.sender != channel.provider && (closesAt == 0 || block.timestamp < closesAt)) {
            revert ChallengeWindowOpen(closesAt);
        }
        uint256 redeemed = s.redeemed;
        refunded = uint256(s.deposit) - redeemed;
        s.closesAt = SETTLED;
        emit ChannelSettled(channelId, refunded, redeemed);
        if (refunded != 0) channel.token.safeTransfer(channel.payer, refunded);
    }

    // ----------------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------------

    /// @notice The id of a channel with these parameters.
    /// @param channel the channel's parameters
    /// @return the id
    function channelIdOf(Channel calldata channel) public pure returns (bytes32) {
        return keccak256(abi.encode(channel));
    }

    /// @notice A channel's money and status.
    /// @param channelId the channel's id
    /// @return deposit all deposited so far
    /// @return redeemed all paid to the provider so far
    /// @return closesAt end of the challenge window (0 while open)
    /// @return settled whether the channel has ended
    function channelState(bytes32 channelId)
        external
        view
        returns (uint256 deposit, uint256 redeemed, uint64 closesAt, bool settled)
    {
        State storage s = _states[channelId];
        settled = s.closesAt == SETTLED;
        return (s.deposit, s.redeemed, settled ? 0 : s.closesAt, settled);
    }

    /// @notice The EIP-712 digest a signer signs for a voucher.
    /// @param channelId the channel's id
    /// @param cumulativeAmount the total owed
    /// @return the digest
    function voucherDigest(bytes32 channelId, uint256 cumulativeAmount) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(VOUCHER_TYPEHASH, channelId, cumulativeAmount)));
    }

    /// @notice The EIP-712 domain separator (name "Hypha PaymentChannels", version "1", this chain, this contract).
    /// @return the separator
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ----------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------

    function _existing(bytes32 channelId) private view returns (State storage s) {
        s = _states[channelId];
        if (s.deposit == 0 && s.closesAt == 0) revert ChannelNotFound(channelId);
    }

    /// @dev Pulls exactly `amount` from the caller; a token that delivers less (fees) or more is refused, since the
    /// books would no longer match the balance.
    function _pull(IERC20 token, uint256 amount) private {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert UnsupportedToken(received, amount);
    }
}
