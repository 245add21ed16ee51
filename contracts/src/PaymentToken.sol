// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {EIP3009} from "./EIP3009.sol";

/// @title PaymentToken
/// @notice A stablecoin stand-in for local and test networks ("Hypha USD", hUSD, 6 decimals at deploy):
/// ERC-20 with EIP-2612 permit and EIP-3009 transfer/receive with authorization, so x402 `exact`
/// payments and gas-less approvals work against it exactly as against USDC. The owner mints freely
/// (a devnet faucet); on a public network a real stablecoin takes its place.
/// @dev EIP-712 domain: name = token name, version = "1", chain id, this address.
contract PaymentToken is ERC20, ERC20Permit, EIP3009, Ownable {
    uint8 private immutable _decimals;

    /// @param name_ token name, also the EIP-712 domain name
    /// @param symbol_ token symbol
    /// @param decimals_ number of decimals (6 for a USDC-like token)
    /// @param owner_ the faucet owner allowed to mint (not the zero address)
    constructor(string memory name_, string memory symbol_, uint8 decimals_, address owner_)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
        Ownable(owner_)
    {
        _decimals = decimals_;
    }

    /// @notice Number of decimals of the token's smallest unit.
    /// @return the decimals chosen at deploy
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Mints tokens (devnet faucet). Only the owner.
    /// @param to receiver (not the zero address)
    /// @param amount amount in the smallest unit
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
