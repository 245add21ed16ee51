// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title HyphaToken (HYP)
/// @notice The Hypha network token: staked by providers and validators, paid out by emissions.
/// ERC-20 with EIP-2612 permit and a hard supply cap. New tokens can only be minted by holders
/// of MINTER_ROLE, which governance reserves for the emissions contract; nobody holds it at deploy.
/// The default admin is governance (a timelock, so granting MINTER_ROLE waits out its delay) and is handed over
/// in two steps (AccessControlDefaultAdminRules).
contract HyphaToken is ERC20, ERC20Permit, ERC20Capped, AccessControlDefaultAdminRules {
    /// @notice Role allowed to mint new HYP (reserved for emissions), always within the cap.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @param admin receives DEFAULT_ADMIN_ROLE (governance: a timelock); it may grant MINTER_ROLE later
    /// @param adminDelay seconds a new default admin must wait before accepting a transfer (two-step handover)
    /// @param cap_ maximum total supply ever, in wei (18 decimals); must be > 0
    /// @param initialHolder receives `initialSupply` (ignored when `initialSupply` is 0)
    /// @param initialSupply tokens minted at deploy; must not exceed `cap_`
    constructor(address admin, uint48 adminDelay, uint256 cap_, address initialHolder, uint256 initialSupply)
        ERC20("Hypha", "HYP")
        ERC20Permit("Hypha")
        ERC20Capped(cap_)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        if (initialSupply > 0) {
            // _mint reverts with ERC20InvalidReceiver for a zero holder and ERC20ExceededCap above the cap.
            _mint(initialHolder, initialSupply);
        }
    }

    /// @notice Mints new HYP. Only MINTER_ROLE (the emissions contract).
    /// @dev Reverts with ERC20ExceededCap(wouldBeSupply, cap) when the total supply would pass the cap; an
    /// amount so large that the sum overflows reports wouldBeSupply = type(uint256).max instead of a Panic.
    /// @param to receiver of the new tokens (not the zero address)
    /// @param amount amount in wei
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        uint256 supply = totalSupply();
        if (amount > cap() - supply) revert ERC20ExceededCap(Math.saturatingAdd(supply, amount), cap());
        _mint(to, amount);
    }

    /// @dev Both ERC20 and ERC20Capped define _update; the capped one checks the cap on mint.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Capped) {
        super._update(from, to, value);
    }
}
