// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {HyphaTest} from "./utils/HyphaTest.sol";
import {ERC1271Wallet} from "./utils/ERC1271Wallet.sol";
import {FeeOnTransferToken} from "./utils/FeeOnTransferToken.sol";
import {PaymentToken} from "../src/PaymentToken.sol";
import {PaymentChannels} from "../src/PaymentChannels.sol";

contract PaymentChannelsTest is HyphaTest {
    uint256 internal constant SECP256K1_HALF_N = SECP256K1_N / 2;
    uint64 internal constant WINDOW = 1 days;

    PaymentToken internal usd;
    PaymentChannels internal channels;
    address internal payer;
    uint256 internal payerKey;
    address internal provider;
    address internal stranger;

    function setUp() public {
        vm.warp(1_700_000_000);
        (payer, payerKey) = makeAccount("payer");
        provider = makeAddr("provider");
        stranger = makeAddr("stranger");
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        usd.mint(payer, 1_000e6);
        channels = new PaymentChannels(WINDOW);
        vm.prank(payer);
        usd.approve(address(channels), type(uint256).max);
    }

    function _channel(bytes32 salt) internal view returns (PaymentChannels.Channel memory) {
        return PaymentChannels.Channel({
            payer: payer, provider: provider, token: IERC20(address(usd)), signer: payer, salt: salt
        });
    }

    function _open(uint256 amount) internal returns (PaymentChannels.Channel memory c, bytes32 id) {
        c = _channel(bytes32(0));
        vm.prank(payer);
        id = channels.open(c, amount);
    }

    function _sign(uint256 key, PaymentChannels target, bytes32 id, uint256 cumulative) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, target.voucherDigest(id, cumulative));
        return abi.encodePacked(r, s, v);
    }

    function _voucher(bytes32 id, uint256 cumulative) internal view returns (bytes memory) {
        return _sign(payerKey, channels, id, cumulative);
    }

    // ---------------------------------------------------------------------------------------------- open

    function test_Open_TakesTheDepositAndRecordsTheChannel() public {
        vm.expectEmit(address(channels));
        emit PaymentChannels.ChannelOpened(channels.channelIdOf(_channel(0)), payer, provider, address(usd), payer, 0, 100e6);
        (, bytes32 id) = _open(100e6);

        (uint256 deposit, uint256 redeemed, uint64 closesAt, bool settled) = channels.channelState(id);
        vm.assertEq(deposit, 100e6);
        vm.assertEq(redeemed, 0);
        vm.assertEq(uint256(closesAt), 0);
        vm.assertFalse(settled);
        vm.assertEq(usd.balanceOf(address(channels)), 100e6);
        vm.assertEq(usd.balanceOf(payer), 900e6);
    }

    function test_Open_OnlyByThePayerItself() public {
        PaymentChannels.Channel memory c = _channel(0);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.NotPayer.selector, stranger, payer));
        channels.open(c, 1e6);
    }

    function test_Open_RefusesZeroAddressesSelfChannelsZeroAndHugeAmounts() public {
        PaymentChannels.Channel memory c = _channel(0);
        c.provider = address(0);
        vm.prank(payer);
        vm.expectRevert(PaymentChannels.InvalidChannel.selector);
        channels.open(c, 1e6);
        c = _channel(0);
        c.signer = address(0);
        vm.prank(payer);
        vm.expectRevert(PaymentChannels.InvalidChannel.selector);
        channels.open(c, 1e6);
        c = _channel(0);
        c.provider = payer;
        vm.prank(payer);
        vm.expectRevert(PaymentChannels.InvalidChannel.selector);
        channels.open(c, 1e6);
        c = _channel(0);
        vm.prank(payer);
        vm.expectRevert(PaymentChannels.ZeroAmount.selector);
        channels.open(c, 0);
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.DepositTooLarge.selector, uint256(type(uint96).max) + 1));
        channels.open(c, uint256(type(uint96).max) + 1);
    }

    function test_Open_TheSameChannelTwiceIsRefused_AndASettledIdIsNeverReused() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _open(10e6);
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChannelExists.selector, id));
        channels.open(c, 10e6);

        vm.prank(provider);
        channels.settle(c);
        // Reopening would make the old channel's vouchers valid again.
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChannelExists.selector, id));
        channels.open(c, 10e6);
    }

    function test_Open_AnotherSaltIsAnotherChannel() public {
        (, bytes32 first) = _open(10e6);
        vm.prank(payer);
        bytes32 second = channels.open(_channel(bytes32(uint256(1))), 10e6);
        vm.assertTrue(first != second);
    }

    function test_Open_RefusesAFeeOnTransferToken() public {
        FeeOnTransferToken fee = new FeeOnTransferToken();
        fee.mint(payer, 100e18);
        PaymentChannels.Channel memory c = _channel(0);
        c.token = IERC20(address(fee));
        vm.startPrank(payer);
        fee.approve(address(channels), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.UnsupportedToken.selector, 99e18, 100e18));
        channels.open(c, 100e18);
        vm.stopPrank();
    }

    function test_Constructor_ChallengePeriodBounds() public {
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.InvalidChallengePeriod.selector, uint64(31 days)));
        new PaymentChannels(31 days);
        new PaymentChannels(0); // local chain: any window
        vm.chainId(1);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.InvalidChallengePeriod.selector, uint64(59 minutes)));
        new PaymentChannels(59 minutes);
        new PaymentChannels(1 hours);
    }

    // ---------------------------------------------------------------------------------------------- top up

    function test_TopUp_AddsToTheDepositFromAnyone() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _open(10e6);
        usd.mint(stranger, 5e6);
        vm.startPrank(stranger);
        usd.approve(address(channels), 5e6);
        channels.topUp(c, 5e6);
        vm.stopPrank();
        (uint256 deposit,,,) = channels.channelState(id);
        vm.assertEq(deposit, 15e6);
    }

    function test_TopUp_RefusedOnceClosingUnknownOrZero() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _open(10e6);
        vm.prank(payer);
        vm.expectRevert(PaymentChannels.ZeroAmount.selector);
        channels.topUp(c, 0);
        vm.prank(payer);
        channels.requestClose(c);
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChannelNotOpen.selector, id));
        channels.topUp(c, 1e6);
        PaymentChannels.Channel memory unknown = _channel(bytes32(uint256(9)));
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChannelNotFound.selector, channels.channelIdOf(unknown)));
        channels.topUp(unknown, 1e6);
    }

    // ---------------------------------------------------------------------------------------------- redeem

    function test_Redeem_PaysTheDifferenceToWhatWasRedeemed() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _open(100e6);
        vm.prank(provider);
        vm.assertEq(channels.redeem(c, 3e6, _voucher(id, 3e6)), 3e6);
        // Anyone may relay the provider's redemption; the money still goes to the provider.
        vm.prank(stranger);
        vm.assertEq(channels.redeem(c, 10e6, _voucher(id, 10e6)), 7e6);
        vm.assertEq(usd.balanceOf(provider), 10e6);
        (, uint256 redeemed,,) = channels.channelState(id);
        vm.assertEq(redeemed, 10e6);
    }

    function test_Redeem_AVoucherCannotBeRedeemedTwice_NorAnOlderOne() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _open(100e6);
        bytes memory five = _voucher(id, 5e6);
        channels.redeem(c, 5e6, five);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.NothingToRedeem.selector, 5e6, 5e6));
        channels.redeem(c, 5e6, five);
        bytes memory voucher1 = _voucher(id, 4e6);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.NothingToRedeem.selector, 5e6, 4e6));
        channels.redeem(c, 4e6, voucher1);
    }

    function test_Redeem_NeverPaysMoreThanTheDeposit() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _open(10e6);
        vm.assertEq(channels.redeem(c, 50e6, _voucher(id, 50e6)), 10e6);
        vm.assertEq(usd.balanceOf(address(channels)), 0);
    }

    function test_Redeem_RefusesForgedTamperedAndMalleatedVouchers() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _open(10e6);
        (, uint256 otherKey) = makeAccount("mallory");
        bytes memory voucher2 = _sign(otherKey, channels, id, 5e6);
        vm.expectRevert(PaymentChannels.InvalidVoucher.selector);
        channels.redeem(c, 5e6, voucher2);
        bytes memory voucher3 = _voucher(id, 5e6);
        vm.expectRevert(PaymentChannels.InvalidVoucher.selector);
        channels.redeem(c, 6e6, voucher3); // amount changed after signing
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(payerKey, channels.voucherDigest(id, 5e6));
        bytes32 highS = bytes32(SECP256K1_N - uint256(s));
        vm.assertGt(uint256(highS), SECP256K1_HALF_N);
        vm.expectRevert(PaymentChannels.InvalidVoucher.selector);
        channels.redeem(c, 5e6, abi.encodePacked(r, highS, v == 27 ? uint8(28) : uint8(27)));
        vm.expectRevert(PaymentChannels.InvalidVoucher.selector);
        channels.redeem(c, 5e6, hex"00");
    }

    function test_Redeem_AVoucherOfOneChannelIsWorthlessOnAnother() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _open(10e6);
        vm.prank(payer);
        channels.open(_channel(bytes32(uint256(1))), 10e6);
        bytes memory sig = _voucher(id, 5e6);
        vm.expectRevert(PaymentChannels.InvalidVoucher.selector);
        channels.redeem(_channel(bytes32(uint256(1))), 5e6, sig);
        channels.redeem(c, 5e6, sig);
    }

    function test_Redeem_AVoucherIsWorthlessOnAnotherDeploymentOrChain() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _open(10e6);
        bytes memory sig = _voucher(id, 5e6);
        PaymentChannels twin = new PaymentChannels(WINDOW);
        vm.prank(payer);
        usd.approve(address(twin), type(uint256).max);
        vm.prank(payer);
        twin.open(c, 10e6);
        vm.expectRevert(PaymentChannels.InvalidVoucher.selector);
        twin.redeem(c, 5e6, sig);

        uint256 chain = block.chainid;
        vm.chainId(chain + 1);
        vm.expectRevert(PaymentChannels.InvalidVoucher.selector);
        channels.redeem(c, 5e6, sig);
        vm.chainId(chain);
        channels.redeem(c, 5e6, sig);
    }

    function test_Redeem_AcceptsADelegatedSignerAndAnErc1271Wallet() public {
        (address hot, uint256 hotKey) = makeAccount("gateway-hot-key");
        PaymentChannels.Channel memory c = _channel(bytes32(uint256(2)));
        c.signer = hot;
        vm.prank(payer);
        bytes32 id = channels.open(c, 10e6);
        bytes memory voucher4 = _voucher(id, 1e6);
        vm.expectRevert(PaymentChannels.InvalidVoucher.selector);
        channels.redeem(c, 1e6, voucher4); // the payer's own key is not the channel's signer
        channels.redeem(c, 1e6, _sign(hotKey, channels, id, 1e6));

        ERC1271Wallet wallet = new ERC1271Wallet(hot);
        c.salt = bytes32(uint256(3));
        c.signer = address(wallet);
        vm.prank(payer);
        id = channels.open(c, 10e6);
        channels.redeem(c, 2e6, _sign(hotKey, channels, id, 2e6));
        vm.assertEq(usd.balanceOf(provider), 3e6);
    }

    function test_RedeemUpTo_ClaimsOnlyWhatWasCharged_AndTheRestLater() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _open(100e6);
        bytes memory upToTen = _voucher(id, 10e6); // signed in advance for a request's maximum price
        vm.assertEq(channels.redeemUpTo(c, 10e6, 7e6, upToTen), 7e6);
        (, uint256 redeemed,,) = channels.channelState(id);
        vm.assertEq(redeemed, 7e6);
        vm.assertEq(channels.redeemUpTo(c, 10e6, 9e6, upToTen), 2e6); // a later, larger claim on the same voucher
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ClaimAboveVoucher.selector, 11e6, 10e6));
        channels.redeemUpTo(c, 10e6, 11e6, upToTen);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.NothingToRedeem.selector, 9e6, 9e6));
        channels.redeemUpTo(c, 10e6, 9e6, upToTen);
        vm.assertEq(usd.balanceOf(provider), 9e6);
    }

    // ---------------------------------------------------------------------------------------------- close

    function test_Close_TheProviderCanRedeemDuringTheWindowButNotAfter() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _open(10e6);
        vm.prank(payer);
        channels.requestClose(c);
        vm.warp(block.timestamp + WINDOW - 1);
        channels.redeem(c, 4e6, _voucher(id, 4e6));
        vm.warp(block.timestamp + 1);
        bytes memory voucher5 = _voucher(id, 6e6);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChallengeWindowOver.selector, uint64(1_700_000_000 + WINDOW)));
        channels.redeem(c, 6e6, voucher5);
    }

    function test_Close_OnlyThePayerRequestsIt_Once() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _open(10e6);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.NotPayer.selector, provider, payer));
        channels.requestClose(c);
        vm.prank(payer);
        channels.requestClose(c);
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChannelNotOpen.selector, id));
        channels.requestClose(c); // a second request would push the window out
    }

    function test_Settle_AfterTheWindowAnyoneReturnsTheRestToThePayer() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _open(10e6);
        channels.redeem(c, 4e6, _voucher(id, 4e6));
        vm.prank(payer);
        channels.requestClose(c);
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChallengeWindowOpen.selector, uint64(1_700_000_000 + WINDOW)));
        channels.settle(c);
        vm.warp(block.timestamp + WINDOW);
        vm.prank(stranger);
        vm.assertEq(channels.settle(c), 6e6);
        vm.assertEq(usd.balanceOf(payer), 996e6);
        vm.assertEq(usd.balanceOf(address(channels)), 0);
        (uint256 deposit, uint256 redeemed, uint64 closesAt, bool settled) = channels.channelState(id);
        vm.assertTrue(settled);
        vm.assertEq(deposit, 10e6);
        vm.assertEq(redeemed, 4e6);
        vm.assertEq(uint256(closesAt), 0);
    }

    function test_Settle_ThePayerCannotSkipTheWindow() public {
        (PaymentChannels.Channel memory c,) = _open(10e6);
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChallengeWindowOpen.selector, uint64(0)));
        channels.settle(c);
    }

    function test_Settle_TheProviderMaySettleAtOnce_ThenNothingMoves() public {
        (PaymentChannels.Channel memory c, bytes32 id) = _open(10e6);
        channels.redeem(c, 1e6, _voucher(id, 1e6));
        vm.prank(provider);
        vm.assertEq(channels.settle(c), 9e6);
        bytes memory voucher6 = _voucher(id, 5e6);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChannelSettledAlready.selector, id));
        channels.redeem(c, 5e6, voucher6);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChannelSettledAlready.selector, id));
        channels.settle(c);
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(PaymentChannels.ChannelNotOpen.selector, id));
        channels.topUp(c, 1e6);
    }

    // ---------------------------------------------------------------------------------------------- fuzz

    /// @dev Whatever vouchers are signed and in whatever order they are redeemed, the provider gets exactly the
    /// largest signed amount (capped by the deposit) and the payer the rest.
    function testFuzz_ProviderGetsTheLargestRedeemedVoucherAndThePayerTheRest(
        uint96 deposit,
        uint256[4] memory amounts
    ) public {
        deposit = uint96(bound(deposit, 1, 1_000e6));
        (PaymentChannels.Channel memory c, bytes32 id) = _open(deposit);
        uint256 best;
        for (uint256 i = 0; i < amounts.length; ++i) {
            uint256 amount = bound(amounts[i], 0, 2_000e6);
            uint256 payable_ = amount < deposit ? amount : deposit;
            if (payable_ <= best) {
                bytes memory voucher7 = _voucher(id, amount);
                vm.expectRevert(abi.encodeWithSelector(PaymentChannels.NothingToRedeem.selector, best, payable_));
                channels.redeem(c, amount, voucher7);
            } else {
                vm.assertEq(channels.redeem(c, amount, _voucher(id, amount)), payable_ - best);
                best = payable_;
            }
        }
        vm.prank(provider);
        channels.settle(c);
        vm.assertEq(usd.balanceOf(provider), best);
        vm.assertEq(usd.balanceOf(payer), 1_000e6 - best);
        vm.assertEq(usd.balanceOf(address(channels)), 0);
    }

    function testFuzz_RedeemRefusesEveryKeyButTheSigners(uint256 keySeed, uint256 amount) public {
        uint256 key = boundKey(keySeed);
        vm.assume(key != payerKey);
        (PaymentChannels.Channel memory c, bytes32 id) = _open(10e6);
        amount = bound(amount, 1, type(uint128).max);
        bytes memory voucher8 = _sign(key, channels, id, amount);
        vm.expectRevert(PaymentChannels.InvalidVoucher.selector);
        channels.redeem(c, amount, voucher8);
    }
}
