// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {BaseAccount} from "@account-abstraction/contracts/core/BaseAccount.sol";
import {IEntryPoint} from "@account-abstraction/contracts/interfaces/IEntryPoint.sol";
import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {UserOperationLib} from "@account-abstraction/contracts/core/UserOperationLib.sol";
import {
    _packValidationData,
    SIG_VALIDATION_FAILED
} from "@account-abstraction/contracts/core/Helpers.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {PaymentChannels} from "../PaymentChannels.sol";

/// @notice The EIP-3009 views the account needs to build a `transferWithAuthorization` digest.
interface IEIP3009Domain {
    /// @notice The token's EIP-712 domain separator.
    function DOMAIN_SEPARATOR() external view returns (bytes32);
}

/// @title AgentAccount
/// @notice An ERC-4337 smart account for an AI agent whose spending policy the contract itself enforces. The owner
/// (a person's wallet) has every right; the agent's runtime holds a *session key* that can only spend through four
/// narrow functions (`pay`, `openChannel`, `topUpChannel`, `authorizeTransfer`) and only within the policy: a
/// per-token limit per period, a maximum per call, an allowlist of counterparties, an expiry, and the session's own
/// narrower caps, allowlist, validity window and gas budget. The owner (or a guardian) can freeze every session at
/// once; a guardian can recover the account to a new owner after a delay the owner can use to cancel.
/// @dev Threat model: the runtime (and so its session key) is assumed compromised. Whatever it signs, it can move at
/// most what the policy allows:
/// - a user operation signed by a session key is accepted by `validateUserOp` only when its call data is one of the
///   four spending functions naming that same key, without init code or paymaster, and within the key's gas budget
///   (each operation is charged its maximum gas cost, so a key cannot drain the account's ETH through gas);
/// - the spending functions re-check everything at execution (a later operation in the same bundle sees the spend of
///   the earlier ones) and never leave an allowance behind;
/// - ERC-1271: the owner's signature is valid for anything; a session key's signature is valid only for a channel
///   voucher of a channel that key funded through the policy, up to what was deposited, or for an EIP-3009
///   transfer the key first booked against the policy with `authorizeTransfer`.
/// A channel voucher stays valid after the account is frozen, its policy expires, the key is revoked, the provider is
/// delisted or `trustedChannels` changes: the deposit
/// was charged to the policy when it went in, and a provider that did the work must be able to redeem what it was
/// promised (otherwise the owner could buy a deposit's worth, void the vouchers and close the channel to take it
/// back). So revoking a key bounds what it can still move to the deposits it made, which the policy already allowed.
/// There is no upgrade path and no delegatecall: the code that enforces the policy cannot be replaced.
contract AgentAccount is BaseAccount, IERC1271, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using UserOperationLib for PackedUserOperation;

    /// @notice Spending rule for one token (address(0) = native ETH).
    /// @param periodLimit most that all sessions together may spend per period
    /// @param maxPerCall most one call may spend
    /// @param period length of a period in seconds (fixed windows starting at `periodStart`)
    /// @param periodStart start of the current window
    /// @param spent spent in the current window
    struct TokenPolicy {
        uint128 periodLimit;
        uint128 maxPerCall;
        uint64 period;
        uint64 periodStart;
        uint128 spent;
    }

    /// @notice A runtime's key and its rights.
    /// @param validAfter first second the key may act
    /// @param validUntil last second the key may act
    /// @param epoch the recovery epoch the key was granted in (a recovery kills every older key)
    /// @param active false once revoked (or never granted)
    /// @param gasBudget most wei of gas the key's user operations may cost the account, in total
    /// @param gasSpent wei charged so far (each operation at its maximum cost)
    struct Session {
        uint48 validAfter;
        uint48 validUntil;
        uint32 epoch;
        bool active;
        uint128 gasBudget;
        uint128 gasSpent;
    }

    /// @notice Magic prefix of a session-signed channel voucher signature (see `isValidSignature`).
    bytes32 public constant VOUCHER_SIGNATURE_MAGIC = keccak256("hypha.AgentAccount.voucher");
    /// @notice EIP-3009 `transferWithAuthorization` type hash (the token's own domain).
    bytes32 public constant TRANSFER_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );
    /// @notice Longest validity window of an EIP-3009 authorization a session may book.
    uint256 public constant MAX_AUTHORIZATION_WINDOW = 1 days;
    /// @notice Shortest recovery delay outside the local development chain.
    uint64 public constant MIN_RECOVERY_DELAY = 1 days;
    /// @notice Chain id of the local development chain, where any recovery delay is allowed.
    uint256 public constant LOCAL_CHAIN_ID = 31337;
    bytes4 private constant ERC1271_INVALID = 0xffffffff;

    IEntryPoint private immutable _entryPoint;
    /// @notice Seconds between a guardian's recovery proposal and the moment it can complete.
    uint64 public immutable recoveryDelay;

    /// @notice Holder of every right.
    address public owner;
    /// @notice May freeze the account and propose a new owner (address(0): none).
    address public guardian;
    /// @notice While true no session key can spend or sign.
    bool public frozen;
    /// @notice After this second no session key can spend or sign (0: no expiry).
    uint64 public policyExpiresAt;
    /// @notice Bumped by a completed recovery; keys granted in an older epoch are dead.
    uint32 public epoch;
    /// @notice The PaymentChannels contract sessions may open channels on (address(0): none).
    PaymentChannels public trustedChannels;
    /// @notice Proposed new owner during a recovery (address(0): none pending).
    address public recoveryOwner;
    /// @notice When the pending recovery can complete.
    uint64 public recoveryReadyAt;

    mapping(address token => TokenPolicy) private _policies;
    mapping(address token => bool) public tokenEnabled;
    mapping(address counterparty => bool) public counterpartyAllowed;
    mapping(address key => Session) private _sessions;
    mapping(address key => mapping(address token => uint256)) public sessionCap;
    mapping(address key => mapping(address token => uint256)) public sessionSpent;
    mapping(address key => mapping(address counterparty => bool)) public sessionCounterpartyAllowed;
    /// @notice What this account deposited, through the policy, into each channel of `trustedChannels`.
    mapping(bytes32 channelId => uint256) public channelFunding;
    /// @notice The session key that funded each channel (the first to open or top it up; only it may top it up): its
    /// vouchers are valid up to `channelFunding`, whatever happens to the key or the account later.
    mapping(bytes32 channelId => address) public channelKey;
    /// @notice The PaymentChannels contract each funded channel lives on (`trustedChannels` when it was funded), so
    /// changing `trustedChannels` later does not void its vouchers (channel ids do not name the contract).
    mapping(bytes32 channelId => PaymentChannels) public channelContract;
    /// @notice EIP-3009 digests a session booked with `authorizeTransfer`, and the key that booked them.
    mapping(bytes32 digest => address) public authorizedDigestSession;

    /// @notice The account was created.
    event AccountCreated(IEntryPoint indexed entryPoint, address indexed owner, address indexed guardian);
    /// @notice The owner changed (by the owner, or by a completed recovery).
    event OwnerChanged(address indexed previousOwner, address indexed newOwner);
    /// @notice The guardian changed.
    event GuardianChanged(address indexed guardian);
    /// @notice A token's policy was set (`enabled` false: sessions can no longer spend it).
    event TokenPolicySet(address indexed token, bool enabled, uint128 periodLimit, uint128 maxPerCall, uint64 period);
    /// @notice A counterparty was allowed or disallowed for every session.
    event CounterpartySet(address indexed counterparty, bool allowed);
    /// @notice The session expiry changed.
    event PolicyExpirySet(uint64 expiresAt);
    /// @notice The PaymentChannels contract sessions may use changed.
    event TrustedChannelsSet(address indexed channels);
    /// @notice A session key was granted (or re-granted with new rights).
    event SessionGranted(address indexed key, uint48 validAfter, uint48 validUntil, uint128 gasBudget, uint32 epoch);
    /// @notice A session key was revoked.
    event SessionRevoked(address indexed key);
    /// @notice A session key's cap for a token was set.
    event SessionCapSet(address indexed key, address indexed token, uint256 cap);
    /// @notice A counterparty was allowed or disallowed for one session key.
    event SessionCounterpartySet(address indexed key, address indexed counterparty, bool allowed);
    /// @notice A session's user operation was charged `cost` wei of gas budget.
    event SessionGasCharged(address indexed key, uint256 cost, uint256 gasSpent);
    /// @notice A session spent `amount` of `token` towards `counterparty` (`kind`: pay, channel, authorization).
    event Spent(address indexed key, address indexed token, address indexed counterparty, uint256 amount, bytes32 kind);
    /// @notice The account was frozen (by the owner or guardian) or unfrozen (by the owner).
    event FrozenSet(bool frozen, address by);
    /// @notice The guardian proposed `newOwner`; it can complete at `readyAt`.
    event RecoveryProposed(address indexed newOwner, uint64 readyAt);
    /// @notice The owner cancelled the pending recovery.
    event RecoveryCancelled(address indexed newOwner);
    /// @notice A session booked an EIP-3009 authorization with this digest.
    event TransferAuthorized(address indexed key, address indexed token, address indexed to, uint256 value, bytes32 nonce, bytes32 digest);

    /// @notice Caller is neither the owner nor the account itself.
    error NotOwner(address caller);
    /// @notice Caller is neither the guardian nor the owner.
    error NotGuardian(address caller);
    /// @notice Caller is neither the EntryPoint nor the session key named in the call.
    error NotSession(address caller, address key);
    /// @notice The channel is funded by another session key (its vouchers are that key's alone).
    error ChannelKeyMismatch(bytes32 channelId, address key);
    /// @notice The session key is unknown, revoked, from an older epoch, or outside its validity window.
    error SessionNotLive(address key);
    /// @notice The account is frozen.
    error AccountFrozen();
    /// @notice The policy expired at `expiresAt`.
    error PolicyExpired(uint64 expiresAt);
    /// @notice No policy allows spending this token.
    error TokenNotAllowed(address token);
    /// @notice The counterparty is not on the account's (or the session's) allowlist.
    error CounterpartyNotAllowed(address counterparty);
    /// @notice The amount is above the token's maximum per call.
    error AboveMaxPerCall(uint256 amount, uint256 maxPerCall);
    /// @notice The amount would take this period's spending above the limit.
    error PeriodLimitExceeded(uint256 wouldSpend, uint256 periodLimit);
    /// @notice The amount would take the session's spending of this token above its cap.
    error SessionCapExceeded(uint256 wouldSpend, uint256 cap);
    /// @notice A zero amount or address where one is needed, or a setting that would point at the account itself.
    error InvalidArgument();
    /// @notice The channel contract is not the trusted one, or the channel does not make this account payer and signer.
    error ChannelNotAllowed();
    /// @notice The ETH transfer failed.
    error NativeTransferFailed();
    /// @notice An allowance was left behind after a channel deposit (the channel contract did not pull it all).
    error AllowanceLeft(uint256 allowance);
    /// @notice The EIP-3009 authorization's window is outside (now, now + MAX_AUTHORIZATION_WINDOW].
    error AuthorizationWindowInvalid(uint256 validAfter, uint256 validBefore);
    /// @notice The digest was already booked.
    error AuthorizationAlreadyBooked(bytes32 digest);
    /// @notice Nothing to complete, or the recovery delay has not passed.
    error RecoveryNotReady(uint64 readyAt);
    /// @notice The recovery delay is shorter than MIN_RECOVERY_DELAY outside the local chain.
    error RecoveryDelayTooShort(uint64 delay);

    modifier onlyOwner() {
        if (msg.sender != owner && msg.sender != address(this)) revert NotOwner(msg.sender);
        _;
    }

    /// @param entryPoint_ the ERC-4337 EntryPoint (v0.8) this account trusts
    /// @param owner_ the holder of every right
    /// @param guardian_ who may freeze and propose recovery (address(0): none)
    /// @param recoveryDelay_ seconds between a recovery proposal and its completion
    constructor(IEntryPoint entryPoint_, address owner_, address guardian_, uint64 recoveryDelay_) {
        if (address(entryPoint_) == address(0) || owner_ == address(0) || owner_ == guardian_) revert InvalidArgument();
        if (recoveryDelay_ < MIN_RECOVERY_DELAY && block.chainid != LOCAL_CHAIN_ID) {
            revert RecoveryDelayTooShort(recoveryDelay_);
        }
        _entryPoint = entryPoint_;
        owner = owner_;
        guardian = guardian_;
        recoveryDelay = recoveryDelay_;
        emit AccountCreated(entryPoint_, owner_, guardian_);
        emit OwnerChanged(address(0), owner_);
        emit GuardianChanged(guardian_);
    }

    /// @notice Accepts ETH (for gas prefunds and native payments).
    receive() external payable {}

    /// @inheritdoc BaseAccount
    function entryPoint() public view override returns (IEntryPoint) {
        return _entryPoint;
    }

    // ----------------------------------------------------------------------------------------------
    // ERC-4337 validation
    // ----------------------------------------------------------------------------------------------

    /// @dev The owner's signature validates any operation. A session key's validates only a call to one of the four
    /// spending functions naming that key as its first argument, without init code or paymaster, charged against the
    /// key's gas budget. Time checks go to the EntryPoint through the packed validity window (ERC-7562 forbids
    /// reading the clock here); frozen, revoked and expired keys fail at once.
    function _validateSignature(PackedUserOperation calldata userOp, bytes32 userOpHash)
        internal
        override
        returns (uint256 validationData)
    {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(userOpHash, userOp.signature);
        if (err != ECDSA.RecoverError.NoError) return SIG_VALIDATION_FAILED;
        if (signer == owner) return 0;

        Session storage s = _sessions[signer];
        if (!s.active || s.epoch != epoch || frozen) return SIG_VALIDATION_FAILED;
        if (userOp.initCode.length != 0 || userOp.paymasterAndData.length != 0) return SIG_VALIDATION_FAILED;
        if (!_isSessionCall(userOp.callData, signer)) return SIG_VALIDATION_FAILED;

        uint256 cost = _maxGasCost(userOp);
        uint256 gasSpent = uint256(s.gasSpent) + cost;
        if (gasSpent > s.gasBudget) return SIG_VALIDATION_FAILED;
        // Safe: gasSpent <= gasBudget, a uint128.
        // forge-lint: disable-next-line(unsafe-typecast)
        s.gasSpent = uint128(gasSpent);
        emit SessionGasCharged(signer, cost, gasSpent);

        uint48 validUntil = s.validUntil;
        uint64 expiry = policyExpiresAt;
        // Safe: expiry < validUntil, a uint48.
        // forge-lint: disable-next-line(unsafe-typecast)
        if (expiry != 0 && expiry < validUntil) validUntil = uint48(expiry);
        // The EntryPoint treats validAfter as exclusive; direct calls treat it as the first valid second.
        uint48 validAfter = s.validAfter == 0 ? 0 : s.validAfter - 1;
        return _packValidationData(false, validUntil, validAfter);
    }

    /// @dev True when `callData` calls pay/openChannel/topUpChannel/authorizeTransfer with `key` as first argument.
    function _isSessionCall(bytes calldata callData, address key) private pure returns (bool) {
        if (callData.length < 36) return false;
        bytes4 selector = bytes4(callData[:4]);
        if (
            selector != this.pay.selector && selector != this.openChannel.selector
                && selector != this.topUpChannel.selector && selector != this.authorizeTransfer.selector
        ) return false;
        return uint256(bytes32(callData[4:36])) == uint256(uint160(key));
    }

    /// @dev The most the EntryPoint can charge for the operation: every gas limit at the maximum fee.
    function _maxGasCost(PackedUserOperation calldata userOp) private pure returns (uint256) {
        uint256 gas = userOp.unpackVerificationGasLimit() + userOp.unpackCallGasLimit() + userOp.preVerificationGas;
        return gas * userOp.unpackMaxFeePerGas();
    }

    /// @dev execute/executeBatch: the EntryPoint (after validation, which admits only owner-signed calls to them)
    /// or the owner directly.
    function _requireForExecute() internal view override {
        if (msg.sender != address(_entryPoint) && msg.sender != owner) revert NotOwner(msg.sender);
    }

    // ----------------------------------------------------------------------------------------------
    // Session spending (the only things a session key can do)
    // ----------------------------------------------------------------------------------------------

    /// @notice Pays `amount` of `token` (address(0): ETH) to `to` within the policy.
    /// @param key the session key spending (must be the signer of the user operation, or the caller)
    function pay(address key, address token, address to, uint256 amount) external nonReentrant {
        _authorizeSession(key);
        _spend(key, token, to, amount, "pay");
        if (token == address(0)) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert NativeTransferFailed();
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }

    /// @notice Opens a channel on `trustedChannels` to `channel.provider` with `amount`, within the policy. The
    /// channel must make this account both payer and voucher signer, so its vouchers go through `isValidSignature`.
    function openChannel(address key, PaymentChannels.Channel calldata channel, uint256 amount)
        external
        nonReentrant
        returns (bytes32 channelId)
    {
        _authorizeSession(key);
        PaymentChannels channels = _checkChannel(channel);
        _spend(key, address(channel.token), channel.provider, amount, "channel");
        channelId = channels.channelIdOf(channel);
        _fund(channels, channelId, key, amount);
        _approveExactly(channel.token, address(channels), amount);
        channels.open(channel, amount);
        _requireNoAllowance(channel.token, address(channels));
    }

    /// @notice Adds `amount` to a channel on `trustedChannels`, within the policy.
    function topUpChannel(address key, PaymentChannels.Channel calldata channel, uint256 amount) external nonReentrant {
        _authorizeSession(key);
        PaymentChannels channels = _checkChannel(channel);
        _spend(key, address(channel.token), channel.provider, amount, "channel");
        _fund(channels, channels.channelIdOf(channel), key, amount);
        _approveExactly(channel.token, address(channels), amount);
        channels.topUp(channel, amount);
        _requireNoAllowance(channel.token, address(channels));
    }

    /// @notice Books an EIP-3009 `transferWithAuthorization` from this account against the policy, so that
    /// `isValidSignature` accepts it (x402 `exact`). The spend counts now, whether or not anyone submits it.
    /// @dev The digest is built with the token's own `DOMAIN_SEPARATOR()`: a token the owner enabled is trusted to
    /// report its domain honestly (a hostile token could otherwise choose a domain whose digest matches another
    /// message). Enable only real EIP-3009 tokens.
    /// @return digest the EIP-712 digest the token will ask this account to approve
    function authorizeTransfer(
        address key,
        address token,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce
    ) external nonReentrant returns (bytes32 digest) {
        _authorizeSession(key);
        // forge-lint: disable-next-line(block-timestamp)
        if (validBefore <= block.timestamp || validBefore > block.timestamp + MAX_AUTHORIZATION_WINDOW || validAfter >= validBefore) {
            revert AuthorizationWindowInvalid(validAfter, validBefore);
        }
        if (token == address(0)) revert TokenNotAllowed(token);
        _spend(key, token, to, value, "authorization");
        bytes32 structHash = keccak256(
            abi.encode(TRANSFER_WITH_AUTHORIZATION_TYPEHASH, address(this), to, value, validAfter, validBefore, nonce)
        );
        digest = keccak256(abi.encodePacked(hex"1901", IEIP3009Domain(token).DOMAIN_SEPARATOR(), structHash));
        if (authorizedDigestSession[digest] != address(0)) revert AuthorizationAlreadyBooked(digest);
        authorizedDigestSession[digest] = key;
        emit TransferAuthorized(key, token, to, value, nonce, digest);
    }

    function _authorizeSession(address key) private view {
        if (msg.sender != address(_entryPoint) && msg.sender != key) revert NotSession(msg.sender, key);
        _requireLive(key);
    }

    function _requireLive(address key) private view {
        if (frozen) revert AccountFrozen();
        uint64 expiry = policyExpiresAt;
        // forge-lint: disable-next-line(block-timestamp)
        if (expiry != 0 && block.timestamp > expiry) revert PolicyExpired(expiry);
        if (!_isLive(key)) revert SessionNotLive(key);
    }

    function _isLive(address key) private view returns (bool) {
        Session storage s = _sessions[key];
        // forge-lint: disable-next-line(block-timestamp)
        return s.active && s.epoch == epoch && block.timestamp >= s.validAfter && block.timestamp <= s.validUntil;
    }

    /// @dev Checks and books one spend against the token policy, the allowlists and the session's cap.
    function _spend(address key, address token, address counterparty, uint256 amount, bytes32 kind) private {
        if (amount == 0 || counterparty == address(0) || counterparty == address(this)) revert InvalidArgument();
        if (!tokenEnabled[token]) revert TokenNotAllowed(token);
        if (!counterpartyAllowed[counterparty] || !sessionCounterpartyAllowed[key][counterparty]) {
            revert CounterpartyNotAllowed(counterparty);
        }
        TokenPolicy storage p = _policies[token];
        if (amount > p.maxPerCall) revert AboveMaxPerCall(amount, p.maxPerCall);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp >= uint256(p.periodStart) + p.period) {
            // Fixed windows: jump to the window containing now, so unused budget never carries over.
            uint256 elapsed = block.timestamp - p.periodStart;
            // Safe: the window start only moves up to now, far below 2^64.
            // forge-lint: disable-next-line(unsafe-typecast)
            p.periodStart += uint64(elapsed - (elapsed % p.period));
            p.spent = 0;
        }
        uint256 periodSpent = uint256(p.spent) + amount;
        if (periodSpent > p.periodLimit) revert PeriodLimitExceeded(periodSpent, p.periodLimit);
        uint256 sessionTotal = sessionSpent[key][token] + amount;
        if (sessionTotal > sessionCap[key][token]) revert SessionCapExceeded(sessionTotal, sessionCap[key][token]);
        // Safe: periodSpent <= periodLimit, a uint128.
        // forge-lint: disable-next-line(unsafe-typecast)
        p.spent = uint128(periodSpent);
        sessionSpent[key][token] = sessionTotal;
        emit Spent(key, token, counterparty, amount, kind);
    }

    function _checkChannel(PaymentChannels.Channel calldata channel) private view returns (PaymentChannels channels) {
        channels = trustedChannels;
        if (address(channels) == address(0) || channel.payer != address(this) || channel.signer != address(this)) {
            revert ChannelNotAllowed();
        }
    }

    /// @dev Books a deposit to the key that funds the channel on `channels`; one key and one contract per channel, so
    /// its vouchers alone count, on that contract alone.
    function _fund(PaymentChannels channels, bytes32 channelId, address key, uint256 amount) private {
        address funder = channelKey[channelId];
        if (funder == address(0)) {
            channelKey[channelId] = key;
            channelContract[channelId] = channels;
        } else if (funder != key) {
            revert ChannelKeyMismatch(channelId, key);
        } else if (channelContract[channelId] != channels) {
            revert ChannelNotAllowed();
        }
        channelFunding[channelId] += amount;
    }

    function _approveExactly(IERC20 token, address spender, uint256 amount) private {
        token.forceApprove(spender, amount);
    }

    function _requireNoAllowance(IERC20 token, address spender) private {
        uint256 left = token.allowance(address(this), spender);
        if (left != 0) {
            token.forceApprove(spender, 0);
            revert AllowanceLeft(left);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // ERC-1271
    // ----------------------------------------------------------------------------------------------

    /// @notice ERC-1271: valid when the owner signed `hash`; when the session key that funded a channel (on the
    /// `trustedChannels` of that time) through the policy signed a voucher of it (in the envelope
    /// `abi.encode(VOUCHER_SIGNATURE_MAGIC, channel, cumulativeAmount, keySignature)`) for at most what it deposited,
    /// whether or not the key, the policy and the account are still live (see the contract's notes); or when `hash`
    /// is an EIP-3009 authorization a live key booked with `authorizeTransfer`, the account neither frozen nor past
    /// its policy's expiry.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length == 65 && SignatureChecker.isValidSignatureNow(owner, hash, signature)) {
            return IERC1271.isValidSignature.selector;
        }
        if (signature.length > 65 && bytes32(signature[:32]) == VOUCHER_SIGNATURE_MAGIC) {
            return _isValidVoucher(hash, signature) ? IERC1271.isValidSignature.selector : ERC1271_INVALID;
        }
        if (!_sessionsMaySign()) return ERC1271_INVALID;

        address booker = authorizedDigestSession[hash];
        if (booker != address(0)) {
            return _isLive(booker) ? IERC1271.isValidSignature.selector : ERC1271_INVALID;
        }
        if (signature.length != 65 && address(owner).code.length != 0
                && SignatureChecker.isValidSignatureNow(owner, hash, signature)) {
            return IERC1271.isValidSignature.selector;
        }
        return ERC1271_INVALID;
    }

    function _sessionsMaySign() private view returns (bool) {
        uint64 expiry = policyExpiresAt;
        // forge-lint: disable-next-line(block-timestamp)
        return !frozen && (expiry == 0 || block.timestamp <= expiry);
    }

    function _isValidVoucher(bytes32 hash, bytes calldata signature) private view returns (bool) {
        (, PaymentChannels.Channel memory channel, uint256 cumulativeAmount, bytes memory keySignature) =
            abi.decode(signature, (bytes32, PaymentChannels.Channel, uint256, bytes));
        if (channel.payer != address(this) || channel.signer != address(this)) return false;
        bytes32 channelId = keccak256(abi.encode(channel));
        // The contract it was funded on, not today's `trustedChannels`: the owner cannot void vouchers by switching.
        PaymentChannels channels = channelContract[channelId];
        if (address(channels) == address(0)) return false;
        if (cumulativeAmount > channelFunding[channelId]) return false;
        if (hash != channels.voucherDigest(channelId, cumulativeAmount)) return false;
        (address key, ECDSA.RecoverError err,) = ECDSA.tryRecover(hash, keySignature);
        // Liveness, freezing and the allowlists were checked when the key deposited (the funding is non-zero only
        // then); checking them again now would let the owner void vouchers for work already done.
        return err == ECDSA.RecoverError.NoError && key != address(0) && key == channelKey[channelId];
    }

    // ----------------------------------------------------------------------------------------------
    // Owner: policy and sessions
    // ----------------------------------------------------------------------------------------------

    /// @notice Sets the policy of `token` (address(0): ETH). `enabled` false stops all session spending of it.
    /// Changing the period restarts the window now with nothing spent.
    function setTokenPolicy(address token, bool enabled, uint128 periodLimit, uint128 maxPerCall, uint64 period)
        external
        onlyOwner
    {
        if (token == address(this) || (enabled && period == 0)) revert InvalidArgument();
        TokenPolicy storage p = _policies[token];
        if (p.period != period) {
            p.period = period;
            p.periodStart = uint64(block.timestamp);
            p.spent = 0;
        }
        p.periodLimit = periodLimit;
        p.maxPerCall = maxPerCall;
        tokenEnabled[token] = enabled;
        emit TokenPolicySet(token, enabled, periodLimit, maxPerCall, period);
    }

    /// @notice Allows or disallows paying `counterparty` for every session.
    function setCounterparty(address counterparty, bool allowed) external onlyOwner {
        if (counterparty == address(0) || counterparty == address(this)) revert InvalidArgument();
        counterpartyAllowed[counterparty] = allowed;
        emit CounterpartySet(counterparty, allowed);
    }

    /// @notice Sets when session spending ends (0: never).
    function setPolicyExpiry(uint64 expiresAt) external onlyOwner {
        policyExpiresAt = expiresAt;
        emit PolicyExpirySet(expiresAt);
    }

    /// @notice Sets the PaymentChannels contract sessions may fund channels on.
    function setTrustedChannels(PaymentChannels channels) external onlyOwner {
        if (address(channels) == address(this)) revert InvalidArgument();
        trustedChannels = channels;
        emit TrustedChannelsSet(address(channels));
    }

    /// @notice Grants (or re-grants) a session key; its caps and allowlist are set separately. Re-granting keeps
    /// what the key already spent and the gas it used.
    function grantSession(address key, uint48 validAfter, uint48 validUntil, uint128 gasBudget) external onlyOwner {
        // validUntil 0 would mean "no expiry" to the EntryPoint.
        if (key == address(0) || key == owner || key == address(this) || validUntil == 0 || validUntil < validAfter) {
            revert InvalidArgument();
        }
        Session storage s = _sessions[key];
        s.validAfter = validAfter;
        s.validUntil = validUntil;
        s.epoch = epoch;
        s.active = true;
        s.gasBudget = gasBudget;
        emit SessionGranted(key, validAfter, validUntil, gasBudget, epoch);
    }

    /// @notice Revokes a session key at once.
    function revokeSession(address key) external onlyOwner {
        _sessions[key].active = false;
        emit SessionRevoked(key);
    }

    /// @notice Sets the most `key` may ever spend of `token` (its own budget inside the account's).
    function setSessionCap(address key, address token, uint256 cap) external onlyOwner {
        sessionCap[key][token] = cap;
        emit SessionCapSet(key, token, cap);
    }

    /// @notice Allows or disallows `counterparty` for `key` (it must also be allowed for the account).
    function setSessionCounterparty(address key, address counterparty, bool allowed) external onlyOwner {
        sessionCounterpartyAllowed[key][counterparty] = allowed;
        emit SessionCounterpartySet(key, counterparty, allowed);
    }

    /// @notice A session key's grant.
    function session(address key) external view returns (Session memory) {
        return _sessions[key];
    }

    /// @notice A token's policy and whether sessions may spend it.
    function tokenPolicy(address token) external view returns (TokenPolicy memory policy, bool enabled) {
        return (_policies[token], tokenEnabled[token]);
    }

    /// @notice What sessions may still spend of `token` in the current period (0 when disabled).
    function remainingInPeriod(address token) external view returns (uint256) {
        if (!tokenEnabled[token]) return 0;
        TokenPolicy storage p = _policies[token];
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp >= uint256(p.periodStart) + p.period) return p.periodLimit;
        return p.periodLimit > p.spent ? p.periodLimit - p.spent : 0;
    }

    // ----------------------------------------------------------------------------------------------
    // Owner and guardian: freeze, ownership, recovery
    // ----------------------------------------------------------------------------------------------

    /// @notice Stops every session at once (owner or guardian).
    function freeze() external {
        if (msg.sender != owner && msg.sender != address(this) && msg.sender != guardian) revert NotGuardian(msg.sender);
        frozen = true;
        emit FrozenSet(true, msg.sender);
    }

    /// @notice Lets sessions act again (owner only).
    function unfreeze() external onlyOwner {
        frozen = false;
        emit FrozenSet(false, msg.sender);
    }

    /// @notice Hands every right to `newOwner`.
    function transferOwnership(address newOwner) external onlyOwner {
        _setOwner(newOwner);
    }

    /// @notice Sets who may freeze and propose recovery (address(0): nobody).
    function setGuardian(address newGuardian) external onlyOwner {
        if (newGuardian == owner) revert InvalidArgument();
        guardian = newGuardian;
        emit GuardianChanged(newGuardian);
    }

    /// @notice The guardian proposes a new owner (a lost or stolen owner key); it can complete after
    /// `recoveryDelay`, during which the current owner can cancel.
    function proposeRecovery(address newOwner) external {
        if (msg.sender != guardian || guardian == address(0)) revert NotGuardian(msg.sender);
        if (newOwner == address(0) || newOwner == guardian || newOwner == address(this)) revert InvalidArgument();
        uint64 readyAt = uint64(block.timestamp) + recoveryDelay;
        recoveryOwner = newOwner;
        recoveryReadyAt = readyAt;
        emit RecoveryProposed(newOwner, readyAt);
    }

    /// @notice The owner cancels a pending recovery.
    function cancelRecovery() external onlyOwner {
        address proposed = recoveryOwner;
        if (proposed == address(0)) revert RecoveryNotReady(0);
        recoveryOwner = address(0);
        recoveryReadyAt = 0;
        emit RecoveryCancelled(proposed);
    }

    /// @notice Completes a recovery after its delay (anyone): the proposed owner takes over, every session key
    /// granted before dies and the account is frozen until the new owner unfreezes it.
    function completeRecovery() external {
        address proposed = recoveryOwner;
        uint64 readyAt = recoveryReadyAt;
        // forge-lint: disable-next-line(block-timestamp)
        if (proposed == address(0) || block.timestamp < readyAt) revert RecoveryNotReady(readyAt);
        recoveryOwner = address(0);
        recoveryReadyAt = 0;
        epoch += 1;
        frozen = true;
        emit FrozenSet(true, msg.sender);
        _setOwner(proposed);
    }

    function _setOwner(address newOwner) private {
        if (newOwner == address(0) || newOwner == address(this) || newOwner == guardian) revert InvalidArgument();
        emit OwnerChanged(owner, newOwner);
        owner = newOwner;
    }
}
