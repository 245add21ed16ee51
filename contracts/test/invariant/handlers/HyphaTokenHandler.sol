// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../../utils/HyphaTest.sol";
import {HyphaToken} from "../../../src/HyphaToken.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @notice Random mints (often far past the cap), unauthorized mints and transfers on HyphaToken.
contract HyphaTokenHandler is HyphaTest {
    uint256 public constant ACTORS = 4;

    HyphaToken public immutable token;
    address public immutable minter;
    address[] public actors;
    uint256 public ghostMinted;

    constructor(HyphaToken token_, address minter_, address initialHolder) {
        token = token_;
        minter = minter_;
        actors.push(initialHolder);
        for (uint256 i = 1; i < ACTORS; ++i) {
            actors.push(makeAddr(string.concat("holder", vm.toString(i))));
        }
    }

    function mint(uint256 actorSeed, uint256 amount) external {
        uint256 room = token.cap() - token.totalSupply();
        // Half the time anything at all, half the time within (or just past) the room left.
        amount = amount % 2 == 0 ? amount : bound(amount, 0, room + 1);
        vm.prank(minter);
        try token.mint(actors[actorSeed % ACTORS], amount) {
            vm.assertLe(amount, room, "mint past the cap accepted");
            ghostMinted += amount;
        } catch (bytes memory err) {
            vm.assertGt(amount, room);
            vm.assertEq(
                err,
                abi.encodeWithSelector(
                    ERC20Capped.ERC20ExceededCap.selector, Math.saturatingAdd(token.totalSupply(), amount), token.cap()
                )
            );
        }
    }

    function unauthorizedMint(uint256 callerSeed, uint256 amount) external {
        address caller = actors[callerSeed % ACTORS];
        vm.prank(caller);
        try token.mint(caller, amount) {
            vm.assertTrue(false, "mint without MINTER_ROLE accepted");
        } catch (bytes memory err) {
            vm.assertEq(
                err,
                abi.encodeWithSelector(
                    IAccessControl.AccessControlUnauthorizedAccount.selector, caller, token.MINTER_ROLE()
                )
            );
        }
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = actors[fromSeed % ACTORS];
        amount = bound(amount, 0, token.balanceOf(from));
        vm.prank(from);
        vm.assertTrue(token.transfer(actors[toSeed % ACTORS], amount));
    }

    function sumOfBalances() external view returns (uint256 sum) {
        for (uint256 i = 0; i < ACTORS; ++i) {
            sum += token.balanceOf(actors[i]);
        }
    }
}
