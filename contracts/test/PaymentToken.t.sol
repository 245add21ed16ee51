// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "./utils/HyphaTest.sol";
import {ERC1271Wallet} from "./utils/ERC1271Wallet.sol";
import {Eip3009Signer} from "./utils/Eip3009Signer.sol";
import {PaymentToken} from "../src/PaymentToken.sol";
import {EIP3009} from "../src/EIP3009.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

contract PaymentTokenTest is HyphaTest {
    using Eip3009Signer for PaymentToken;

    uint256 internal constant SECP256K1_HALF_N = SECP256K1_N / 2;

    PaymentToken internal token;
    address internal owner;
    address internal payer;
    uint256 internal payerKey;
    address internal payee;
    address internal facilitator;

    function setUp() public {
        owner = makeAddr("owner");
        (payer, payerKey) = makeAccount("payer");
        payee = makeAddr("payee");
        facilitator = makeAddr("facilitator");
        token = new PaymentToken("Hypha USD", "hUSD", 6, owner);
        vm.prank(owner);
        token.mint(payer, 1_000e6);
        vm.warp(1_700_000_000);
    }

    // ------------------------------------------------------------------ token basics

    function test_Constructor_SetsMetadataAndOwner() public view {
        vm.assertEq(token.name(), "Hypha USD");
        vm.assertEq(token.symbol(), "hUSD");
        vm.assertEq(uint256(token.decimals()), 6);
        vm.assertEq(token.owner(), owner);
    }

    function test_Constructor_RevertsOnZeroOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new PaymentToken("Hypha USD", "hUSD", 6, address(0));
    }

    function test_TypeHashes_AreExactlyEip3009() public view {
        vm.assertEq(
            token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH(),
            0x7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267
        );
        vm.assertEq(
            token.RECEIVE_WITH_AUTHORIZATION_TYPEHASH(),
            0xd099cc98ef71107a616c4f0f941f04c322d8e254fe26b3c6668db87aae413de8
        );
        vm.assertEq(
            token.CANCEL_AUTHORIZATION_TYPEHASH(), 0x158b0a9edf7a828aad02f63cd515c68ef2f50ba807396f6d12842833a1597429
        );
    }

    function test_Mint_ByOwner() public {
        vm.expectEmit(true, true, false, true, address(token));
        emit IERC20.Transfer(address(0), payee, 5e6);
        vm.prank(owner);
        token.mint(payee, 5e6);
        vm.assertEq(token.balanceOf(payee), 5e6);
    }

    function test_Mint_RevertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, payee));
        vm.prank(payee);
        token.mint(payee, 1);
    }

    function test_Mint_RevertsWhenSupplyWouldOverflow() public {
        vm.startPrank(owner);
        token.mint(payee, type(uint256).max - token.totalSupply());
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x11));
        token.mint(payee, 1);
        vm.stopPrank();
    }

    function test_Permit_Works() public {
        bytes32 typeHash =
            keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
        uint256 deadline = block.timestamp + 60;
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                token.DOMAIN_SEPARATOR(),
                keccak256(abi.encode(typeHash, payer, facilitator, 3e6, 0, deadline))
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(payerKey, digest);
        token.permit(payer, facilitator, 3e6, deadline, v, r, s);
        vm.assertEq(token.allowance(payer, facilitator), 3e6);
    }

    // ------------------------------------------------------------------ transferWithAuthorization

    function test_TransferWithAuthorization_VrsMovesFundsAndMarksNonce() public {
        Eip3009Signer.Authorization memory a = _auth(10e6, bytes32(uint256(1)));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(payerKey, token.transferDigest(a));

        vm.expectEmit(true, true, false, false, address(token));
        emit EIP3009.AuthorizationUsed(payer, a.nonce);
        vm.expectEmit(true, true, false, true, address(token));
        emit IERC20.Transfer(payer, payee, 10e6);
        vm.prank(facilitator);
        token.transferWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, v, r, s);

        vm.assertEq(token.balanceOf(payee), 10e6);
        vm.assertEq(token.balanceOf(payer), 990e6);
        vm.assertTrue(token.authorizationState(payer, a.nonce));
    }

    function test_TransferWithAuthorization_PackedSignature() public {
        Eip3009Signer.Authorization memory a = _auth(10e6, keccak256("x402-nonce"));
        bytes memory sig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
        vm.assertFalse(token.authorizationState(payer, a.nonce));
        _transferPacked(a, sig);
        vm.assertEq(token.balanceOf(payee), 10e6);
        vm.assertTrue(token.authorizationState(payer, a.nonce));
    }

    function test_TransferWithAuthorization_Erc1271Wallet() public {
        (address walletOwner, uint256 walletKey) = makeAccount("walletOwner");
        ERC1271Wallet wallet = new ERC1271Wallet(walletOwner);
        vm.prank(owner);
        token.mint(address(wallet), 50e6);

        Eip3009Signer.Authorization memory a = _auth(20e6, bytes32(uint256(7)));
        a.from = address(wallet);
        _transferPacked(a, Eip3009Signer.signPacked(walletKey, token.transferDigest(a)));
        vm.assertEq(token.balanceOf(payee), 20e6);
        vm.assertEq(token.balanceOf(address(wallet)), 30e6);
    }

    function test_TransferWithAuthorization_Erc1271WalletRejectsOtherKey() public {
        ERC1271Wallet wallet = new ERC1271Wallet(makeAddr("walletOwner"));
        vm.prank(owner);
        token.mint(address(wallet), 50e6);
        Eip3009Signer.Authorization memory a = _auth(20e6, bytes32(uint256(7)));
        a.from = address(wallet);
        bytes memory sig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
        vm.expectRevert(abi.encodeWithSelector(EIP3009.InvalidAuthorizationSignature.selector, address(wallet)));
        _transferPacked(a, sig);
    }

    function test_TransferWithAuthorization_RevertsOnReplay() public {
        Eip3009Signer.Authorization memory a = _auth(1e6, bytes32(uint256(1)));
        bytes memory sig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
        _transferPacked(a, sig);
        vm.expectRevert(abi.encodeWithSelector(EIP3009.AuthorizationAlreadyUsed.selector, payer, a.nonce));
        _transferPacked(a, sig);
        vm.assertEq(token.balanceOf(payee), 1e6);
    }

    function test_TransferWithAuthorization_RevertsAtValidAfterBoundary() public {
        Eip3009Signer.Authorization memory a = _auth(1e6, bytes32(uint256(1)));
        a.validAfter = block.timestamp; // valid only strictly after
        bytes memory sig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
        vm.expectRevert(
            abi.encodeWithSelector(EIP3009.AuthorizationNotYetValid.selector, a.validAfter, block.timestamp)
        );
        _transferPacked(a, sig);
        vm.warp(block.timestamp + 1);
        _transferPacked(a, sig);
        vm.assertEq(token.balanceOf(payee), 1e6);
    }

    function test_TransferWithAuthorization_RevertsAtValidBeforeBoundary() public {
        Eip3009Signer.Authorization memory a = _auth(1e6, bytes32(uint256(1)));
        a.validBefore = block.timestamp; // valid only strictly before
        bytes memory sig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
        vm.expectRevert(abi.encodeWithSelector(EIP3009.AuthorizationExpired.selector, a.validBefore, block.timestamp));
        _transferPacked(a, sig);
    }

    function test_TransferWithAuthorization_RevertsOnTamperedValue() public {
        Eip3009Signer.Authorization memory a = _auth(1e6, bytes32(uint256(1)));
        bytes memory sig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
        a.value = 2e6;
        vm.expectRevert(abi.encodeWithSelector(EIP3009.InvalidAuthorizationSignature.selector, payer));
        _transferPacked(a, sig);
    }

    function test_TransferWithAuthorization_RevertsOnOtherChain() public {
        Eip3009Signer.Authorization memory a = _auth(1e6, bytes32(uint256(1)));
        bytes memory sig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
        vm.chainId(block.chainid + 1);
        vm.expectRevert(abi.encodeWithSelector(EIP3009.InvalidAuthorizationSignature.selector, payer));
        _transferPacked(a, sig);
    }

    function test_TransferWithAuthorization_RevertsOnHighSSignature() public {
        Eip3009Signer.Authorization memory a = _auth(1e6, bytes32(uint256(1)));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(payerKey, token.transferDigest(a));
        // The malleable twin (n - s, flipped v) is a valid secp256k1 signature that must not be accepted.
        bytes32 highS = bytes32(SECP256K1_N - uint256(s));
        uint8 flippedV = v == 27 ? 28 : 27;
        vm.assertGt(uint256(highS), SECP256K1_HALF_N);
        vm.expectRevert(abi.encodeWithSelector(EIP3009.InvalidAuthorizationSignature.selector, payer));
        token.transferWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, flippedV, r, highS);
    }

    function test_TransferWithAuthorization_InsufficientBalanceKeepsNonceUnused() public {
        Eip3009Signer.Authorization memory a = _auth(1_000e6 + 1, bytes32(uint256(1)));
        bytes memory sig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, payer, 1_000e6, 1_000e6 + 1)
        );
        _transferPacked(a, sig);
        vm.assertFalse(token.authorizationState(payer, a.nonce));
    }

    function test_TransferWithAuthorization_RevertsForZeroPayee() public {
        Eip3009Signer.Authorization memory a = _auth(1e6, bytes32(uint256(1)));
        a.to = address(0);
        bytes memory sig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        _transferPacked(a, sig);
    }

    // ------------------------------------------------------------------ receiveWithAuthorization

    function test_ReceiveWithAuthorization_ByPayee() public {
        Eip3009Signer.Authorization memory a = _auth(4e6, bytes32(uint256(2)));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(payerKey, token.receiveDigest(a));
        vm.expectEmit(true, true, false, false, address(token));
        emit EIP3009.AuthorizationUsed(payer, a.nonce);
        vm.prank(payee);
        token.receiveWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, v, r, s);
        vm.assertEq(token.balanceOf(payee), 4e6);
    }

    function test_ReceiveWithAuthorization_PackedByPayee() public {
        Eip3009Signer.Authorization memory a = _auth(4e6, bytes32(uint256(2)));
        bytes memory sig = Eip3009Signer.signPacked(payerKey, token.receiveDigest(a));
        vm.prank(payee);
        token.receiveWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, sig);
        vm.assertEq(token.balanceOf(payee), 4e6);
    }

    function test_ReceiveWithAuthorization_RevertsForOtherCaller() public {
        Eip3009Signer.Authorization memory a = _auth(4e6, bytes32(uint256(2)));
        bytes memory sig = Eip3009Signer.signPacked(payerKey, token.receiveDigest(a));
        vm.expectRevert(abi.encodeWithSelector(EIP3009.CallerMustBePayee.selector, facilitator, payee));
        vm.prank(facilitator);
        token.receiveWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, sig);
    }

    function test_ReceiveWithAuthorization_RejectsTransferTypedSignature() public {
        Eip3009Signer.Authorization memory a = _auth(4e6, bytes32(uint256(2)));
        bytes memory sig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
        vm.expectRevert(abi.encodeWithSelector(EIP3009.InvalidAuthorizationSignature.selector, payer));
        vm.prank(payee);
        token.receiveWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, sig);
    }

    // ------------------------------------------------------------------ cancelAuthorization

    function test_CancelAuthorization_BlocksLaterUse() public {
        Eip3009Signer.Authorization memory a = _auth(1e6, bytes32(uint256(3)));
        bytes memory transferSig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(payerKey, token.cancelDigest(payer, a.nonce));

        vm.expectEmit(true, true, false, false, address(token));
        emit EIP3009.AuthorizationCanceled(payer, a.nonce);
        vm.prank(facilitator);
        token.cancelAuthorization(payer, a.nonce, v, r, s);
        vm.assertTrue(token.authorizationState(payer, a.nonce));

        vm.expectRevert(abi.encodeWithSelector(EIP3009.AuthorizationAlreadyUsed.selector, payer, a.nonce));
        _transferPacked(a, transferSig);
    }

    function test_CancelAuthorization_PackedAndNotTwice() public {
        bytes32 nonce = bytes32(uint256(4));
        bytes memory sig = Eip3009Signer.signPacked(payerKey, token.cancelDigest(payer, nonce));
        token.cancelAuthorization(payer, nonce, sig);
        vm.expectRevert(abi.encodeWithSelector(EIP3009.AuthorizationAlreadyUsed.selector, payer, nonce));
        token.cancelAuthorization(payer, nonce, sig);
    }

    function test_CancelAuthorization_RevertsForOtherSigner() public {
        (, uint256 otherKey) = makeAccount("other");
        bytes32 nonce = bytes32(uint256(5));
        bytes memory sig = Eip3009Signer.signPacked(otherKey, token.cancelDigest(payer, nonce));
        vm.expectRevert(abi.encodeWithSelector(EIP3009.InvalidAuthorizationSignature.selector, payer));
        token.cancelAuthorization(payer, nonce, sig);
        vm.assertFalse(token.authorizationState(payer, nonce));
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_TransferWithAuthorization_InsideWindowPays(
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        uint256 nowTs,
        bytes32 nonce
    ) public {
        value = bound(value, 0, token.balanceOf(payer));
        nowTs = bound(nowTs, 1, type(uint64).max);
        validAfter = bound(validAfter, 0, nowTs - 1);
        validBefore = bound(validBefore, nowTs + 1, type(uint256).max);
        vm.warp(nowTs);
        Eip3009Signer.Authorization memory a =
            Eip3009Signer.Authorization(payer, payee, value, validAfter, validBefore, nonce);
        _transferPacked(a, Eip3009Signer.signPacked(payerKey, token.transferDigest(a)));
        vm.assertEq(token.balanceOf(payee), value);
        vm.assertTrue(token.authorizationState(payer, nonce));
    }

    function testFuzz_TransferWithAuthorization_OutsideWindowReverts(
        uint256 validAfter,
        uint256 validBefore,
        uint256 nowTs,
        bool early
    ) public {
        nowTs = bound(nowTs, 1, type(uint64).max);
        vm.warp(nowTs);
        Eip3009Signer.Authorization memory a = _auth(1, bytes32(0));
        if (early) {
            a.validAfter = bound(validAfter, nowTs, type(uint256).max);
            a.validBefore = type(uint256).max;
            bytes memory sig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
            vm.expectRevert(abi.encodeWithSelector(EIP3009.AuthorizationNotYetValid.selector, a.validAfter, nowTs));
            _transferPacked(a, sig);
        } else {
            a.validAfter = 0;
            a.validBefore = bound(validBefore, 0, nowTs);
            bytes memory sig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
            vm.expectRevert(abi.encodeWithSelector(EIP3009.AuthorizationExpired.selector, a.validBefore, nowTs));
            _transferPacked(a, sig);
        }
        vm.assertFalse(token.authorizationState(payer, a.nonce));
    }

    function testFuzz_TransferWithAuthorization_ForgedSignerReverts(uint256 forgerKey, uint256 value, bytes32 nonce)
        public
    {
        forgerKey = boundKey(forgerKey);
        vm.assume(forgerKey != payerKey);
        Eip3009Signer.Authorization memory a = _auth(value, nonce);
        bytes memory sig = Eip3009Signer.signPacked(forgerKey, token.transferDigest(a));
        vm.expectRevert(abi.encodeWithSelector(EIP3009.InvalidAuthorizationSignature.selector, payer));
        _transferPacked(a, sig);
    }

    function testFuzz_TransferWithAuthorization_GarbageSignatureReverts(bytes memory sig, uint8 v, bytes32 r, bytes32 s)
        public
    {
        Eip3009Signer.Authorization memory a = _auth(1, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(EIP3009.InvalidAuthorizationSignature.selector, payer));
        _transferPacked(a, sig);
        vm.expectRevert(abi.encodeWithSelector(EIP3009.InvalidAuthorizationSignature.selector, payer));
        token.transferWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, v, r, s);
    }

    function testFuzz_TransferWithAuthorization_ReplayAlwaysReverts(uint256 value, bytes32 nonce, address submitter)
        public
    {
        value = bound(value, 0, 500e6);
        Eip3009Signer.Authorization memory a = _auth(value, nonce);
        bytes memory sig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
        _transferPacked(a, sig);
        vm.expectRevert(abi.encodeWithSelector(EIP3009.AuthorizationAlreadyUsed.selector, payer, nonce));
        vm.prank(submitter);
        token.transferWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, sig);
        vm.assertEq(token.balanceOf(payee), value);
    }

    function testFuzz_TransferWithAuthorization_OverBalanceReverts(uint256 value) public {
        uint256 balance = token.balanceOf(payer);
        value = bound(value, balance + 1, type(uint256).max);
        Eip3009Signer.Authorization memory a = _auth(value, bytes32(0));
        bytes memory sig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, payer, balance, value));
        _transferPacked(a, sig);
    }

    function testFuzz_ReceiveWithAuthorization_OnlyPayee(address caller, uint256 value, bytes32 nonce) public {
        value = bound(value, 0, token.balanceOf(payer));
        Eip3009Signer.Authorization memory a = _auth(value, nonce);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(payerKey, token.receiveDigest(a));
        vm.prank(caller);
        if (caller != payee) {
            vm.expectRevert(abi.encodeWithSelector(EIP3009.CallerMustBePayee.selector, caller, payee));
            token.receiveWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, v, r, s);
            vm.assertEq(token.balanceOf(payee), 0);
        } else {
            token.receiveWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, v, r, s);
            vm.assertEq(token.balanceOf(payee), value);
        }
    }

    function testFuzz_CancelAuthorization_ForgedSignerReverts(uint256 forgerKey, bytes32 nonce) public {
        forgerKey = boundKey(forgerKey);
        vm.assume(forgerKey != payerKey);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(forgerKey, token.cancelDigest(payer, nonce));
        vm.expectRevert(abi.encodeWithSelector(EIP3009.InvalidAuthorizationSignature.selector, payer));
        token.cancelAuthorization(payer, nonce, v, r, s);
    }

    function testFuzz_CancelAuthorization_ThenTransferReverts(bytes32 nonce, uint256 value) public {
        value = bound(value, 0, token.balanceOf(payer));
        Eip3009Signer.Authorization memory a = _auth(value, nonce);
        bytes memory transferSig = Eip3009Signer.signPacked(payerKey, token.transferDigest(a));
        token.cancelAuthorization(payer, nonce, Eip3009Signer.signPacked(payerKey, token.cancelDigest(payer, nonce)));
        vm.expectRevert(abi.encodeWithSelector(EIP3009.AuthorizationAlreadyUsed.selector, payer, nonce));
        _transferPacked(a, transferSig);
    }

    function testFuzz_Mint_OnlyOwner(address caller, address to, uint256 amount) public {
        vm.assume(to != address(0));
        amount = bound(amount, 0, type(uint256).max - token.totalSupply());
        uint256 before = token.balanceOf(to);
        vm.prank(caller);
        if (caller != owner) {
            vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, caller));
            token.mint(to, amount);
            vm.assertEq(token.balanceOf(to), before);
        } else {
            token.mint(to, amount);
            vm.assertEq(token.balanceOf(to), before + amount);
        }
    }

    function testFuzz_Permit_ForgedOrExpiredReverts(uint256 forgerKey, uint256 deadline, bool expired) public {
        bytes32 typeHash =
            keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
        uint256 key = payerKey;
        if (expired) {
            deadline = bound(deadline, 0, block.timestamp - 1);
        } else {
            deadline = bound(deadline, block.timestamp, type(uint256).max);
            key = boundKey(forgerKey);
            vm.assume(key != payerKey);
        }
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                token.DOMAIN_SEPARATOR(),
                keccak256(abi.encode(typeHash, payer, facilitator, 1, 0, deadline))
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        if (expired) {
            vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, deadline));
        } else {
            vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612InvalidSigner.selector, vm.addr(key), payer));
        }
        token.permit(payer, facilitator, 1, deadline, v, r, s);
    }

    function testFuzz_TransferOwnership_OnlyOwner(address caller, address newOwner) public {
        vm.assume(caller != owner);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, caller));
        vm.prank(caller);
        token.transferOwnership(newOwner);
        vm.assertEq(token.owner(), owner);
    }

    // ------------------------------------------------------------------ helpers

    function _auth(uint256 value, bytes32 nonce) internal view returns (Eip3009Signer.Authorization memory) {
        return Eip3009Signer.Authorization(payer, payee, value, block.timestamp - 1, block.timestamp + 300, nonce);
    }

    function _transferPacked(Eip3009Signer.Authorization memory a, bytes memory sig) internal {
        vm.prank(facilitator);
        token.transferWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, sig);
    }
}
