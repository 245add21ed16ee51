// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {InvariantTest} from "../utils/InvariantTest.sol";
import {AgentFixture} from "../agents/AgentFixture.sol";
import {AgentAccountHandler} from "./handlers/AgentAccountHandler.sol";

/// @notice Whatever a rogue runtime does with its session key (direct payments to anyone, user operations with
/// execute/executeBatch, channels to anyone, vouchers for any amount, EIP-3009 bookings and forged transfers, time
/// travel), and whatever the owner does to the account afterwards (freeze, revoke, expire, delist): no policy window commits more than the limit, the session never commits more than its cap, money
/// leaves the account only as committed, nobody off the allowlist receives anything, and no provider redeems more
/// than the account deposited, and the provider can always redeem a voucher signed while the key was valid, up to
/// the channel's funding.
contract AgentAccountInvariantTest is AgentFixture, InvariantTest {
    AgentAccountHandler internal handler;
    uint256 internal initialBalance;

    function setUp() public {
        setUpAgent();
        handler = new AgentAccountHandler(entryPoint, usd, channels, account, sessionKey, provider, PERIOD);
        vm.prank(owner);
        account.setSessionCap(session, address(usd), 10_000e6);
        // The fixture's session may pay `provider`; the handler's stranger and the session itself are never allowed.
        initialBalance = usd.balanceOf(address(account));

        bytes4[] memory selectors = new bytes4[](11);
        selectors[0] = AgentAccountHandler.pay.selector;
        selectors[1] = AgentAccountHandler.payThroughEntryPoint.selector;
        selectors[2] = AgentAccountHandler.rogueExecute.selector;
        selectors[3] = AgentAccountHandler.openChannel.selector;
        selectors[4] = AgentAccountHandler.topUp.selector;
        selectors[5] = AgentAccountHandler.redeemAnyVoucher.selector;
        selectors[6] = AgentAccountHandler.bookAndSubmitTransfer.selector;
        selectors[7] = AgentAccountHandler.warp.selector;
        selectors[8] = AgentAccountHandler.warp.selector;
        selectors[9] = AgentAccountHandler.redeemHeldVoucher.selector;
        selectors[10] = AgentAccountHandler.ownerActs.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    function invariant_NoWindowAboveTheLimit() public view {
        vm.assertLe(handler.worstWindowSpend(), LIMIT);
    }

    function invariant_SessionWithinItsCap() public view {
        vm.assertLe(handler.ghostCommitted(), 10_000e6);
        vm.assertEq(account.sessionSpent(session, address(usd)), handler.ghostCommitted());
    }

    function invariant_MoneyLeavesOnlyAsCommitted() public view {
        uint256 left = initialBalance - usd.balanceOf(address(account));
        vm.assertLe(left, handler.ghostCommitted());
        // Everything that left sits with the provider or in channels.
        vm.assertEq(left, usd.balanceOf(provider) + usd.balanceOf(address(channels)));
    }

    function invariant_NobodyOffTheAllowlistIsPaid() public view {
        vm.assertEq(usd.balanceOf(handler.stranger()), 0);
        vm.assertEq(usd.balanceOf(session), 0);
    }

    function invariant_VouchersSignedWhileValidAlwaysRedeem() public view {
        vm.assertEq(handler.ghostHonestVoucherRefused(), 0);
    }

    function invariant_ProviderNeverRedeemsBeyondDeposits() public view {
        uint256 funded;
        for (uint256 i; i < handler.channelCount(); ++i) {
            funded += account.channelFunding(channels.channelIdOf(handler.channelAt(i)));
        }
        vm.assertLe(handler.ghostRedeemed(), funded);
    }
}
