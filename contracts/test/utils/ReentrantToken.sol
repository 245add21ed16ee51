// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A hostile ERC-20 whose transfers call back into a target (as ERC-777 hooks or a malicious token
/// could). Used to show that Staking's nonReentrant guard stops re-entry while funds move.
contract ReentrantToken is ERC20 {
    address public target;
    bytes public callbackData;
    bool private _inCallback;

    constructor() ERC20("Reentrant", "RE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @dev Arms the hook: the next transfer calls `target` with `data` and bubbles up any revert.
    function arm(address target_, bytes calldata data) external {
        target = target_;
        callbackData = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (target != address(0) && !_inCallback) {
            _inCallback = true;
            (bool ok, bytes memory err) = target.call(callbackData);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(err, 0x20), mload(err))
                }
            }
            _inCallback = false;
        }
    }
}
