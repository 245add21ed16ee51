// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EntryPoint} from "@account-abstraction/contracts/core/EntryPoint.sol";
import {BaseAccount} from "@account-abstraction/contracts/core/BaseAccount.sol";
import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {HyphaTest} from "../../utils/HyphaTest.sol";
import {PaymentToken} from "../../../src/PaymentToken.sol";
import {PaymentChannels} from "../../../src/PaymentChannels.sol";
import {AgentAccount} from "../../../src/agents/AgentAccount.sol";

/// @notice A rogue runtime holding the session key: it pays anyone any amount, opens and tops up channels to
/// anyone, books EIP-3009 transfers and has them submitted, signs vouchers for any amount which the provider tries
/// to redeem, and sends user operations that try to move money outside the spending functions. The owner meanwhile
/// freezes, unfreezes, revokes, re-grants, expires and delists at random. The handler counts what the account
/// committed per policy window, independently of the contract's own books, and keeps, per channel, a voucher for the
/// whole funding signed right after each deposit (while the key was valid): the provider must always redeem it.
contract AgentAccountHandler is HyphaTest {
    uint256 public constant WINDOWS = 64;

    EntryPoint public immutable entryPoint;
    PaymentToken public immutable usd;
    PaymentChannels public immutable channels;
    AgentAccount public immutable account;
    uint256 public immutable sessionKey;
    address public immutable session;
    address public immutable provider;
    address public immutable stranger;
    uint64 public immutable period;
    uint256 public immutable start;

    uint256 public ghostCommitted;
    uint256 public ghostRedeemed;
    uint256 public worstWindowSpend;
    mapping(uint256 window => uint256) public committedInWindow;
    /// @notice Vouchers signed while valid that the channel refused (must stay 0).
    uint256 public ghostHonestVoucherRefused;
    PaymentChannels.Channel[] internal _channels;
    mapping(uint256 channel => uint256) internal _heldAmount;
    mapping(uint256 channel => bytes) internal _heldSignature;
    uint256 internal _nonce;

    constructor(
        EntryPoint entryPoint_,
        PaymentToken usd_,
        PaymentChannels channels_,
        AgentAccount account_,
        uint256 sessionKey_,
        address provider_,
        uint64 period_
    ) {
        entryPoint = entryPoint_;
        usd = usd_;
        channels = channels_;
        account = account_;
        sessionKey = sessionKey_;
        session = vm.addr(sessionKey_);
        provider = provider_;
        stranger = makeAddr("stranger");
        period = period_;
        start = block.timestamp;
    }

    function _to(uint256 seed) internal view returns (address) {
        uint256 pick = seed % 4;
        if (pick == 0) return stranger;
        if (pick == 1) return session;
        return provider;
    }

    function _commit(uint256 amount) internal {
        ghostCommitted += amount;
        uint256 w = (block.timestamp - start) / period;
        committedInWindow[w] += amount;
        if (committedInWindow[w] > worstWindowSpend) worstWindowSpend = committedInWindow[w];
    }

    function pay(uint256 toSeed, uint256 amount) external {
        amount = bound(amount, 0, 60e6);
        vm.prank(session);
        try account.pay(session, address(usd), _to(toSeed), amount) {
            _commit(amount);
        } catch {}
    }

    function payThroughEntryPoint(uint256 toSeed, uint256 amount) external {
        amount = bound(amount, 1, 60e6);
        uint256 before = usd.balanceOf(address(account));
        _submit(abi.encodeCall(AgentAccount.pay, (session, address(usd), _to(toSeed), amount)));
        uint256 spent = before - usd.balanceOf(address(account));
        if (spent != 0) _commit(spent);
    }

    function rogueExecute(uint256 toSeed, uint256 amount, bool batch) external {
        bytes memory transfer = abi.encodeCall(IERC20.transfer, (_to(toSeed), bound(amount, 1, 1_000e6)));
        if (batch) {
            BaseAccount.Call[] memory calls = new BaseAccount.Call[](1);
            calls[0] = BaseAccount.Call(address(usd), 0, transfer);
            _submit(abi.encodeCall(BaseAccount.executeBatch, (calls)));
        } else {
            _submit(abi.encodeCall(BaseAccount.execute, (address(usd), 0, transfer)));
        }
    }

    function openChannel(uint256 toSeed, uint256 amount) external {
        amount = bound(amount, 1, 60e6);
        PaymentChannels.Channel memory c = PaymentChannels.Channel({
            payer: address(account),
            provider: _to(toSeed),
            token: IERC20(address(usd)),
            signer: address(account),
            salt: bytes32(_channels.length)
        });
        vm.prank(session);
        try account.openChannel(session, c, amount) {
            _commit(amount);
            _channels.push(c);
            _holdVoucherForFunding(_channels.length - 1);
        } catch {}
    }

    function topUp(uint256 which, uint256 amount) external {
        if (_channels.length == 0) return;
        amount = bound(amount, 1, 60e6);
        which = which % _channels.length;
        vm.prank(session);
        try account.topUpChannel(session, _channels[which], amount) {
            _commit(amount);
            _holdVoucherForFunding(which);
        } catch {}
    }

    /// @dev Right after a deposit the key is valid: it signs a voucher for everything the channel was funded with.
    function _holdVoucherForFunding(uint256 i) internal {
        PaymentChannels.Channel memory c = _channels[i];
        uint256 funding = account.channelFunding(channels.channelIdOf(c));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(sessionKey, channels.voucherDigest(channels.channelIdOf(c), funding));
        _heldAmount[i] = funding;
        _heldSignature[i] = abi.encode(account.VOUCHER_SIGNATURE_MAGIC(), c, funding, abi.encodePacked(r, s, v));
    }

    /// @notice The provider redeems the voucher it holds, whatever the owner did since.
    function redeemHeldVoucher(uint256 which) external {
        if (_channels.length == 0) return;
        which = which % _channels.length;
        PaymentChannels.Channel memory c = _channels[which];
        (, uint256 redeemed,,) = channels.channelState(channels.channelIdOf(c));
        if (_heldAmount[which] <= redeemed) return;
        uint256 before = usd.balanceOf(c.provider);
        try channels.redeem(c, _heldAmount[which], _heldSignature[which]) {
            ghostRedeemed += usd.balanceOf(c.provider) - before;
        } catch {
            ghostHonestVoucherRefused += 1;
        }
    }

    /// @notice The owner turns against the runtime (or back): freeze, unfreeze, revoke, re-grant, expire the policy,
    /// lift the expiry, delist or relist the provider, drop or restore the trusted PaymentChannels.
    function ownerActs(uint256 what) external {
        vm.startPrank(account.owner());
        uint256 pick = what % 10;
        if (pick == 0) account.freeze();
        else if (pick == 1) account.unfreeze();
        else if (pick == 2) account.revokeSession(session);
        else if (pick == 3) account.grantSession(session, uint48(block.timestamp), uint48(block.timestamp + 30 days), 0.05 ether);
        else if (pick == 4) account.setPolicyExpiry(uint64(block.timestamp));
        else if (pick == 5) account.setPolicyExpiry(0);
        else if (pick == 6) account.setCounterparty(provider, false);
        else if (pick == 7) account.setCounterparty(provider, true);
        else if (pick == 8) account.setTrustedChannels(PaymentChannels(address(0)));
        else account.setTrustedChannels(channels);
        vm.stopPrank();
    }

    function redeemAnyVoucher(uint256 which, uint256 cumulative) external {
        if (_channels.length == 0) return;
        PaymentChannels.Channel memory c = _channels[which % _channels.length];
        cumulative = bound(cumulative, 1, 200e6);
        bytes32 digest = channels.voucherDigest(channels.channelIdOf(c), cumulative);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(sessionKey, digest);
        bytes memory sig = abi.encode(account.VOUCHER_SIGNATURE_MAGIC(), c, cumulative, abi.encodePacked(r, s, v));
        uint256 before = usd.balanceOf(c.provider);
        try channels.redeem(c, cumulative, sig) {
            ghostRedeemed += usd.balanceOf(c.provider) - before;
        } catch {}
        // The bare session signature (no envelope) never counts.
        try channels.redeem(c, cumulative, abi.encodePacked(r, s, v)) {
            ghostRedeemed += type(uint128).max; // breaks the invariant on purpose
        } catch {}
    }

    function bookAndSubmitTransfer(uint256 toSeed, uint256 amount, bool submit) external {
        amount = bound(amount, 1, 60e6);
        address to = _to(toSeed);
        bytes32 nonce = bytes32(++_nonce);
        uint256 validBefore = block.timestamp + 1 hours;
        vm.prank(session);
        try account.authorizeTransfer(session, address(usd), to, amount, 0, validBefore, nonce) {
            _commit(amount);
        } catch {}
        // A facilitator submits it (and tries a larger value under another nonce).
        if (submit) {
            try usd.transferWithAuthorization(address(account), to, amount, 0, validBefore, nonce, hex"00") {} catch {}
        }
        try usd.transferWithAuthorization(address(account), to, amount + 1, 0, validBefore, bytes32(++_nonce), hex"00") {
            ghostCommitted += type(uint128).max; // breaks the invariant on purpose
        } catch {}
    }

    function warp(uint256 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 2 days));
    }

    function channelCount() external view returns (uint256) {
        return _channels.length;
    }

    function channelAt(uint256 i) external view returns (PaymentChannels.Channel memory) {
        return _channels[i];
    }

    function _submit(bytes memory callData) internal {
        PackedUserOperation memory op = PackedUserOperation({
            sender: address(account),
            nonce: entryPoint.getNonce(address(account), 0),
            initCode: "",
            callData: callData,
            accountGasLimits: bytes32((uint256(300_000) << 128) | 500_000),
            preVerificationGas: 50_000,
            gasFees: bytes32((uint256(1 gwei) << 128) | 1 gwei),
            paymasterAndData: "",
            signature: ""
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(sessionKey, entryPoint.getUserOpHash(op));
        op.signature = abi.encodePacked(r, s, v);
        PackedUserOperation[] memory ops = new PackedUserOperation[](1);
        ops[0] = op;
        try entryPoint.handleOps(ops, payable(stranger)) {} catch {}
    }
}
