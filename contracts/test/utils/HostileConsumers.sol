// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IInferenceConsumer} from "../../src/IInferenceConsumer.sol";
import {InferenceCoordinator} from "../../src/InferenceCoordinator.sol";

/// @notice A callback that always reverts.
contract RevertingConsumer is IInferenceConsumer {
    function onInferenceResult(InferenceResult calldata) external pure {
        revert("no thanks");
    }
}

/// @notice A callback that burns every bit of gas it is given.
contract GasBurningConsumer is IInferenceConsumer {
    uint256 public counter;

    function onInferenceResult(InferenceResult calldata) external {
        while (true) {
            ++counter;
        }
    }
}

/// @notice A callback that returns a megabyte of data (a caller that copied it would pay for the memory).
contract ReturnBombConsumer {
    fallback() external {
        assembly ("memory-safe") {
            revert(0, 1000000)
        }
    }
}

/// @notice A callback that records how much gas it was given, to show it gets exactly its limit.
contract GasMeteringConsumer is IInferenceConsumer {
    uint256 public gasSeen;

    function onInferenceResult(InferenceResult calldata) external {
        gasSeen = gasleft();
    }
}

/// @notice A callback that tries to re-enter the coordinator to move money twice, and records what happened.
contract ReenteringConsumer is IInferenceConsumer {
    InferenceCoordinator public immutable coordinator;
    bytes public reentryData;
    bool public reentrySucceeded;
    bool public called;

    constructor(InferenceCoordinator coordinator_) {
        coordinator = coordinator_;
    }

    function arm(bytes calldata data) external {
        reentryData = data;
    }

    function onInferenceResult(InferenceResult calldata) external {
        called = true;
        (bool ok,) = address(coordinator).call(reentryData);
        reentrySucceeded = ok;
    }
}

/// @notice A consumer that asks again from inside its callback (chained inference), paying from its own balance.
contract ChainingConsumer is IInferenceConsumer {
    InferenceCoordinator public immutable coordinator;
    uint256 public followUpId;

    constructor(InferenceCoordinator coordinator_) {
        coordinator = coordinator_;
        coordinator_.token().approve(address(coordinator_), type(uint256).max);
    }

    function ask(InferenceCoordinator.RequestParams calldata p) external returns (uint256) {
        return coordinator.request(p);
    }

    function onInferenceResult(InferenceResult calldata r) external {
        InferenceCoordinator.RequestParams memory p = InferenceCoordinator.RequestParams({
            model: r.model,
            input: r.output,
            inputKind: 0,
            maxFee: 1e6,
            maxOutputTokens: 8,
            callback: address(0),
            callbackGasLimit: 0,
            deadline: uint64(block.timestamp + 1 hours)
        });
        followUpId = coordinator.request(p);
    }
}
