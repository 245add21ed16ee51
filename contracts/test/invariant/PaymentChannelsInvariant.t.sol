// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../utils/HyphaTest.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {PaymentChannels} from "../../src/PaymentChannels.sol";
import {PaymentChannelsHandler} from "./handlers/PaymentChannelsHandler.sol";

/// @notice Money in payment channels is conserved and only moves as the rules say, whatever mix of opens, top-ups,
/// redemptions (fresh, replayed, moved to another channel, forged), close requests, settlements and time travel
/// happens: deposits = held + paid to providers + refunded to payers; the contract holds exactly what unsettled
/// channels have not paid out; no channel pays more than its deposit or more than its payer signed.
contract PaymentChannelsInvariantTest is HyphaTest, InvariantTest {
    PaymentToken internal token;
    PaymentChannels internal channels;
    PaymentChannelsHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        token = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        channels = new PaymentChannels(1 days);
        handler = new PaymentChannelsHandler(token, channels);
        for (uint256 i = 0; i < handler.PAYERS(); ++i) {
            token.mint(handler.payers(i), handler.INITIAL_BALANCE());
        }
        handler.approveAll();

        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = PaymentChannelsHandler.open.selector;
        selectors[1] = PaymentChannelsHandler.topUp.selector;
        selectors[2] = PaymentChannelsHandler.redeem.selector;
        selectors[3] = PaymentChannelsHandler.replaySpent.selector;
        selectors[4] = PaymentChannelsHandler.crossChannelReplay.selector;
        selectors[5] = PaymentChannelsHandler.forgedRedeem.selector;
        selectors[6] = PaymentChannelsHandler.requestClose.selector;
        selectors[7] = PaymentChannelsHandler.settle.selector;
        selectors[8] = PaymentChannelsHandler.warp.selector;
        selectors[9] = PaymentChannelsHandler.redeemPart.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    /// @dev One campaign checks every property after each call (a campaign per invariant_* would multiply time).
    function invariant_ChannelMoneyIsConserved() public view {
        _assertDepositsEqualHeldPlusPaidPlusRefunded();
        _assertContractHoldsWhatUnsettledChannelsOwe();
        _assertNoChannelPaysMoreThanItsDepositOrItsSignedVouchers();
        _assertEveryPartyHoldsWhatTheBooksSay();
    }

    function _assertDepositsEqualHeldPlusPaidPlusRefunded() internal view {
        vm.assertEq(handler.ghostDeposited(),
            token.balanceOf(address(channels)) + handler.ghostPaid() + handler.ghostRefunded(),
            "deposits != held + paid + refunded");
    }

    function _assertContractHoldsWhatUnsettledChannelsOwe() internal view {
        uint256 owed;
        for (uint256 i = 0; i < handler.trackedCount(); ++i) {
            (bytes32 id,) = handler.trackedAt(i);
            (uint256 deposit, uint256 redeemed,, bool settled) = channels.channelState(id);
            if (!settled) owed += deposit - redeemed;
        }
        vm.assertEq(token.balanceOf(address(channels)), owed, "balance != sum of unsettled (deposit - redeemed)");
    }

    function _assertNoChannelPaysMoreThanItsDepositOrItsSignedVouchers() internal view {
        for (uint256 i = 0; i < handler.trackedCount(); ++i) {
            (bytes32 id, uint256 maxSigned) = handler.trackedAt(i);
            (uint256 deposit, uint256 redeemed,,) = channels.channelState(id);
            vm.assertLe(redeemed, deposit, "redeemed > deposit");
            vm.assertLe(redeemed, maxSigned, "redeemed > largest signed voucher");
        }
    }

    function _assertEveryPartyHoldsWhatTheBooksSay() internal view {
        for (uint256 i = 0; i < handler.PROVIDERS(); ++i) {
            address p = handler.providers(i);
            vm.assertEq(token.balanceOf(p), handler.ghostPaidTo(p), "provider balance != what vouchers paid it");
        }
        for (uint256 i = 0; i < handler.PAYERS(); ++i) {
            address p = handler.payers(i);
            vm.assertEq(token.balanceOf(p),
                handler.INITIAL_BALANCE() - handler.ghostDepositedBy(p) + handler.ghostRefundedTo(p),
                "payer balance != initial - deposited + refunded");
        }
        vm.assertEq(token.balanceOf(handler.stranger()), 0, "a stranger got money");
    }
}
