// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {CoordinatorFixture} from "../utils/CoordinatorFixture.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {ComputeMarket} from "../../src/ComputeMarket.sol";
import {ComputeMarketHandler} from "./handlers/ComputeMarketHandler.sol";

/// @notice The market's escrow is conserved and only the right party moves it, whatever mix of orders, bids,
/// leases, deposits, settlements, closes, cancellations, strangers' attempts and time travel happens: it holds exactly
/// the orders' escrows; deposits = paid + refunded + held; every party holds what the books say; no provider is paid
/// for time after its lease closed nor more than what accrued.
contract ComputeMarketInvariantTest is CoordinatorFixture, InvariantTest {
    PaymentToken internal usd;
    ComputeMarket internal market;
    ComputeMarketHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        _deployRegistry();
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        market = new ComputeMarket(registry, IERC20(address(usd)));
        address[] memory providers = new address[](3);
        for (uint256 i = 0; i < 3; ++i) {
            providers[i] = makeAddr(string.concat("provider", vm.toString(i)));
            _registerProvider(providers[i], string.concat("provider", vm.toString(i)));
        }
        handler = new ComputeMarketHandler(usd, market, providers);
        for (uint256 i = 0; i < handler.TENANTS(); ++i) {
            usd.mint(handler.tenants(i), handler.INITIAL_BALANCE());
        }
        usd.mint(handler.stranger(), handler.INITIAL_BALANCE());
        handler.approveAll();

        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = ComputeMarketHandler.createOrder.selector;
        selectors[1] = ComputeMarketHandler.bid.selector;
        selectors[2] = ComputeMarketHandler.withdrawBid.selector;
        selectors[3] = ComputeMarketHandler.acceptBid.selector;
        selectors[4] = ComputeMarketHandler.acceptCheapest.selector;
        selectors[5] = ComputeMarketHandler.cancel.selector;
        selectors[6] = ComputeMarketHandler.addDeposit.selector;
        selectors[7] = ComputeMarketHandler.settle.selector;
        selectors[8] = ComputeMarketHandler.close.selector;
        selectors[9] = ComputeMarketHandler.warp.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    /// @dev One campaign checks every property after each call (a campaign per invariant_* would multiply time).
    function invariant_EscrowIsConserved() public view {
        uint256 held;
        for (uint256 i = 0; i < handler.idCount(); ++i) {
            uint256 id = handler.idAt(i);
            ComputeMarket.Order memory o = market.getOrder(id);
            held += o.held;
            _assertNeverPaidBeyondTheLease(id, o);
        }
        vm.assertEq(usd.balanceOf(address(market)), held, "the market holds other than the orders' escrows");
        vm.assertEq(
            handler.ghostDeposited(),
            held + handler.ghostPaid() + handler.ghostRefunded(),
            "deposits != paid + refunded + held"
        );
        _assertEveryPartyHoldsWhatTheBooksSay();
    }

    function _assertNeverPaidBeyondTheLease(uint256 id, ComputeMarket.Order memory o) internal view {
        vm.assertEq(uint256(o.paid) + o.held + handler.ghostOrderRefunded(id), handler.ghostOrderDeposits(id), "order books differ");
        if (o.state == ComputeMarket.OrderState.Leased || o.state == ComputeMarket.OrderState.Closed) {
            uint256 end = o.state == ComputeMarket.OrderState.Closed ? o.leaseEnd : block.timestamp;
            vm.assertLe(o.paid, uint256(o.pricePerHour) * (end - o.leaseStart) / 3600, "paid beyond what accrued");
            if (o.state == ComputeMarket.OrderState.Closed) vm.assertEq(o.held, 0, "a closed lease holds funds");
            if (o.closeReason == ComputeMarket.CloseReason.Tenant || o.closeReason == ComputeMarket.CloseReason.Provider)
            {
                vm.assertEq(o.paid, uint256(o.pricePerHour) * (end - o.leaseStart) / 3600, "not paid what accrued");
            }
        }
        if (o.state == ComputeMarket.OrderState.Cancelled) vm.assertEq(o.paid, 0, "a cancelled order paid someone");
    }

    function _assertEveryPartyHoldsWhatTheBooksSay() internal view {
        for (uint256 i = 0; i < handler.tenantCount(); ++i) {
            address t = handler.tenants(i);
            vm.assertEq(
                usd.balanceOf(t),
                handler.INITIAL_BALANCE() - handler.ghostDepositedBy(t) + handler.ghostRefundedTo(t),
                "a tenant's balance differs from the books"
            );
        }
        for (uint256 i = 0; i < handler.providerCount(); ++i) {
            address p = handler.providers(i);
            vm.assertEq(usd.balanceOf(p), handler.ghostPaidTo(p), "a provider's balance differs from the books");
        }
        address s = handler.stranger();
        vm.assertEq(
            usd.balanceOf(s), handler.INITIAL_BALANCE() - handler.ghostDepositedBy(s), "the stranger gained or lost"
        );
    }
}
