// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../../utils/HyphaTest.sol";
import {PaymentToken} from "../../../src/PaymentToken.sol";
import {ComputeMarket} from "../../../src/ComputeMarket.sol";

/// @notice Random lives of compute orders between a few tenants and providers: orders, bids (some above the price,
/// some by strangers), withdrawn bids, leases by the tenant's pick or the cheapest, deposits added by anyone,
/// settlements by anyone, closes by either party, cancellations, strangers trying every party's move, and time
/// travel. Every action checks its outcome against the rules; ghost books record what every party must hold.
contract ComputeMarketHandler is HyphaTest {
    uint256 public constant TENANTS = 3;
    uint256 public constant INITIAL_BALANCE = 1_000_000e6;
    uint256 internal constant MAX_PRICE = 10_000e6;

    PaymentToken public immutable token;
    ComputeMarket public immutable market;
    address public immutable stranger;
    address[] public tenants;
    address[] public providers;
    uint256[] internal ids;

    uint256 public ghostDeposited;
    uint256 public ghostPaid;
    uint256 public ghostRefunded;
    mapping(address => uint256) public ghostPaidTo;
    mapping(address => uint256) public ghostDepositedBy;
    mapping(address => uint256) public ghostRefundedTo;
    /// @dev Total ever deposited into each order (the most its provider may be paid).
    mapping(uint256 => uint256) public ghostOrderDeposits;
    /// @dev What went back to the tenant from each order.
    mapping(uint256 => uint256) public ghostOrderRefunded;

    constructor(PaymentToken token_, ComputeMarket market_, address[] memory providers_) {
        token = token_;
        market = market_;
        providers = providers_;
        stranger = makeAddr("stranger");
        for (uint256 i = 0; i < TENANTS; ++i) {
            tenants.push(makeAddr(string.concat("tenant", vm.toString(i))));
        }
    }

    /// @dev Called once by the test after it minted INITIAL_BALANCE to every tenant and the stranger.
    function approveAll() external {
        for (uint256 i = 0; i < TENANTS; ++i) {
            vm.prank(tenants[i]);
            token.approve(address(market), type(uint256).max);
        }
        vm.prank(stranger);
        token.approve(address(market), type(uint256).max);
    }

    function idCount() external view returns (uint256) {
        return ids.length;
    }

    function idAt(uint256 i) external view returns (uint256) {
        return ids[i];
    }

    function tenantCount() external view returns (uint256) {
        return tenants.length;
    }

    function providerCount() external view returns (uint256) {
        return providers.length;
    }

    // ---------------------------------------------------------------------------------------------- actions

    function createOrder(uint256 tenantSeed, uint256 maxPrice, uint256 deposit, uint256 window) external {
        address tenant = tenants[tenantSeed % TENANTS];
        maxPrice = bound(maxPrice, 1, MAX_PRICE);
        deposit = bound(deposit, 1, 20_000e6);
        vm.prank(tenant);
        uint256 id = market.createOrder(
            keccak256(abi.encode(ids.length)), _needs(), maxPrice, deposit, uint64(bound(window, 1, 1 days)), address(0)
        );
        ids.push(id);
        ghostDeposited += deposit;
        ghostDepositedBy[tenant] += deposit;
        ghostOrderDeposits[id] += deposit;
    }

    function bid(uint256 idSeed, uint256 providerSeed, uint256 price, bool byStranger) external {
        if (ids.length == 0) return;
        uint256 id = ids[idSeed % ids.length];
        address who = byStranger ? stranger : providers[providerSeed % providers.length];
        ComputeMarket.Order memory o = market.getOrder(id);
        price = bound(price, 1, uint256(o.maxPricePerHour) + 10);
        bool mayBid = !byStranger && o.state == ComputeMarket.OrderState.Open && block.timestamp < o.bidsCloseAt
            && price <= o.maxPricePerHour && !_hasBid(id, who);
        vm.prank(who);
        try market.bid(id, price, _needs(), "", 0) {
            vm.assertTrue(mayBid, "a bid the rules refuse was taken");
        } catch {
            vm.assertFalse(mayBid, "a bid the rules allow was refused");
        }
    }

    function withdrawBid(uint256 idSeed, uint256 bidSeed, bool byStranger) external {
        if (ids.length == 0) return;
        uint256 id = ids[idSeed % ids.length];
        ComputeMarket.Bid[] memory bids = market.getBids(id);
        if (bids.length == 0) return;
        uint256 b = bidSeed % bids.length;
        address who = byStranger ? stranger : bids[b].provider;
        bool may = !byStranger && !bids[b].withdrawn && market.getOrder(id).state == ComputeMarket.OrderState.Open;
        vm.prank(who);
        try market.withdrawBid(id, b) {
            vm.assertTrue(may, "a bid was withdrawn against the rules");
        } catch {
            vm.assertFalse(may, "a bid could not be withdrawn");
        }
    }

    function acceptBid(uint256 idSeed, uint256 bidSeed, bool byStranger) external {
        if (ids.length == 0) return;
        uint256 id = ids[idSeed % ids.length];
        ComputeMarket.Bid[] memory bids = market.getBids(id);
        if (bids.length == 0) return;
        uint256 b = bidSeed % bids.length;
        ComputeMarket.Order memory o = market.getOrder(id);
        bool may = !byStranger && o.state == ComputeMarket.OrderState.Open && !bids[b].withdrawn;
        uint256 before = token.balanceOf(address(market));
        vm.prank(byStranger ? stranger : o.tenant);
        try market.acceptBid(id, b) {
            vm.assertTrue(may, "a lease was made against the rules");
            vm.assertEq(market.getOrder(id).provider, bids[b].provider);
        } catch {
            vm.assertFalse(may, "the tenant could not accept a live bid");
        }
        vm.assertEq(token.balanceOf(address(market)), before, "accepting a bid moved money");
    }

    function acceptCheapest(uint256 idSeed) external {
        if (ids.length == 0) return;
        uint256 id = ids[idSeed % ids.length];
        ComputeMarket.Order memory o = market.getOrder(id);
        ComputeMarket.Bid[] memory bids = market.getBids(id);
        uint256 cheapest = type(uint256).max;
        for (uint256 i = 0; i < bids.length; ++i) {
            if (!bids[i].withdrawn && bids[i].pricePerHour < cheapest) cheapest = bids[i].pricePerHour;
        }
        bool may = o.state == ComputeMarket.OrderState.Open && block.timestamp >= o.bidsCloseAt
            && cheapest != type(uint256).max;
        vm.prank(stranger);
        try market.acceptCheapest(id) {
            vm.assertTrue(may, "a cheapest lease was made against the rules");
            vm.assertEq(market.getOrder(id).pricePerHour, cheapest, "not the cheapest bid");
        } catch {
            vm.assertFalse(may, "the cheapest bid could not be accepted");
        }
    }

    function cancel(uint256 idSeed, bool byStranger) external {
        if (ids.length == 0) return;
        uint256 id = ids[idSeed % ids.length];
        ComputeMarket.Order memory o = market.getOrder(id);
        bool may = !byStranger && o.state == ComputeMarket.OrderState.Open;
        uint256 tenantBefore = token.balanceOf(o.tenant);
        vm.prank(byStranger ? stranger : o.tenant);
        try market.cancelOrder(id) {
            vm.assertTrue(may, "an order was cancelled against the rules");
            vm.assertEq(token.balanceOf(o.tenant), tenantBefore + o.held, "the tenant did not get the deposit back");
            ghostRefunded += o.held;
            ghostRefundedTo[o.tenant] += o.held;
            ghostOrderRefunded[id] += o.held;
        } catch {
            vm.assertFalse(may, "the tenant could not cancel an open order");
        }
    }

    function addDeposit(uint256 idSeed, uint256 amount, bool byStranger) external {
        if (ids.length == 0) return;
        uint256 id = ids[idSeed % ids.length];
        ComputeMarket.Order memory o = market.getOrder(id);
        address from = byStranger ? stranger : o.tenant;
        amount = bound(amount, 1, 5_000e6);
        uint256 providerBefore = o.provider == address(0) ? 0 : token.balanceOf(o.provider);
        bool overdrawn = o.state == ComputeMarket.OrderState.Leased && _due(o) >= o.held;
        bool may = (o.state == ComputeMarket.OrderState.Open || o.state == ComputeMarket.OrderState.Leased)
            && !overdrawn;
        vm.prank(from);
        try market.addDeposit(id, amount) {
            vm.assertTrue(may, "a deposit was taken against the rules");
            _recordSettlement(o, providerBefore);
            ghostDeposited += amount;
            ghostDepositedBy[from] += amount;
            ghostOrderDeposits[id] += amount;
        } catch {
            vm.assertFalse(may, "a deposit the rules allow was refused");
        }
    }

    function settle(uint256 idSeed) external {
        if (ids.length == 0) return;
        uint256 id = ids[idSeed % ids.length];
        ComputeMarket.Order memory o = market.getOrder(id);
        uint256 providerBefore = o.provider == address(0) ? 0 : token.balanceOf(o.provider);
        vm.prank(stranger);
        try market.settle(id) {
            vm.assertEq(uint8(o.state), uint8(ComputeMarket.OrderState.Leased), "settled a lease that was not running");
            _recordSettlement(o, providerBefore);
        } catch {
            vm.assertTrue(o.state != ComputeMarket.OrderState.Leased, "a running lease could not be settled");
        }
    }

    function close(uint256 idSeed, uint8 who) external {
        if (ids.length == 0) return;
        uint256 id = ids[idSeed % ids.length];
        ComputeMarket.Order memory o = market.getOrder(id);
        address caller = who % 3 == 0 ? o.tenant : who % 3 == 1 ? o.provider : stranger;
        if (caller == address(0)) caller = stranger;
        bool may = o.state == ComputeMarket.OrderState.Leased && (caller == o.tenant || caller == o.provider);
        uint256 providerBefore = o.provider == address(0) ? 0 : token.balanceOf(o.provider);
        uint256 tenantBefore = token.balanceOf(o.tenant);
        vm.prank(caller);
        try market.closeLease(id) {
            vm.assertTrue(may, "a lease was closed against the rules");
            uint256 paid = _recordSettlement(o, providerBefore);
            uint256 refunded = token.balanceOf(o.tenant) - tenantBefore;
            vm.assertEq(refunded, o.held - paid, "the tenant did not get the rest");
            ghostRefunded += refunded;
            ghostRefundedTo[o.tenant] += refunded;
            ghostOrderRefunded[id] += refunded;
            vm.assertEq(market.getOrder(id).held, 0, "a closed lease still holds funds");
        } catch {
            vm.assertFalse(may, "a party could not close its lease");
        }
    }

    function warp(uint256 secondsAhead) external {
        vm.warp(block.timestamp + bound(secondsAhead, 1, 3 hours));
    }

    // ---------------------------------------------------------------------------------------------- helpers

    function _needs() internal pure returns (ComputeMarket.Resources memory) {
        return ComputeMarket.Resources({cores: 1, memoryMiB: 1024, accelerators: 0});
    }

    function _hasBid(uint256 id, address who) internal view returns (bool) {
        ComputeMarket.Bid[] memory bids = market.getBids(id);
        for (uint256 i = 0; i < bids.length; ++i) {
            if (bids[i].provider == who) return true;
        }
        return false;
    }

    /// @dev What the running lease `o` has accrued but not been paid, now.
    function _due(ComputeMarket.Order memory o) internal view returns (uint256) {
        return uint256(o.pricePerHour) * (block.timestamp - o.leaseStart) / 3600 - o.paid;
    }

    /// @dev Books what the provider of `o` (as it was before the call) received in the call, and checks it is what
    /// accrued, capped by the escrow.
    function _recordSettlement(ComputeMarket.Order memory o, uint256 providerBefore) internal returns (uint256 paid) {
        if (o.state != ComputeMarket.OrderState.Leased) return 0;
        paid = token.balanceOf(o.provider) - providerBefore;
        uint256 due = _due(o);
        vm.assertEq(paid, due < o.held ? due : o.held, "the provider was not paid exactly what accrued");
        ghostPaid += paid;
        ghostPaidTo[o.provider] += paid;
    }
}
