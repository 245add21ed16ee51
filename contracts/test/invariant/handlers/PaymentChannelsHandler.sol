// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {HyphaTest} from "../../utils/HyphaTest.sol";
import {PaymentToken} from "../../../src/PaymentToken.sol";
import {PaymentChannels} from "../../../src/PaymentChannels.sol";

/// @notice Random channel lives between a few payers and providers: opens, top-ups, vouchers redeemed in any order,
/// replays of spent vouchers, vouchers moved to other channels, forgeries, close requests, settlements by each
/// party and by strangers, and time travel. Ghost books record what every party must hold.
contract PaymentChannelsHandler is HyphaTest {
    uint256 public constant PAYERS = 3;
    uint256 public constant PROVIDERS = 2;
    uint256 public constant INITIAL_BALANCE = 1_000_000e6;

    struct Tracked {
        PaymentChannels.Channel channel;
        bytes32 id;
        uint256 payerKey;
        uint256 maxSigned; // largest voucher amount ever signed on it
    }

    struct SpentVoucher {
        uint256 channelIndex;
        uint256 amount;
        bytes signature;
    }

    PaymentToken public immutable token;
    PaymentChannels public immutable channels;
    address public immutable stranger;
    uint256 internal immutable strangerKey;
    address[] public payers;
    uint256[] internal payerKeys;
    address[] public providers;
    Tracked[] internal tracked;
    SpentVoucher[] internal spent;

    uint256 public ghostDeposited;
    uint256 public ghostPaid;
    uint256 public ghostRefunded;
    mapping(address => uint256) public ghostPaidTo;
    mapping(address => uint256) public ghostDepositedBy;
    mapping(address => uint256) public ghostRefundedTo;

    constructor(PaymentToken token_, PaymentChannels channels_) {
        token = token_;
        channels = channels_;
        (stranger, strangerKey) = makeAccount("stranger");
        for (uint256 i = 0; i < PAYERS; ++i) {
            (address a, uint256 k) = makeAccount(string.concat("payer", vm.toString(i)));
            payers.push(a);
            payerKeys.push(k);
        }
        for (uint256 i = 0; i < PROVIDERS; ++i) {
            providers.push(makeAddr(string.concat("provider", vm.toString(i))));
        }
    }

    /// @dev Called once by the test after it minted INITIAL_BALANCE to every payer.
    function approveAll() external {
        for (uint256 i = 0; i < PAYERS; ++i) {
            vm.prank(payers[i]);
            token.approve(address(channels), type(uint256).max);
        }
    }

    // ---------------------------------------------------------------------------------------------- actions

    function open(uint256 payerSeed, uint256 providerSeed, uint8 salt, uint256 amount) external {
        uint256 p = payerSeed % PAYERS;
        PaymentChannels.Channel memory c = PaymentChannels.Channel({
            payer: payers[p],
            provider: providers[providerSeed % PROVIDERS],
            token: IERC20(address(token)),
            signer: payers[p],
            salt: bytes32(uint256(salt % 4)) // few salts, so reopening an existing id is tried often
        });
        amount = bound(amount, 1, 10_000e6);
        bytes32 id = channels.channelIdOf(c);
        (uint256 deposit,, uint64 closesAt, bool settled) = channels.channelState(id);
        vm.prank(c.payer);
        if (deposit != 0 || closesAt != 0 || settled) {
            vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChannelExists.selector, id));
            channels.open(c, amount);
            return;
        }
        channels.open(c, amount);
        tracked.push(Tracked({channel: c, id: id, payerKey: payerKeys[p], maxSigned: 0}));
        ghostDeposited += amount;
        ghostDepositedBy[c.payer] += amount;
    }

    function topUp(uint256 channelSeed, uint256 amount) external {
        if (tracked.length == 0) return;
        Tracked storage t = tracked[channelSeed % tracked.length];
        amount = bound(amount, 1, 10_000e6);
        (,, uint64 closesAt, bool settled) = channels.channelState(t.id);
        vm.prank(t.channel.payer);
        if (closesAt != 0 || settled) {
            vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChannelNotOpen.selector, t.id));
            channels.topUp(t.channel, amount);
            return;
        }
        channels.topUp(t.channel, amount);
        ghostDeposited += amount;
        ghostDepositedBy[t.channel.payer] += amount;
    }

    /// @dev The payer signs a new voucher (any amount, often below earlier ones) and someone redeems it.
    function redeem(uint256 channelSeed, uint256 amount) external {
        if (tracked.length == 0) return;
        uint256 index = channelSeed % tracked.length;
        Tracked storage t = tracked[index];
        amount = bound(amount, 0, 30_000e6);
        bytes memory sig = _sign(t.payerKey, t.id, amount);
        if (amount > t.maxSigned) t.maxSigned = amount;
        (bool ok, uint256 paid) = _redeemExpectingTheRules(t, amount, sig);
        if (ok && paid > 0) spent.push(SpentVoucher({channelIndex: index, amount: amount, signature: sig}));
    }

    /// @dev The payer signs a voucher and the provider claims only part of it (what the answers cost).
    function redeemPart(uint256 channelSeed, uint256 amount, uint256 claim) external {
        if (tracked.length == 0) return;
        Tracked storage t = tracked[channelSeed % tracked.length];
        amount = bound(amount, 0, 30_000e6);
        claim = bound(claim, 0, amount);
        bytes memory sig = _sign(t.payerKey, t.id, amount);
        if (amount > t.maxSigned) t.maxSigned = amount;
        (bool mayPay, uint256 expected) = _whatTheRulesPay(t.id, claim);
        address provider = t.channel.provider;
        uint256 providerBefore = token.balanceOf(provider);
        vm.prank(stranger);
        try channels.redeemUpTo(t.channel, amount, claim, sig) returns (uint256 paid) {
            vm.assertTrue(mayPay, "a claim paid against the rules");
            vm.assertEq(paid, expected, "a claim paid other than claim - redeemed");
            ghostPaid += paid;
            ghostPaidTo[provider] += paid;
        } catch {
            vm.assertFalse(mayPay, "a valid claim was refused");
        }
        vm.assertEq(token.balanceOf(provider), providerBefore + (mayPay ? expected : 0), "provider balance moved wrongly");
    }

    /// @dev A voucher that was already redeemed is submitted again. It pays only what it promises beyond what was
    /// redeemed since (nothing, unless it was capped by the deposit and the channel was topped up since): a voucher
    /// is a promise of a cumulative total, never of a payment per submission.
    function replaySpent(uint256 spentSeed) external {
        if (spent.length == 0) return;
        SpentVoucher storage v = spent[spentSeed % spent.length];
        Tracked storage t = tracked[v.channelIndex];
        (, uint256 redeemedBefore,,) = channels.channelState(t.id);
        (bool ok, uint256 paid) = _redeemExpectingTheRules(t, v.amount, v.signature);
        if (ok) {
            vm.assertTrue(v.amount > redeemedBefore, "a voucher paid again without promising more");
            vm.assertEq(redeemedBefore + paid, _min(v.amount, _deposit(t.id)), "a replay paid beyond its promise");
        }
    }

    function _deposit(bytes32 id) internal view returns (uint256 deposit) {
        (deposit,,,) = channels.channelState(id);
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }

    /// @dev A spent voucher of one channel is presented on another: worthless there.
    function crossChannelReplay(uint256 spentSeed, uint256 channelSeed) external {
        if (spent.length == 0) return;
        SpentVoucher storage v = spent[spentSeed % spent.length];
        Tracked storage target = tracked[channelSeed % tracked.length];
        if (target.id == tracked[v.channelIndex].id) return;
        uint256 before = token.balanceOf(address(channels));
        (bool ok,) = _tryRedeem(target.channel, v.amount, v.signature);
        vm.assertFalse(ok, "a voucher paid on another channel");
        vm.assertEq(token.balanceOf(address(channels)), before, "cross-channel replay moved money");
    }

    /// @dev A voucher signed by someone who is not the channel's signer.
    function forgedRedeem(uint256 channelSeed, uint256 amount) external {
        if (tracked.length == 0) return;
        Tracked storage t = tracked[channelSeed % tracked.length];
        amount = bound(amount, 1, 30_000e6);
        uint256 before = token.balanceOf(address(channels));
        (bool ok,) = _tryRedeem(t.channel, amount, _sign(strangerKey, t.id, amount));
        vm.assertFalse(ok, "a forged voucher paid");
        vm.assertEq(token.balanceOf(address(channels)), before, "forgery moved money");
    }

    function requestClose(uint256 channelSeed, bool byStranger) external {
        if (tracked.length == 0) return;
        Tracked storage t = tracked[channelSeed % tracked.length];
        address caller = byStranger ? stranger : t.channel.payer;
        (,, uint64 closesAt, bool settled) = channels.channelState(t.id);
        vm.prank(caller);
        if (byStranger) {
            vm.expectRevert(abi.encodeWithSelector(PaymentChannels.NotPayer.selector, stranger, t.channel.payer));
        } else if (closesAt != 0 || settled) {
            vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChannelNotOpen.selector, t.id));
        }
        channels.requestClose(t.channel);
    }

    function settle(uint256 channelSeed, uint256 callerSeed) external {
        if (tracked.length == 0) return;
        Tracked storage t = tracked[channelSeed % tracked.length];
        uint256 who = callerSeed % 3;
        address caller = who == 0 ? t.channel.provider : who == 1 ? t.channel.payer : stranger;
        (uint256 deposit, uint256 redeemed, uint64 closesAt, bool settled) = channels.channelState(t.id);
        uint256 payerBefore = token.balanceOf(t.channel.payer);
        vm.prank(caller);
        if (settled) {
            vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChannelSettledAlready.selector, t.id));
            channels.settle(t.channel);
            return;
        }
        if (caller != t.channel.provider && (closesAt == 0 || block.timestamp < closesAt)) {
            vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChallengeWindowOpen.selector, closesAt));
            channels.settle(t.channel);
            return;
        }
        uint256 refunded = channels.settle(t.channel);
        vm.assertEq(refunded, deposit - redeemed, "refund is not deposit - redeemed");
        vm.assertEq(token.balanceOf(t.channel.payer), payerBefore + refunded, "payer did not get the refund");
        ghostRefunded += refunded;
        ghostRefundedTo[t.channel.payer] += refunded;
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 2 days));
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /// @dev Redeems and checks the outcome against the rules from the channel's state before the call.
    function _redeemExpectingTheRules(Tracked storage t, uint256 amount, bytes memory sig)
        internal
        returns (bool ok, uint256 paid)
    {
        (bool mayPay, uint256 expected) = _whatTheRulesPay(t.id, amount);
        address provider = t.channel.provider;
        uint256 providerBefore = token.balanceOf(provider);
        (ok, paid) = _tryRedeem(t.channel, amount, sig);
        vm.assertEq(ok, mayPay, "redeem outcome differs from the rules");
        vm.assertEq(paid, expected, "paid is not the new voucher minus what was redeemed");
        vm.assertEq(token.balanceOf(provider), providerBefore + paid, "provider balance moved by other than paid");
        ghostPaid += paid;
        ghostPaidTo[provider] += paid;
    }

    /// @dev For a correctly signed voucher: whether it pays now, and how much.
    function _whatTheRulesPay(bytes32 id, uint256 amount) internal view returns (bool, uint256) {
        (uint256 deposit, uint256 redeemed, uint64 closesAt, bool settled) = channels.channelState(id);
        uint256 payable_ = amount < deposit ? amount : deposit;
        bool mayPay = !settled && (closesAt == 0 || block.timestamp < closesAt) && payable_ > redeemed;
        return (mayPay, mayPay ? payable_ - redeemed : 0);
    }

    function _tryRedeem(PaymentChannels.Channel memory c, uint256 amount, bytes memory sig)
        internal
        returns (bool ok, uint256 paid)
    {
        vm.prank(stranger); // anyone may relay; the money still goes to the provider
        try channels.redeem(c, amount, sig) returns (uint256 p) {
            return (true, p);
        } catch {
            return (false, 0);
        }
    }

    function _sign(uint256 key, bytes32 id, uint256 amount) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, channels.voucherDigest(id, amount));
        return abi.encodePacked(r, s, v);
    }

    // ---------------------------------------------------------------------------------------------- views

    function trackedCount() external view returns (uint256) {
        return tracked.length;
    }

    function trackedAt(uint256 i) external view returns (bytes32 id, uint256 maxSigned) {
        return (tracked[i].id, tracked[i].maxSigned);
    }
}
