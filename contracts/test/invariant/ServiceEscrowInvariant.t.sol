// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../utils/HyphaTest.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {ServiceEscrow} from "../../src/agents/ServiceEscrow.sol";
import {ServiceEscrowHandler} from "./handlers/ServiceEscrowHandler.sol";

/// @notice Escrowed money is conserved and leaves only by the rules, whatever mix of agreements, submissions,
/// acceptances, rulings, refunds, give-backs and time travel, each tried by random parties: deposits = held + paid
/// to providers + refunded; providers hold exactly what acceptances by clients and rulings by validators paid;
/// clients hold exactly their start minus deposits plus refunds; no step succeeds for the wrong party; no milestone
/// settles twice.
contract ServiceEscrowInvariantTest is HyphaTest, InvariantTest {
    PaymentToken internal token;
    ServiceEscrow internal escrow;
    ServiceEscrowHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        token = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        escrow = new ServiceEscrow();
        handler = new ServiceEscrowHandler(token, escrow);
        token.transferOwnership(address(handler));
        handler.fund();

        bytes4[] memory selectors = new bytes4[](7);
        selectors[0] = ServiceEscrowHandler.create.selector;
        selectors[1] = ServiceEscrowHandler.submit.selector;
        selectors[2] = ServiceEscrowHandler.accept.selector;
        selectors[3] = ServiceEscrowHandler.rule.selector;
        selectors[4] = ServiceEscrowHandler.refund.selector;
        selectors[5] = ServiceEscrowHandler.giveBack.selector;
        selectors[6] = ServiceEscrowHandler.warp.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    function invariant_FundsConserved() public view {
        uint256 paid = handler.ghostPaidOnAccept() + handler.ghostPaidOnRuling();
        vm.assertEq(handler.ghostDeposited(), token.balanceOf(address(escrow)) + paid + handler.ghostRefunded());
        uint256 held;
        for (uint256 id = 1; id <= escrow.agreementCount(); ++id) {
            held += escrow.held(id);
        }
        vm.assertEq(held, token.balanceOf(address(escrow)));
    }

    function invariant_ProvidersPaidOnlyByAcceptanceOrRuling() public view {
        uint256 providers;
        uint256 clients;
        for (uint256 i; i < handler.PARTIES(); ++i) {
            providers += token.balanceOf(handler.providers(i));
            clients += token.balanceOf(handler.clients(i));
        }
        vm.assertEq(providers, handler.ghostPaidOnAccept() + handler.ghostPaidOnRuling());
        vm.assertEq(clients, handler.PARTIES() * handler.INITIAL_BALANCE() - handler.ghostDeposited() + handler.ghostRefunded());
        vm.assertEq(token.balanceOf(handler.validator()) + token.balanceOf(handler.stranger()), 0);
    }

    function invariant_NoWrongPartyNoDoubleSettlement() public view {
        vm.assertEq(handler.wrongPartySucceeded(), 0);
        vm.assertEq(handler.settledTwice(), 0);
    }
}
