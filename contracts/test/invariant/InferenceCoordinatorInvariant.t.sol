// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {CoordinatorFixture} from "../utils/CoordinatorFixture.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {InferenceCoordinator} from "../../src/InferenceCoordinator.sol";
import {InferenceCoordinatorHandler} from "./handlers/InferenceCoordinatorHandler.sol";

/// @notice The coordinator's escrow is conserved and only the right party moves it, whatever mix of requests,
/// fulfilments (honest, over the maximum, forged, by strangers, twice), refunds, fee withdrawals, challenges and time
/// travel happens: it holds exactly the open requests' escrows plus the held (fulfilled or challenged) fees; what came
/// in equals what it holds plus what went to providers and back to requesters; every party holds what the books say.
contract InferenceCoordinatorInvariantTest is CoordinatorFixture, InvariantTest {
    PaymentToken internal usd;
    InferenceCoordinator internal coordinator;
    InferenceCoordinatorHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        _deployRegistry();
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        coordinator = new InferenceCoordinator(registry, IERC20(address(usd)), 1 hours);
        address[] memory providers = new address[](2);
        uint256[] memory keys = new uint256[](2);
        for (uint256 i = 0; i < 2; ++i) {
            providers[i] = makeAddr(string.concat("provider", vm.toString(i)));
            _registerProvider(providers[i], string.concat("provider", vm.toString(i)));
            keys[i] = signingKeyOf[providers[i]];
        }
        handler = new InferenceCoordinatorHandler(usd, coordinator, providers, keys);
        for (uint256 i = 0; i < handler.REQUESTERS(); ++i) {
            usd.mint(handler.requesters(i), handler.INITIAL_BALANCE());
        }
        handler.approveAll();

        bytes4[] memory selectors = new bytes4[](7);
        selectors[0] = InferenceCoordinatorHandler.request.selector;
        selectors[1] = InferenceCoordinatorHandler.fulfil.selector;
        selectors[2] = InferenceCoordinatorHandler.forgedFulfil.selector;
        selectors[3] = InferenceCoordinatorHandler.refund.selector;
        selectors[4] = InferenceCoordinatorHandler.withdrawFee.selector;
        selectors[5] = InferenceCoordinatorHandler.challenge.selector;
        selectors[6] = InferenceCoordinatorHandler.warp.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    /// @dev One campaign checks every property after each call (a campaign per invariant_* would multiply time).
    function invariant_EscrowIsConserved() public view {
        _assertBalanceIsPendingEscrowsPlusHeldFees();
        _assertInEqualsHeldPlusOut();
        _assertEveryPartyHoldsWhatTheBooksSay();
    }

    function _assertBalanceIsPendingEscrowsPlusHeldFees() internal view {
        uint256 owed;
        for (uint256 i = 0; i < handler.idCount(); ++i) {
            InferenceCoordinator.Request memory r = coordinator.getRequest(handler.idAt(i));
            if (r.status == InferenceCoordinator.Status.Open) {
                owed += r.maxFee;
            } else if (
                r.status == InferenceCoordinator.Status.Fulfilled || r.status == InferenceCoordinator.Status.Challenged
            ) {
                vm.assertLe(r.fee, r.maxFee, "a fee above its maximum");
                owed += r.fee;
            }
        }
        vm.assertEq(usd.balanceOf(address(coordinator)), owed, "balance != open escrows + held fees");
    }

    function _assertInEqualsHeldPlusOut() internal view {
        vm.assertEq(
            handler.ghostEscrowed(),
            usd.balanceOf(address(coordinator)) + handler.ghostPaid() + handler.ghostReturned(),
            "escrowed != held + paid to providers + returned to requesters"
        );
    }

    function _assertEveryPartyHoldsWhatTheBooksSay() internal view {
        for (uint256 i = 0; i < handler.providerCount(); ++i) {
            address p = handler.providers(i);
            vm.assertEq(usd.balanceOf(p), handler.ghostPaidTo(p), "provider balance != fees paid to it");
        }
        for (uint256 i = 0; i < handler.REQUESTERS(); ++i) {
            address r = handler.requesters(i);
            vm.assertEq(
                usd.balanceOf(r),
                handler.INITIAL_BALANCE() - handler.ghostEscrowedBy(r) + handler.ghostReturnedTo(r),
                "requester balance != initial - escrowed + returned"
            );
        }
        vm.assertEq(usd.balanceOf(handler.stranger()), 0, "a stranger got money");
    }
}
