// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../utils/HyphaTest.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {PaymentTokenHandler} from "./handlers/PaymentTokenHandler.sol";

/// @notice Supply equals the sum of balances, every balance is exactly what the operations predict (each authorized
/// transfer moved exactly `value` from `from` to `to`), and an EIP-3009 nonce is never used twice, whatever mix of
/// mints, transfers, authorizations, replays, forgeries and cancellations happens.
contract PaymentTokenInvariantTest is HyphaTest, InvariantTest {
    PaymentToken internal token;
    PaymentTokenHandler internal handler;

    function setUp() public {
        address owner = makeAddr("owner");
        vm.warp(1_700_000_000);
        token = new PaymentToken("Hypha USD", "hUSD", 6, owner);
        handler = new PaymentTokenHandler(token, owner);

        bytes4[] memory selectors = new bytes4[](6);
        selectors[0] = PaymentTokenHandler.mint.selector;
        selectors[1] = PaymentTokenHandler.transfer.selector;
        selectors[2] = PaymentTokenHandler.authorizedTransfer.selector;
        selectors[3] = PaymentTokenHandler.replay.selector;
        selectors[4] = PaymentTokenHandler.forgedTransfer.selector;
        selectors[5] = PaymentTokenHandler.cancel.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    /// @dev One campaign checks every property after each call: forge runs a separate campaign per
    /// invariant_* function, so separate functions would multiply the suite's time for the same coverage.
    function invariant_SupplyAndNoncesAreConsistent() public view {
        _assertTotalSupplyEqualsSumOfBalances();
        _assertTotalSupplyEqualsMinted();
        _assertSpentNoncesStaySpentAndWereUsedAtMostOnce();
        _assertEveryBalanceIsWhatTheOperationsPredict();
    }

    /// @dev Global conservation alone would miss an authorized transfer that paid the wrong party or amount.
    function _assertEveryBalanceIsWhatTheOperationsPredict() internal view {
        for (uint256 i = 0; i < handler.ACTORS(); ++i) {
            address actor = handler.actors(i);
            vm.assertEq(token.balanceOf(actor), handler.ghostBalance(actor), "balance != predicted");
        }
        vm.assertEq(token.balanceOf(handler.facilitator()), 0, "the facilitator received money");
    }

    function _assertTotalSupplyEqualsSumOfBalances() internal view {
        vm.assertEq(token.totalSupply(), handler.sumOfBalances(), "supply != sum of balances");
    }

    function _assertTotalSupplyEqualsMinted() internal view {
        vm.assertEq(token.totalSupply(), handler.ghostMinted(), "supply != minted");
    }

    function _assertSpentNoncesStaySpentAndWereUsedAtMostOnce() internal view {
        uint256 n = handler.spentCount();
        for (uint256 i = 0; i < n; ++i) {
            address authorizer = handler.spentAuthorizers(i);
            bytes32 nonce = handler.spentNonces(i);
            vm.assertTrue(token.authorizationState(authorizer, nonce), "spent nonce became usable again");
            uint256 uses = handler.ghostUses(authorizer, nonce);
            vm.assertLe(uses, 1, "nonce used twice");
            if (handler.ghostCanceled(authorizer, nonce)) vm.assertEq(uses, 0, "canceled nonce was used");
        }
    }
}
