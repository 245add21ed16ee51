// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {IEntryPoint} from "@account-abstraction/contracts/interfaces/IEntryPoint.sol";
import {AgentAccount} from "./AgentAccount.sol";

/// @title AgentAccountFactory
/// @notice Deploys AgentAccounts at addresses known in advance (CREATE2), so an agent's account can be funded before
/// it exists and created by its first ERC-4337 user operation (`initCode` = this factory + `createAccount` call).
/// @dev The address commits to the owner, guardian, recovery delay and salt, so nobody can deploy someone else's
/// account with other settings at the predicted address. Creating an existing account returns it unchanged (the
/// EntryPoint only calls the factory for accounts without code). No owner, no funds.
contract AgentAccountFactory {
    /// @notice The EntryPoint every account of this factory trusts.
    IEntryPoint public immutable entryPoint;

    /// @notice An account was deployed.
    event AccountDeployed(address indexed account, address indexed owner, address indexed guardian, bytes32 salt);

    constructor(IEntryPoint entryPoint_) {
        entryPoint = entryPoint_;
    }

    /// @notice Deploys (or returns the existing) account for these settings.
    function createAccount(address owner, address guardian, uint64 recoveryDelay, bytes32 salt)
        external
        returns (AgentAccount account)
    {
        address predicted = getAddress(owner, guardian, recoveryDelay, salt);
        if (predicted.code.length != 0) return AgentAccount(payable(predicted));
        account = new AgentAccount{salt: _salt(owner, guardian, recoveryDelay, salt)}(entryPoint, owner, guardian, recoveryDelay);
        emit AccountDeployed(address(account), owner, guardian, salt);
    }

    /// @notice The address `createAccount` deploys to for these settings.
    function getAddress(address owner, address guardian, uint64 recoveryDelay, bytes32 salt) public view returns (address) {
        bytes32 codeHash = keccak256(
            abi.encodePacked(type(AgentAccount).creationCode, abi.encode(entryPoint, owner, guardian, recoveryDelay))
        );
        return Create2.computeAddress(_salt(owner, guardian, recoveryDelay, salt), codeHash);
    }

    function _salt(address owner, address guardian, uint64 recoveryDelay, bytes32 salt) private pure returns (bytes32) {
        return keccak256(abi.encode(owner, guardian, recoveryDelay, salt));
    }
}
