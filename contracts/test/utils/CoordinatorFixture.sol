// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {HyphaTest} from "./HyphaTest.sol";
import {HyphaToken} from "../../src/HyphaToken.sol";
import {Staking} from "../../src/Staking.sol";
import {ProviderRegistry} from "../../src/ProviderRegistry.sol";
import {InferenceCoordinator} from "../../src/InferenceCoordinator.sol";

/// @notice The contracts InferenceCoordinator lives among (HYP, Staking, ProviderRegistry) and helpers to register
/// staked providers and sign their receipts, shared by the unit tests and the invariant handler.
abstract contract CoordinatorFixture is HyphaTest {
    uint256 internal constant MIN_STAKE = 1_000 ether;
    bytes32 internal constant INFERENCE = "inference";

    HyphaToken internal hyp;
    Staking internal staking;
    ProviderRegistry internal registry;
    address internal admin;

    /// @dev Private key of each provider's signing key.
    mapping(address provider => uint256) internal signingKeyOf;

    function _deployRegistry() internal {
        admin = makeAddr("admin");
        hyp = new HyphaToken(admin, 1 days, 1e9 ether, address(this), 1e8 ether);
        staking = new Staking(hyp, admin, 1 days, 7 days, makeAddr("sink"));
        registry = new ProviderRegistry(staking, admin, 1 days, MIN_STAKE);
    }

    /// @dev Stakes MIN_STAKE for `provider` and registers it with a signing key derived from `name`.
    function _registerProvider(address provider, string memory name) internal {
        (address key, uint256 secret) = makeAccount(string.concat(name, "-signing-key"));
        signingKeyOf[provider] = secret;
        vm.assertTrue(hyp.transfer(provider, MIN_STAKE));
        bytes32 role = staking.PROVIDER();
        vm.startPrank(provider);
        hyp.approve(address(staking), MIN_STAKE);
        staking.stake(role, MIN_STAKE);
        bytes32[] memory services = new bytes32[](1);
        services[0] = INFERENCE;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(secret, registry.signingKeyProofDigest(provider, key));
        registry.register("https://provider.example", key, services, "", abi.encodePacked(r, s, v));
        vm.stopPrank();
    }

    /// @dev `provider`'s receipt for an answer to request `id`, signed with `secret`.
    function _receipt(
        InferenceCoordinator coordinator,
        uint256 secret,
        uint256 id,
        address provider,
        bytes memory output,
        uint64 tokensIn,
        uint64 tokensOut,
        uint96 fee
    ) internal view returns (bytes memory) {
        InferenceCoordinator.Request memory r = coordinator.getRequest(id);
        bytes32 digest =
            coordinator.receiptDigest(r.requestHash, provider, r.model, tokensIn, tokensOut, keccak256(output), fee);
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(secret, digest);
        return abi.encodePacked(rr, s, v);
    }

    /// @dev A fulfilment of request `id` by `provider`, signed with its registered signing key.
    function _fulfilment(
        InferenceCoordinator coordinator,
        uint256 id,
        address provider,
        bytes memory output,
        uint96 fee
    ) internal view returns (InferenceCoordinator.Fulfilment memory) {
        return InferenceCoordinator.Fulfilment({
            output: output,
            outputKind: 0,
            tokensIn: 7,
            tokensOut: 3,
            fee: fee,
            signature: _receipt(coordinator, signingKeyOf[provider], id, provider, output, 7, 3, fee)
        });
    }

    function _params(bytes32 model, uint96 maxFee, address callback, uint32 gasLimit, uint64 deadline)
        internal
        pure
        returns (InferenceCoordinator.RequestParams memory)
    {
        return InferenceCoordinator.RequestParams({
            model: model,
            input: bytes("Why is the sky blue?"),
            inputKind: 0,
            maxFee: maxFee,
            maxOutputTokens: 16,
            callback: callback,
            callbackGasLimit: gasLimit,
            deadline: deadline
        });
    }

    function _token(InferenceCoordinator coordinator) internal view returns (IERC20) {
        return coordinator.token();
    }
}
