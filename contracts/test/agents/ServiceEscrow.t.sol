// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {HyphaTest} from "../utils/HyphaTest.sol";
import {FeeOnTransferToken} from "../utils/FeeOnTransferToken.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";
import {ServiceEscrow} from "../../src/agents/ServiceEscrow.sol";

contract ServiceEscrowTest is HyphaTest {
    PaymentToken internal usd;
    ServiceEscrow internal escrow;
    address internal client;
    address internal provider;
    address internal validator;
    address internal stranger;
    uint64 internal constant REVIEW = 3 days;

    function setUp() public {
        vm.warp(1_700_000_000);
        client = makeAddr("client");
        provider = makeAddr("provider");
        validator = makeAddr("validator");
        stranger = makeAddr("stranger");
        usd = new PaymentToken("Hypha USD", "hUSD", 6, address(this));
        escrow = new ServiceEscrow();
        usd.mint(client, 1_000e6);
        vm.prank(client);
        usd.approve(address(escrow), type(uint256).max);
    }

    function _create(address validator_) internal returns (uint256 id) {
        uint128[] memory amounts = new uint128[](2);
        amounts[0] = 40e6;
        amounts[1] = 60e6;
        uint64[] memory deadlines = new uint64[](2);
        deadlines[0] = uint64(block.timestamp + 1 days);
        deadlines[1] = uint64(block.timestamp + 7 days);
        vm.prank(client);
        id = escrow.create(provider, validator_, IERC20(address(usd)), amounts, deadlines, REVIEW, keccak256("terms"));
    }

    function test_Create_EscrowsTheTotal() public {
        uint256 id = _create(validator);
        vm.assertEq(id, 1);
        vm.assertEq(usd.balanceOf(address(escrow)), 100e6);
        vm.assertEq(escrow.held(id), 100e6);
        ServiceEscrow.Agreement memory a = escrow.agreement(id);
        vm.assertEq(a.client, client);
        vm.assertEq(a.milestoneCount, 2);
    }

    function test_Create_RejectsBadTerms() public {
        uint128[] memory amounts = new uint128[](1);
        amounts[0] = 1e6;
        uint64[] memory deadlines = new uint64[](1);
        deadlines[0] = uint64(block.timestamp);
        vm.startPrank(client);
        vm.expectRevert(ServiceEscrow.InvalidTerms.selector); // deadline now
        escrow.create(provider, address(0), IERC20(address(usd)), amounts, deadlines, REVIEW, 0);
        deadlines[0] = uint64(block.timestamp + 1);
        vm.expectRevert(ServiceEscrow.InvalidTerms.selector); // client = provider
        escrow.create(client, address(0), IERC20(address(usd)), amounts, deadlines, REVIEW, 0);
        vm.expectRevert(ServiceEscrow.InvalidTerms.selector); // validator = provider
        escrow.create(provider, provider, IERC20(address(usd)), amounts, deadlines, REVIEW, 0);
        vm.expectRevert(ServiceEscrow.InvalidTerms.selector); // review too long
        escrow.create(provider, address(0), IERC20(address(usd)), amounts, deadlines, 91 days, 0);
        amounts[0] = 0;
        vm.expectRevert(ServiceEscrow.InvalidTerms.selector); // zero amount
        escrow.create(provider, address(0), IERC20(address(usd)), amounts, deadlines, REVIEW, 0);
        vm.expectRevert(ServiceEscrow.InvalidTerms.selector); // lengths differ
        escrow.create(provider, address(0), IERC20(address(usd)), new uint128[](2), deadlines, REVIEW, 0);
        vm.stopPrank();
    }

    function test_Create_RefusesFeeOnTransferTokens() public {
        FeeOnTransferToken fee = new FeeOnTransferToken();
        fee.mint(client, 100e6);
        uint128[] memory amounts = new uint128[](1);
        amounts[0] = 10e6;
        uint64[] memory deadlines = new uint64[](1);
        deadlines[0] = uint64(block.timestamp + 1 days);
        vm.startPrank(client);
        fee.approve(address(escrow), type(uint256).max);
        vm.expectPartialRevert(ServiceEscrow.UnsupportedToken.selector);
        escrow.create(provider, address(0), IERC20(address(fee)), amounts, deadlines, REVIEW, 0);
        vm.stopPrank();
    }

    function test_SubmitThenAccept_PaysProvider() public {
        uint256 id = _create(validator);
        vm.prank(provider);
        escrow.submit(id, 0, keccak256("result"));
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ServiceEscrow.NotParty.selector, stranger, client));
        escrow.accept(id, 0);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(ServiceEscrow.NotParty.selector, provider, client));
        escrow.accept(id, 0);
        vm.expectEmit(address(escrow));
        emit ServiceEscrow.MilestoneAccepted(id, 0, 40e6);
        vm.prank(client);
        escrow.accept(id, 0);
        vm.assertEq(usd.balanceOf(provider), 40e6);
        vm.assertEq(escrow.held(id), 60e6);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(ServiceEscrow.WrongStatus.selector, ServiceEscrow.Status.Accepted));
        escrow.accept(id, 0);
    }

    function test_Rule_OnlyValidator_OnlySubmitted_SplitsAsRuled() public {
        uint256 id = _create(validator);
        vm.prank(validator);
        vm.expectRevert(abi.encodeWithSelector(ServiceEscrow.WrongStatus.selector, ServiceEscrow.Status.Pending));
        escrow.rule(id, 1, 10_000, 0);
        vm.prank(provider);
        escrow.submit(id, 1, keccak256("result"));
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(ServiceEscrow.NotParty.selector, client, validator));
        escrow.rule(id, 1, 0, 0);
        vm.prank(validator);
        vm.expectRevert(abi.encodeWithSelector(ServiceEscrow.InvalidShare.selector, 10_001));
        escrow.rule(id, 1, 10_001, 0);
        vm.prank(validator);
        escrow.rule(id, 1, 2_500, keccak256("replay transcript"));
        vm.assertEq(usd.balanceOf(provider), 15e6);
        vm.assertEq(usd.balanceOf(client), 1_000e6 - 100e6 + 45e6);
    }

    function test_NoValidator_NobodyRules() public {
        uint256 id = _create(address(0));
        vm.prank(provider);
        escrow.submit(id, 0, 0);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ServiceEscrow.NotParty.selector, stranger, address(0)));
        escrow.rule(id, 0, 10_000, 0);
    }

    function test_Refund_UnsubmittedAtDeadline_ByAnyone() public {
        uint256 id = _create(validator);
        vm.expectRevert(abi.encodeWithSelector(ServiceEscrow.TooEarly.selector, block.timestamp + 1 days));
        escrow.refund(id, 0);
        vm.warp(block.timestamp + 1 days);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(ServiceEscrow.TooLate.selector, block.timestamp));
        escrow.submit(id, 0, 0);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(ServiceEscrow.TooLate.selector, block.timestamp));
        escrow.accept(id, 0);
        vm.prank(stranger);
        escrow.refund(id, 0);
        vm.assertEq(usd.balanceOf(client), 1_000e6 - 60e6);
        vm.assertEq(usd.balanceOf(provider), 0);
    }

    function test_Refund_SubmittedWaitsForReview_ThenTimesOut() public {
        uint256 id = _create(validator);
        vm.prank(provider);
        escrow.submit(id, 0, 0);
        vm.warp(block.timestamp + 1 days);
        vm.expectRevert(abi.encodeWithSelector(ServiceEscrow.TooEarly.selector, block.timestamp + REVIEW));
        escrow.refund(id, 0);
        // Within the review period the validator can still rule.
        vm.warp(block.timestamp + REVIEW - 1);
        vm.prank(validator);
        escrow.rule(id, 0, 10_000, 0);
        vm.assertEq(usd.balanceOf(provider), 40e6);

        vm.prank(provider);
        escrow.submit(id, 1, 0);
        vm.warp(block.timestamp + 7 days + REVIEW);
        vm.prank(validator);
        vm.expectPartialRevert(ServiceEscrow.TooLate.selector);
        escrow.rule(id, 1, 10_000, 0);
        escrow.refund(id, 1);
        vm.assertEq(usd.balanceOf(client), 1_000e6 - 40e6);
        vm.assertEq(usd.balanceOf(address(escrow)), 0);
    }

    function test_GiveBack_ByProviderOnly() public {
        uint256 id = _create(validator);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(ServiceEscrow.NotParty.selector, client, provider));
        escrow.giveBack(id, 0);
        vm.prank(provider);
        escrow.giveBack(id, 0);
        vm.assertEq(usd.balanceOf(client), 1_000e6 - 60e6);
        vm.expectRevert(abi.encodeWithSelector(ServiceEscrow.WrongStatus.selector, ServiceEscrow.Status.Refunded));
        escrow.refund(id, 0);
    }

    function test_UnknownMilestone() public {
        uint256 id = _create(validator);
        vm.expectRevert(abi.encodeWithSelector(ServiceEscrow.UnknownMilestone.selector, id, 2));
        escrow.refund(id, 2);
        vm.expectRevert(abi.encodeWithSelector(ServiceEscrow.UnknownMilestone.selector, 9, 0));
        escrow.refund(9, 0);
    }

    /// @dev Any ruling splits the milestone exactly: provider + client shares = amount.
    function testFuzz_Rule_SplitsExactly(uint128 amount, uint16 bps) public {
        amount = uint128(bound(amount, 1, 1_000e6));
        bps = uint16(bound(bps, 0, 10_000));
        uint128[] memory amounts = new uint128[](1);
        amounts[0] = amount;
        uint64[] memory deadlines = new uint64[](1);
        deadlines[0] = uint64(block.timestamp + 1 days);
        vm.prank(client);
        uint256 id = escrow.create(provider, validator, IERC20(address(usd)), amounts, deadlines, REVIEW, 0);
        vm.prank(provider);
        escrow.submit(id, 0, 0);
        vm.prank(validator);
        escrow.rule(id, 0, bps, 0);
        vm.assertEq(usd.balanceOf(provider) + usd.balanceOf(client), 1_000e6);
        vm.assertEq(usd.balanceOf(provider), uint256(amount) * bps / 10_000);
        vm.assertEq(usd.balanceOf(address(escrow)), 0);
    }
}
