// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IEntryPoint} from "@account-abstraction/contracts/interfaces/IEntryPoint.sol";
import {BaseAccount} from "@account-abstraction/contracts/core/BaseAccount.sol";
import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {AgentFixture} from "./AgentFixture.sol";
import {AgentAccount} from "../../src/agents/AgentAccount.sol";
import {AgentAccountFactory} from "../../src/agents/AgentAccountFactory.sol";

/// @notice An agent account funded at its predicted address and created, with its policy, by its first user
/// operation through the real EntryPoint.
contract AgentAccountFactoryTest is AgentFixture {
    AgentAccountFactory internal factory;

    function setUp() public {
        setUpAgent();
        factory = new AgentAccountFactory(IEntryPoint(address(entryPoint)));
    }

    function test_FirstUserOperation_CreatesTheAccountAndSetsItsPolicy() public {
        address predicted = factory.getAddress(owner, guardian, RECOVERY_DELAY, bytes32("agent-1"));
        vm.assertEq(predicted.code.length, 0);
        vm.deal(predicted, 1 ether);
        usd.mint(predicted, 100e6);

        BaseAccount.Call[] memory setup = new BaseAccount.Call[](4);
        setup[0] = BaseAccount.Call(predicted, 0, abi.encodeCall(AgentAccount.setTokenPolicy, (address(usd), true, 50e6, 10e6, 1 days)));
        setup[1] = BaseAccount.Call(predicted, 0, abi.encodeCall(AgentAccount.setCounterparty, (provider, true)));
        setup[2] = BaseAccount.Call(
            predicted, 0, abi.encodeCall(AgentAccount.grantSession, (session, uint48(block.timestamp), uint48(block.timestamp + 1 days), 0.01 ether))
        );
        setup[3] = BaseAccount.Call(predicted, 0, abi.encodeCall(AgentAccount.setSessionCap, (session, address(usd), 20e6)));
        PackedUserOperation memory op = PackedUserOperation({
            sender: predicted,
            nonce: 0,
            initCode: abi.encodePacked(
                address(factory), abi.encodeCall(AgentAccountFactory.createAccount, (owner, guardian, RECOVERY_DELAY, bytes32("agent-1")))
            ),
            callData: abi.encodeCall(BaseAccount.executeBatch, (setup)),
            accountGasLimits: bytes32((uint256(8_000_000) << 128) | 500_000),
            preVerificationGas: 50_000,
            gasFees: bytes32((uint256(1 gwei) << 128) | 1 gwei),
            paymasterAndData: "",
            signature: ""
        });
        op.signature = _signOp(op, ownerKey);
        _submit(op);

        AgentAccount created = AgentAccount(payable(predicted));
        vm.assertEq(created.owner(), owner);
        vm.assertEq(created.guardian(), guardian);
        vm.assertEq(created.remainingInPeriod(address(usd)), 50e6);
        vm.assertTrue(created.session(session).active);
        // Creating again returns the same account.
        vm.assertEq(address(factory.createAccount(owner, guardian, RECOVERY_DELAY, bytes32("agent-1"))), predicted);
        // Other settings land elsewhere.
        vm.assertNotEq(factory.getAddress(stranger, guardian, RECOVERY_DELAY, bytes32("agent-1")), predicted);
    }
}
