// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {CoordinatorFixture} from "./utils/CoordinatorFixture.sol";
import {ERC1271Wallet} from "./utils/ERC1271Wallet.sol";
import {FeeOnTransferToken} from "./utils/FeeOnTransferToken.sol";
import {PaymentToken} from "../src/PaymentToken.sol";
import {ComputeMarket} from "../src/ComputeMarket.sol";

contract ComputeMarketTest is CoordinatorFixture {
    bytes32 internal constant SPEC = keccak256("fashion-mnist-cnn.toml");
    uint256 internal constant MAX_PRICE = 3_600e6; // 1 hUSD per second at most
    uint256 internal constant DEPOSIT = 7_200e6;
    uint64 internal constant WINDOW = 10 minutes;

    PaymentToken internal usd;
    ComputeMarket internal market;
    address internal tenant;
    address internal provider;
    address internal other;
    address internal stranger;
    address internal auditor;
    uint256 internal auditorKey;

    function setUp() public {
        vm.warp(1_700_000_000);
        _deployRegistry();
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        market = new ComputeMarket(registry, IERC20(address(usd)));
        tenant = makeAddr("tenant");
        provider = makeAddr("provider");
        other = makeAddr("other-provider");
        stranger = makeAddr("stranger");
        (auditor, auditorKey) = makeAccount("auditor");
        _registerProvider(provider, "provider");
        _registerProvider(other, "other");
        usd.mint(tenant, 100_000e6);
        usd.mint(stranger, 100_000e6);
        vm.prank(tenant);
        usd.approve(address(market), type(uint256).max);
        vm.prank(stranger);
        usd.approve(address(market), type(uint256).max);
    }

    function _needs() internal pure returns (ComputeMarket.Resources memory) {
        return ComputeMarket.Resources({cores: 2, memoryMiB: 4096, accelerators: 0});
    }

    function _order() internal returns (uint256 id) {
        return _order(address(0));
    }

    function _order(address auditor_) internal returns (uint256 id) {
        vm.prank(tenant);
        id = market.createOrder(SPEC, _needs(), MAX_PRICE, DEPOSIT, WINDOW, auditor_);
    }

    function _bid(uint256 id, address who, uint256 price) internal returns (uint256) {
        vm.prank(who);
        return market.bid(id, price, _needs(), "", 0);
    }

    function _leased(uint256 price) internal returns (uint256 id) {
        id = _order();
        _bid(id, provider, price);
        vm.prank(tenant);
        market.acceptBid(id, 0);
    }

    // ---------------------------------------------------------------------------------------------- orders

    function test_createOrder_escrowsTheDepositAndRecordsTheOrder() public {
        uint256 id = _order();
        vm.assertEq(id, 1);
        vm.assertEq(usd.balanceOf(address(market)), DEPOSIT);
        ComputeMarket.Order memory o = market.getOrder(id);
        vm.assertEq(o.tenant, tenant);
        vm.assertEq(o.spec, SPEC);
        vm.assertEq(o.held, DEPOSIT);
        vm.assertEq(o.bidsCloseAt, block.timestamp + WINDOW);
        vm.assertEq(uint8(o.state), uint8(ComputeMarket.OrderState.Open));
    }

    function test_createOrder_refusesNonsense() public {
        vm.startPrank(tenant);
        vm.expectRevert(ComputeMarket.InvalidSpec.selector);
        market.createOrder(bytes32(0), _needs(), MAX_PRICE, DEPOSIT, WINDOW, address(0));
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.InvalidPrice.selector, 0, type(uint96).max));
        market.createOrder(SPEC, _needs(), 0, DEPOSIT, WINDOW, address(0));
        vm.expectRevert(ComputeMarket.InvalidDeposit.selector);
        market.createOrder(SPEC, _needs(), MAX_PRICE, 0, WINDOW, address(0));
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.AmountTooLarge.selector, uint256(type(uint96).max) + 1));
        market.createOrder(SPEC, _needs(), MAX_PRICE, uint256(type(uint96).max) + 1, WINDOW, address(0));
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.InvalidBidWindow.selector, 0, 7 days));
        market.createOrder(SPEC, _needs(), MAX_PRICE, DEPOSIT, 0, address(0));
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.InvalidBidWindow.selector, 7 days + 1, 7 days));
        market.createOrder(SPEC, _needs(), MAX_PRICE, DEPOSIT, 7 days + 1, address(0));
        vm.stopPrank();
    }

    function test_createOrder_refusesATokenThatDeliversLess() public {
        FeeOnTransferToken fee = new FeeOnTransferToken();
        ComputeMarket feeMarket = new ComputeMarket(registry, IERC20(address(fee)));
        fee.mint(tenant, 1_000);
        vm.startPrank(tenant);
        fee.approve(address(feeMarket), 1_000);
        vm.expectPartialRevert(ComputeMarket.UnsupportedToken.selector);
        feeMarket.createOrder(SPEC, _needs(), MAX_PRICE, 1_000, WINDOW, address(0));
        vm.stopPrank();
    }

    function test_cancelOrder_returnsEverythingToTheTenantOnly() public {
        uint256 id = _order();
        _bid(id, provider, 1e6);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.NotTenant.selector, id, stranger));
        market.cancelOrder(id);
        uint256 before = usd.balanceOf(tenant);
        vm.prank(tenant);
        market.cancelOrder(id);
        vm.assertEq(usd.balanceOf(tenant), before + DEPOSIT);
        vm.assertEq(usd.balanceOf(address(market)), 0);
        vm.prank(tenant);
        vm.expectRevert(
            abi.encodeWithSelector(ComputeMarket.WrongState.selector, id, ComputeMarket.OrderState.Cancelled)
        );
        market.cancelOrder(id);
        vm.prank(tenant);
        vm.expectRevert(
            abi.encodeWithSelector(ComputeMarket.WrongState.selector, id, ComputeMarket.OrderState.Cancelled)
        );
        market.acceptBid(id, 0);
    }

    // ---------------------------------------------------------------------------------------------- bids

    function test_bid_onlyByActiveProvidersWithinTheWindowAndThePrice() public {
        uint256 id = _order();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.InactiveProvider.selector, stranger));
        market.bid(id, 1e6, _needs(), "", 0);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.InvalidPrice.selector, MAX_PRICE + 1, MAX_PRICE));
        market.bid(id, MAX_PRICE + 1, _needs(), "", 0);
        ComputeMarket.Resources memory small = ComputeMarket.Resources({cores: 1, memoryMiB: 8192, accelerators: 0});
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.InsufficientResources.selector, id));
        market.bid(id, 1e6, small, "", 0);
        vm.assertEq(_bid(id, provider, 1e6), 0);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.AlreadyBid.selector, id, provider));
        market.bid(id, 1e6, _needs(), "", 0);
        vm.warp(block.timestamp + WINDOW);
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.BiddingClosed.selector, id, block.timestamp));
        market.bid(id, 1e6, _needs(), "", 0);
    }

    function test_bid_needsTheAuditorsFreshAttestationWhenTheOrderNamesOne() public {
        uint256 id = _order(auditor);
        ComputeMarket.Resources memory offered = _needs();
        uint64 expires = uint64(block.timestamp + 1 days);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(auditorKey, market.attestationDigest(provider, offered, expires));
        bytes memory attestation = abi.encodePacked(r, s, v);
        // someone else's attestation, a stale one and a missing one are refused
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.InvalidAttestation.selector, id, auditor));
        market.bid(id, 1e6, offered, attestation, expires);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.InvalidAttestation.selector, id, auditor));
        market.bid(id, 1e6, offered, attestation, expires + 1);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.InvalidAttestation.selector, id, auditor));
        market.bid(id, 1e6, offered, "", expires);
        vm.prank(provider);
        market.bid(id, 1e6, offered, attestation, expires);
        // an attestation that has expired by the time of the bid
        vm.prank(tenant);
        uint256 id2 = market.createOrder(SPEC, _needs(), MAX_PRICE, DEPOSIT, 2 days, auditor);
        vm.warp(expires);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.InvalidAttestation.selector, id2, auditor));
        market.bid(id2, 1e6, offered, attestation, expires);
    }

    function test_bid_acceptsAnErc1271Auditor() public {
        ERC1271Wallet wallet = new ERC1271Wallet(auditor);
        uint256 id = _order(address(wallet));
        uint64 expires = uint64(block.timestamp + 1 days);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(auditorKey, market.attestationDigest(provider, _needs(), expires));
        vm.prank(provider);
        market.bid(id, 1e6, _needs(), abi.encodePacked(r, s, v), expires);
    }

    function test_bid_isLimitedPerOrder() public {
        uint256 id = _order();
        for (uint256 i = 0; i < market.MAX_BIDS(); ++i) {
            address p = makeAddr(string.concat("bidder", vm.toString(i)));
            _registerProvider(p, string.concat("bidder", vm.toString(i)));
            _bid(id, p, 1e6);
        }
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.TooManyBids.selector, id));
        market.bid(id, 1e6, _needs(), "", 0);
    }

    function test_withdrawBid_onlyByItsProvider() public {
        uint256 id = _order();
        _bid(id, provider, 1e6);
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.NotBidder.selector, id, 0, other));
        market.withdrawBid(id, 0);
        vm.prank(provider);
        market.withdrawBid(id, 0);
        vm.prank(tenant);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.NoSuchBid.selector, id, 0));
        market.acceptBid(id, 0);
    }

    // ---------------------------------------------------------------------------------------------- leases

    function test_acceptBid_byTheTenantStartsTheLease() public {
        uint256 id = _order();
        _bid(id, provider, 360e6);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.NotTenant.selector, id, stranger));
        market.acceptBid(id, 0);
        vm.prank(tenant);
        market.acceptBid(id, 0);
        ComputeMarket.Order memory o = market.getOrder(id);
        vm.assertEq(o.provider, provider);
        vm.assertEq(o.pricePerHour, 360e6);
        vm.assertEq(o.leaseStart, block.timestamp);
        vm.assertEq(market.fundedUntil(id), block.timestamp + 20 hours);
    }

    function test_acceptBid_refusesAProviderThatIsNoLongerActive() public {
        uint256 id = _order();
        _bid(id, provider, 1e6);
        vm.prank(provider);
        registry.deactivate();
        vm.prank(tenant);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.InactiveProvider.selector, provider));
        market.acceptBid(id, 0);
    }

    function test_acceptCheapest_afterTheWindowPicksTheLowestActiveEarliestBid() public {
        uint256 id = _order();
        address third = makeAddr("third");
        _registerProvider(third, "third");
        _bid(id, provider, 500e6);
        _bid(id, other, 300e6);
        _bid(id, third, 300e6);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.BiddingOpen.selector, id, block.timestamp + WINDOW));
        market.acceptCheapest(id);
        vm.warp(block.timestamp + WINDOW);
        vm.prank(other);
        registry.deactivate(); // the cheapest earliest bidder left: the equal later bid wins
        vm.prank(stranger);
        market.acceptCheapest(id);
        vm.assertEq(market.getOrder(id).provider, third);
        vm.assertEq(market.getOrder(id).pricePerHour, 300e6);
    }

    function test_acceptCheapest_withNoUsableBidReverts() public {
        uint256 id = _order();
        _bid(id, provider, 1e6);
        vm.prank(provider);
        market.withdrawBid(id, 0);
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.NoAcceptableBid.selector, id));
        market.acceptCheapest(id);
    }

    function test_settle_paysExactlyWhatAccruedPerSecondWhoeverCalls() public {
        uint256 id = _leased(1e6); // 1 hUSD per hour: 277.7 units per second
        vm.warp(block.timestamp + 1);
        vm.prank(stranger);
        market.settle(id);
        vm.assertEq(usd.balanceOf(provider), 277);
        vm.warp(block.timestamp + 1);
        market.settle(id);
        vm.assertEq(usd.balanceOf(provider), 555, "computed from the start: no rounding drift");
        vm.warp(block.timestamp + 3598);
        market.settle(id);
        vm.assertEq(usd.balanceOf(provider), 1e6);
        vm.assertEq(market.getOrder(id).held, DEPOSIT - 1e6);
        vm.assertEq(market.owed(id), 0);
    }

    function test_settle_closesAnOverdrawnLeaseAndPaysTheRest() public {
        uint256 id = _leased(3_600e6); // 1 hUSD per second: the deposit lasts 7200 s
        vm.assertEq(market.fundedUntil(id), block.timestamp + 7200);
        vm.warp(block.timestamp + 10_000);
        vm.assertEq(market.owed(id), DEPOSIT);
        vm.expectEmit(address(market));
        emit ComputeMarket.LeaseClosed(id, ComputeMarket.CloseReason.Overdrawn, uint64(block.timestamp), DEPOSIT, 0);
        vm.assertTrue(market.settle(id));
        vm.assertEq(usd.balanceOf(provider), DEPOSIT);
        vm.assertEq(usd.balanceOf(address(market)), 0);
        ComputeMarket.Order memory o = market.getOrder(id);
        vm.assertEq(uint8(o.state), uint8(ComputeMarket.OrderState.Closed));
        vm.assertEq(uint8(o.closeReason), uint8(ComputeMarket.CloseReason.Overdrawn));
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.WrongState.selector, id, ComputeMarket.OrderState.Closed));
        market.settle(id);
    }

    function test_closeLease_paysUpToNowAndRefundsTheRestEitherSide() public {
        uint256 id = _leased(3_600e6);
        vm.warp(block.timestamp + 100);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.NotParty.selector, id, stranger));
        market.closeLease(id);
        uint256 tenantBefore = usd.balanceOf(tenant);
        vm.prank(provider);
        market.closeLease(id);
        vm.assertEq(usd.balanceOf(provider), 100e6);
        vm.assertEq(usd.balanceOf(tenant), tenantBefore + DEPOSIT - 100e6);
        vm.assertEq(uint8(market.getOrder(id).closeReason), uint8(ComputeMarket.CloseReason.Provider));
        // no pay for time after the close
        vm.warp(block.timestamp + 1 days);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.WrongState.selector, id, ComputeMarket.OrderState.Closed));
        market.settle(id);
        vm.assertEq(market.owed(id), 0);
        vm.assertEq(usd.balanceOf(address(market)), 0);

        uint256 id2 = _leased(3_600e6);
        vm.warp(block.timestamp + 50);
        vm.prank(tenant);
        market.closeLease(id2);
        vm.assertEq(usd.balanceOf(provider), 150e6);
        vm.assertEq(uint8(market.getOrder(id2).closeReason), uint8(ComputeMarket.CloseReason.Tenant));
    }

    function test_closeLease_afterTheDepositRanOutClosesAsOverdrawn() public {
        uint256 id = _leased(3_600e6);
        vm.warp(block.timestamp + 8000);
        vm.prank(tenant);
        market.closeLease(id);
        vm.assertEq(usd.balanceOf(provider), DEPOSIT);
        vm.assertEq(uint8(market.getOrder(id).closeReason), uint8(ComputeMarket.CloseReason.Overdrawn));
    }

    function test_addDeposit_extendsALeaseFromAnyoneButRefundsGoToTheTenant() public {
        uint256 id = _leased(3_600e6);
        vm.warp(block.timestamp + 3600);
        vm.prank(stranger);
        market.addDeposit(id, 3_600e6);
        vm.assertEq(usd.balanceOf(provider), 3_600e6, "settled before the deposit grew");
        vm.assertEq(market.fundedUntil(id), market.getOrder(id).leaseStart + 10_800);
        uint256 tenantBefore = usd.balanceOf(tenant);
        uint256 strangerBefore = usd.balanceOf(stranger);
        vm.prank(tenant);
        market.closeLease(id);
        vm.assertEq(usd.balanceOf(tenant), tenantBefore + 7_200e6);
        vm.assertEq(usd.balanceOf(stranger), strangerBefore);
    }

    function test_addDeposit_cannotReviveAnOverdrawnLease() public {
        uint256 id = _leased(3_600e6);
        vm.warp(block.timestamp + 7200);
        vm.prank(tenant);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.LeaseOverdrawn.selector, id));
        market.addDeposit(id, 1e6);
        vm.prank(tenant);
        vm.expectRevert(ComputeMarket.InvalidDeposit.selector);
        market.addDeposit(id, 0);
    }

    function test_unknownOrdersAreNamed() public {
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.UnknownOrder.selector, 42));
        market.settle(42);
        vm.expectRevert(abi.encodeWithSelector(ComputeMarket.UnknownOrder.selector, 42));
        market.bid(42, 1, _needs(), "", 0);
    }

    /// @dev Whatever the price, lease length and settlement pattern, the provider gets exactly
    /// floor(price * seconds / 3600) capped by the deposit, and the tenant the rest.
    function testFuzz_paymentIsExactWhateverTheSettlementPattern(uint256 price, uint256 seed, uint8 touches) public {
        price = bound(price, 1, MAX_PRICE);
        uint256 id = _leased(price);
        uint64 start = uint64(block.timestamp);
        uint256 n = bound(touches, 0, 20);
        for (uint256 i = 0; i < n; ++i) {
            vm.warp(block.timestamp + bound(uint256(keccak256(abi.encode(seed, i))), 0, 2 hours));
            if (market.getOrder(id).state != ComputeMarket.OrderState.Leased) break;
            market.settle(id);
        }
        vm.warp(block.timestamp + bound(seed, 0, 1 days));
        uint256 tenantBefore = usd.balanceOf(tenant);
        if (market.getOrder(id).state == ComputeMarket.OrderState.Leased) {
            vm.prank(tenant);
            market.closeLease(id);
        }
        ComputeMarket.Order memory o = market.getOrder(id);
        uint256 expected = price * (o.leaseEnd - start) / 3600;
        if (expected > DEPOSIT) expected = DEPOSIT;
        vm.assertEq(usd.balanceOf(provider), expected);
        vm.assertEq(o.paid, expected);
        vm.assertEq(usd.balanceOf(tenant) - tenantBefore, DEPOSIT - expected, "the rest went back to the tenant");
        vm.assertEq(usd.balanceOf(address(market)), 0);
    }
}
