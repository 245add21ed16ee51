// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Vm} from "./Vm.sol";
import {PaymentToken} from "../../src/PaymentToken.sol";

/// @notice Builds and signs EIP-3009 authorizations exactly as an x402 client would (EIP-712 over the token domain).
/// Written independently of the contract's hashing code so a mistake there shows up as a failed signature.
library Eip3009Signer {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    struct Authorization {
        address from;
        address to;
        uint256 value;
        uint256 validAfter;
        uint256 validBefore;
        bytes32 nonce;
    }

    function transferDigest(PaymentToken token, Authorization memory a) internal view returns (bytes32) {
        return _digest(token, _structHash("TransferWithAuthorization", a));
    }

    function receiveDigest(PaymentToken token, Authorization memory a) internal view returns (bytes32) {
        return _digest(token, _structHash("ReceiveWithAuthorization", a));
    }

    function cancelDigest(PaymentToken token, address authorizer, bytes32 nonce) internal view returns (bytes32) {
        bytes32 typeHash = keccak256("CancelAuthorization(address authorizer,bytes32 nonce)");
        return _digest(token, keccak256(abi.encode(typeHash, authorizer, nonce)));
    }

    /// @dev 65-byte r||s||v, the form x402 clients send.
    function signPacked(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _structHash(string memory primaryType, Authorization memory a) private pure returns (bytes32) {
        bytes32 typeHash = keccak256(
            abi.encodePacked(
                primaryType,
                "(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
            )
        );
        return keccak256(abi.encode(typeHash, a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce));
    }

    function _digest(PaymentToken token, bytes32 structHash) private view returns (bytes32) {
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256(bytes(token.name())),
                keccak256("1"),
                block.chainid,
                address(token)
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
    }
}
