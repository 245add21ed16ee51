// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../../utils/HyphaTest.sol";
import {Eip3009Signer} from "../../utils/Eip3009Signer.sol";
import {PaymentToken} from "../../../src/PaymentToken.sol";
import {EIP3009} from "../../../src/EIP3009.sol";

/// @notice Random mints, transfers and EIP-3009 authorizations (fresh, replayed, forged, canceled) between
/// several signers. Nonces come from a small pool so that collisions, and hence replays, are frequent.
contract PaymentTokenHandler is HyphaTest {
    using Eip3009Signer for PaymentToken;

    uint256 public constant ACTORS = 4;
    uint256 internal constant NONCE_POOL = 16;

    struct UsedAuthorization {
        Eip3009Signer.Authorization auth;
        bytes signature;
        bool viaReceive;
    }

    PaymentToken public immutable token;
    address public immutable owner;
    address public immutable facilitator;
    address[] public actors;
    uint256[] internal keys;

    uint256 public ghostMinted;
    /// @dev Every actor's balance as the operations so far predict it (mints, transfers, authorized transfers).
    mapping(address => uint256) public ghostBalance;
    /// @dev authorizer => nonce => times a transfer with it succeeded (must stay <= 1)
    mapping(address => mapping(bytes32 => uint256)) public ghostUses;
    /// @dev authorizer => nonce => canceled by us
    mapping(address => mapping(bytes32 => bool)) public ghostCanceled;
    UsedAuthorization[] internal used;
    address[] public spentAuthorizers;
    bytes32[] public spentNonces;

    constructor(PaymentToken token_, address owner_) {
        token = token_;
        owner = owner_;
        facilitator = makeAddr("facilitator");
        for (uint256 i = 0; i < ACTORS; ++i) {
            (address a, uint256 k) = makeAccount(string.concat("payer", vm.toString(i)));
            actors.push(a);
            keys.push(k);
        }
    }

    function mint(uint256 actorSeed, uint256 amount) external {
        amount = bound(amount, 0, 1e30);
        address to = actors[actorSeed % ACTORS];
        vm.prank(owner);
        token.mint(to, amount);
        ghostMinted += amount;
        ghostBalance[to] += amount;
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = actors[fromSeed % ACTORS];
        address to = actors[toSeed % ACTORS];
        amount = bound(amount, 0, token.balanceOf(from));
        vm.prank(from);
        vm.assertTrue(token.transfer(to, amount));
        ghostBalance[from] -= amount;
        ghostBalance[to] += amount;
    }

    /// @dev A correctly signed authorization: succeeds exactly when its nonce is still unused.
    function authorizedTransfer(uint256 fromSeed, uint256 toSeed, uint256 amount, uint256 nonceSeed, uint8 mode)
        external
    {
        uint256 fromIndex = fromSeed % ACTORS;
        Eip3009Signer.Authorization memory a = Eip3009Signer.Authorization({
            from: actors[fromIndex],
            to: actors[toSeed % ACTORS],
            value: bound(amount, 0, token.balanceOf(actors[fromIndex])),
            validAfter: block.timestamp - 1,
            validBefore: block.timestamp + 1 hours,
            nonce: bytes32(nonceSeed % NONCE_POOL)
        });
        bool viaReceive = mode % 2 == 1;
        bytes memory sig =
            Eip3009Signer.signPacked(keys[fromIndex], viaReceive ? token.receiveDigest(a) : token.transferDigest(a));
        bool wasUsed = token.authorizationState(a.from, a.nonce);
        uint256[3] memory before = _balances(a);

        (bool ok, bytes memory err) = _submit(a, sig, viaReceive, mode % 4 >= 2);
        if (wasUsed) {
            vm.assertFalse(ok, "a used nonce was accepted");
            vm.assertEq(err, abi.encodeWithSelector(EIP3009.AuthorizationAlreadyUsed.selector, a.from, a.nonce));
            vm.assertEq(token.balanceOf(a.from), before[0], "a refused authorization moved money");
        } else {
            vm.assertTrue(ok, "a fresh valid authorization was refused");
            _assertMovedExactlyValue(a, before);
            ghostBalance[a.from] -= a.value;
            ghostBalance[a.to] += a.value;
            vm.assertEq(ghostUses[a.from][a.nonce], 0);
            ghostUses[a.from][a.nonce] += 1;
            used.push(UsedAuthorization(a, sig, viaReceive));
            _recordSpent(a.from, a.nonce);
        }
    }

    /// @dev Resubmits an authorization that already went through, from any submitter: always refused.
    function replay(uint256 index, uint256 submitterSeed) external {
        if (used.length == 0) return;
        UsedAuthorization memory u = used[index % used.length];
        address submitter = u.viaReceive ? u.auth.to : actors[submitterSeed % ACTORS];
        vm.prank(submitter);
        (bool ok, bytes memory err) = address(token).call(_calldata(u.auth, u.signature, u.viaReceive, false));
        vm.assertFalse(ok, "replay accepted");
        vm.assertEq(err, abi.encodeWithSelector(EIP3009.AuthorizationAlreadyUsed.selector, u.auth.from, u.auth.nonce));
    }

    /// @dev An authorization for `from` signed by someone else: never moves money.
    function forgedTransfer(uint256 fromSeed, uint256 forgerSeed, uint256 amount, uint256 nonceSeed) external {
        uint256 fromIndex = fromSeed % ACTORS;
        uint256 forgerIndex = (fromIndex + 1 + forgerSeed % (ACTORS - 1)) % ACTORS;
        address from = actors[fromIndex];
        Eip3009Signer.Authorization memory a = Eip3009Signer.Authorization({
            from: from,
            to: actors[forgerIndex],
            value: bound(amount, 0, token.balanceOf(from)),
            validAfter: 0,
            validBefore: type(uint256).max,
            nonce: bytes32(nonceSeed % NONCE_POOL)
        });
        bytes memory sig = Eip3009Signer.signPacked(keys[forgerIndex], token.transferDigest(a));
        bool wasUsed = token.authorizationState(from, a.nonce);
        uint256 fromBefore = token.balanceOf(from);
        (bool ok, bytes memory err) = _submit(a, sig, false, false);
        vm.assertFalse(ok, "forged authorization accepted");
        vm.assertEq(token.balanceOf(from), fromBefore, "a forged authorization moved money");
        vm.assertEq(
            err,
            wasUsed
                ? abi.encodeWithSelector(EIP3009.AuthorizationAlreadyUsed.selector, from, a.nonce)
                : abi.encodeWithSelector(EIP3009.InvalidAuthorizationSignature.selector, from)
        );
    }

    function cancel(uint256 actorSeed, uint256 nonceSeed) external {
        uint256 index = actorSeed % ACTORS;
        address authorizer = actors[index];
        bytes32 nonce = bytes32(nonceSeed % NONCE_POOL);
        bytes memory sig = Eip3009Signer.signPacked(keys[index], token.cancelDigest(authorizer, nonce));
        bool wasUsed = token.authorizationState(authorizer, nonce);
        vm.prank(facilitator);
        try token.cancelAuthorization(authorizer, nonce, sig) {
            vm.assertFalse(wasUsed, "cancel of a used nonce accepted");
            ghostCanceled[authorizer][nonce] = true;
            _recordSpent(authorizer, nonce);
        } catch (bytes memory err) {
            vm.assertTrue(wasUsed, "cancel of a fresh nonce refused");
            vm.assertEq(err, abi.encodeWithSelector(EIP3009.AuthorizationAlreadyUsed.selector, authorizer, nonce));
        }
    }

    // ------------------------------------------------------------------ views for the invariants

    function sumOfBalances() external view returns (uint256 sum) {
        for (uint256 i = 0; i < ACTORS; ++i) {
            sum += token.balanceOf(actors[i]);
        }
        sum += token.balanceOf(facilitator);
    }

    function spentCount() external view returns (uint256) {
        return spentNonces.length;
    }

    // ------------------------------------------------------------------ internals

    /// @dev Balances of `from`, `to` and the facilitator (the submitter of transferWithAuthorization).
    function _balances(Eip3009Signer.Authorization memory a) internal view returns (uint256[3] memory b) {
        b[0] = token.balanceOf(a.from);
        b[1] = token.balanceOf(a.to);
        b[2] = token.balanceOf(facilitator);
    }

    /// @dev Exactly `value` went from `from` to `to`, and nothing to or from anyone else (the submitter included).
    function _assertMovedExactlyValue(Eip3009Signer.Authorization memory a, uint256[3] memory before) internal view {
        if (a.from != a.to) {
            vm.assertEq(token.balanceOf(a.from), before[0] - a.value, "authorized transfer took != value");
            vm.assertEq(token.balanceOf(a.to), before[1] + a.value, "authorized transfer paid != value");
        } else {
            vm.assertEq(token.balanceOf(a.from), before[0], "self-transfer changed the balance");
        }
        vm.assertEq(token.balanceOf(facilitator), before[2], "the submitter's balance moved");
    }

    function _recordSpent(address authorizer, bytes32 nonce) internal {
        spentAuthorizers.push(authorizer);
        spentNonces.push(nonce);
    }

    function _submit(Eip3009Signer.Authorization memory a, bytes memory sig, bool viaReceive, bool vrs)
        internal
        returns (bool ok, bytes memory err)
    {
        vm.prank(viaReceive ? a.to : facilitator);
        (ok, err) = address(token).call(_calldata(a, sig, viaReceive, vrs));
    }

    /// @dev Calldata for one of the four entry points (transfer/viaReceive x packed/v-r-s signature).
    function _calldata(Eip3009Signer.Authorization memory a, bytes memory sig, bool viaReceive, bool vrs)
        internal
        pure
        returns (bytes memory)
    {
        if (vrs) {
            (bytes32 r, bytes32 s, uint8 v) = _split(sig);
            string memory fn = viaReceive
                ? "receiveWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)"
                : "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)";
            return abi.encodeWithSignature(fn, a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, v, r, s);
        }
        string memory packedFn = viaReceive
            ? "receiveWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)"
            : "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)";
        return abi.encodeWithSignature(packedFn, a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, sig);
    }

    function _split(bytes memory sig) internal pure returns (bytes32 r, bytes32 s, uint8 v) {
        assembly ("memory-safe") {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
            v := byte(0, mload(add(sig, 0x60)))
        }
    }
}
