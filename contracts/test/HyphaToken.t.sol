// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IAccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {HyphaTest} from "./utils/HyphaTest.sol";
import {HyphaToken} from "../src/HyphaToken.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

contract HyphaTokenTest is HyphaTest {
    uint256 internal constant CAP = 1_000_000_000 ether;
    uint256 internal constant INITIAL = 100_000_000 ether;
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    HyphaToken internal token;
    address internal admin;
    address internal holder;
    address internal minter;
    address internal alice;
    uint256 internal aliceKey;

    function setUp() public {
        admin = makeAddr("admin");
        holder = makeAddr("holder");
        minter = makeAddr("minter");
        (alice, aliceKey) = makeAccount("alice");
        token = new HyphaToken(admin, 1 days, CAP, holder, INITIAL);
        bytes32 minterRole = token.MINTER_ROLE(); // read before prank: prank applies to the next call only
        vm.prank(admin);
        token.grantRole(minterRole, minter);
    }

    // ------------------------------------------------------------------ deploy

    function test_Constructor_SetsMetadataCapSupplyAndRoles() public view {
        vm.assertEq(token.name(), "Hypha");
        vm.assertEq(token.symbol(), "HYP");
        vm.assertEq(uint256(token.decimals()), 18);
        vm.assertEq(token.cap(), CAP);
        vm.assertEq(token.totalSupply(), INITIAL);
        vm.assertEq(token.balanceOf(holder), INITIAL);
        vm.assertTrue(token.hasRole(token.DEFAULT_ADMIN_ROLE(), admin));
        vm.assertFalse(token.hasRole(token.MINTER_ROLE(), admin), "admin is not a minter by default");
        vm.assertEq(token.MINTER_ROLE(), keccak256("MINTER_ROLE"));
    }

    function test_Constructor_ZeroInitialSupplyAllowsZeroHolder() public {
        HyphaToken t = new HyphaToken(admin, 1 days, CAP, address(0), 0);
        vm.assertEq(t.totalSupply(), 0);
    }

    function test_Constructor_RevertsOnZeroAdmin() public {
        vm.expectRevert(abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, address(0)));
        new HyphaToken(address(0), 1 days, CAP, holder, INITIAL);
    }

    function test_Constructor_RevertsOnZeroCap() public {
        vm.expectRevert(abi.encodeWithSelector(ERC20Capped.ERC20InvalidCap.selector, 0));
        new HyphaToken(admin, 1 days, 0, holder, 0);
    }

    function test_Constructor_RevertsWhenInitialSupplyAboveCap() public {
        vm.expectRevert(abi.encodeWithSelector(ERC20Capped.ERC20ExceededCap.selector, CAP + 1, CAP));
        new HyphaToken(admin, 1 days, CAP, holder, CAP + 1);
    }

    function test_Constructor_RevertsOnZeroHolderWithSupply() public {
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        new HyphaToken(admin, 1 days, CAP, address(0), 1);
    }

    // ------------------------------------------------------------------ mint

    function test_Mint_ByMinterIncreasesSupplyAndEmitsTransfer() public {
        vm.expectEmit(true, true, false, true, address(token));
        emit IERC20.Transfer(address(0), alice, 5 ether);
        vm.prank(minter);
        token.mint(alice, 5 ether);
        vm.assertEq(token.balanceOf(alice), 5 ether);
        vm.assertEq(token.totalSupply(), INITIAL + 5 ether);
    }

    function test_Mint_UpToExactlyTheCap() public {
        vm.prank(minter);
        token.mint(alice, CAP - INITIAL);
        vm.assertEq(token.totalSupply(), CAP);
    }

    function test_Mint_RevertsAboveCap() public {
        vm.expectRevert(abi.encodeWithSelector(ERC20Capped.ERC20ExceededCap.selector, CAP + 1, CAP));
        vm.prank(minter);
        token.mint(alice, CAP - INITIAL + 1);
    }

    function test_Mint_OverflowingAmountRevertsWithCapError() public {
        vm.expectRevert(abi.encodeWithSelector(ERC20Capped.ERC20ExceededCap.selector, type(uint256).max, CAP));
        vm.prank(minter);
        token.mint(alice, type(uint256).max);
    }

    function test_Mint_RevertsForNonMinter() public {
        bytes32 role = token.MINTER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, role));
        vm.prank(admin);
        token.mint(alice, 1);
    }

    function test_Mint_RevertsToZeroAddress() public {
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        vm.prank(minter);
        token.mint(address(0), 1);
    }

    function test_Mint_StopsAfterRoleRevoked() public {
        bytes32 role = token.MINTER_ROLE();
        vm.prank(admin);
        token.revokeRole(role, minter);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, minter, role));
        vm.prank(minter);
        token.mint(alice, 1);
    }

    // ------------------------------------------------------------------ permit

    function test_Permit_SetsAllowanceAndBumpsNonce() public {
        address spender = makeAddr("spender");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(aliceKey, alice, spender, 7 ether, 0, deadline);
        token.permit(alice, spender, 7 ether, deadline, v, r, s);
        vm.assertEq(token.allowance(alice, spender), 7 ether);
        vm.assertEq(token.nonces(alice), 1);
    }

    function test_Permit_RevertsWhenReplayed() public {
        address spender = makeAddr("spender");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(aliceKey, alice, spender, 7 ether, 0, deadline);
        token.permit(alice, spender, 7 ether, deadline, v, r, s);
        // The nonce moved on, so the same signature now recovers some other signer.
        vm.expectPartialRevert(ERC20Permit.ERC2612InvalidSigner.selector);
        token.permit(alice, spender, 7 ether, deadline, v, r, s);
    }

    function test_Permit_RevertsWhenExpired() public {
        address spender = makeAddr("spender");
        vm.warp(1000);
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(aliceKey, alice, spender, 1, 0, 999);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, 999));
        token.permit(alice, spender, 1, 999, v, r, s);
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_Mint_NeverExceedsCap(uint256 amount) public {
        vm.prank(minter);
        if (amount > CAP - INITIAL) {
            vm.expectRevert(
                abi.encodeWithSelector(ERC20Capped.ERC20ExceededCap.selector, Math.saturatingAdd(INITIAL, amount), CAP)
            );
            token.mint(alice, amount);
            vm.assertEq(token.totalSupply(), INITIAL);
        } else {
            token.mint(alice, amount);
            vm.assertEq(token.totalSupply(), INITIAL + amount);
        }
        vm.assertLe(token.totalSupply(), token.cap());
    }

    function testFuzz_Mint_RevertsForAnyCallerWithoutRole(address caller, uint256 amount) public {
        vm.assume(caller != minter);
        bytes32 role = token.MINTER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role));
        vm.prank(caller);
        token.mint(alice, amount);
    }

    function testFuzz_Constructor_AnyCapAndSupply(uint256 cap_, uint256 initialSupply) public {
        cap_ = bound(cap_, 1, type(uint256).max);
        if (initialSupply > cap_) {
            vm.expectRevert(abi.encodeWithSelector(ERC20Capped.ERC20ExceededCap.selector, initialSupply, cap_));
            new HyphaToken(admin, 1 days, cap_, holder, initialSupply);
        } else {
            HyphaToken t = new HyphaToken(admin, 1 days, cap_, holder, initialSupply);
            vm.assertEq(t.totalSupply(), initialSupply);
            vm.assertEq(t.cap(), cap_);
        }
    }

    function testFuzz_Transfer_MovesExactlyTheAmount(address to, uint256 amount) public {
        vm.assume(to != address(0) && to != holder);
        if (amount > INITIAL) {
            vm.expectRevert(
                abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, holder, INITIAL, amount)
            );
            vm.prank(holder);
            // forge-lint: disable-next-line(erc20-unchecked-transfer)
            token.transfer(to, amount); // reverts, so there is no return value to check
        } else {
            vm.prank(holder);
            vm.assertTrue(token.transfer(to, amount));
            vm.assertEq(token.balanceOf(to), amount);
            vm.assertEq(token.balanceOf(holder), INITIAL - amount);
        }
    }

    function testFuzz_Permit_ForgedSignerReverts(uint256 forgerKey, uint256 value, uint256 deadline) public {
        forgerKey = boundKey(forgerKey);
        vm.assume(forgerKey != aliceKey);
        deadline = bound(deadline, block.timestamp, type(uint256).max);
        address spender = makeAddr("spender");
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(forgerKey, alice, spender, value, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612InvalidSigner.selector, vm.addr(forgerKey), alice));
        token.permit(alice, spender, value, deadline, v, r, s);
    }

    function testFuzz_Permit_ExpiredReverts(uint256 deadline, uint256 nowTs) public {
        nowTs = bound(nowTs, 1, type(uint64).max);
        deadline = bound(deadline, 0, nowTs - 1);
        vm.warp(nowTs);
        address spender = makeAddr("spender");
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(aliceKey, alice, spender, 1, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, deadline));
        token.permit(alice, spender, 1, deadline, v, r, s);
    }

    function testFuzz_GrantRole_OnlyAdmin(address caller, address grantee) public {
        vm.assume(caller != admin);
        bytes32 role = token.MINTER_ROLE();
        bytes32 adminRole = token.DEFAULT_ADMIN_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, adminRole)
        );
        vm.prank(caller);
        token.grantRole(role, grantee);
        vm.assertEq(token.hasRole(role, grantee), grantee == minter);
    }

    // ------------------------------------------------------------------ helpers

    function _signPermit(uint256 key, address owner, address spender, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (uint8, bytes32, bytes32)
    {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, nonce, deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        return vm.sign(key, digest);
    }
}
