// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {HyphaTest} from "../utils/HyphaTest.sol";
import {InvariantTest} from "../utils/InvariantTest.sol";
import {HyphaToken} from "../../src/HyphaToken.sol";
import {HyphaTokenHandler} from "./handlers/HyphaTokenHandler.sol";

/// @notice The supply never passes the cap, and it is exactly the initial supply plus what minters minted.
contract HyphaTokenInvariantTest is HyphaTest, InvariantTest {
    uint256 internal constant CAP = 1_000_000 ether;
    uint256 internal constant INITIAL = 400_000 ether;

    HyphaToken internal token;
    HyphaTokenHandler internal handler;

    function setUp() public {
        address admin = makeAddr("admin");
        address minter = makeAddr("minter");
        address holder = makeAddr("holder0");
        token = new HyphaToken(admin, 1 days, CAP, holder, INITIAL);
        bytes32 minterRole = token.MINTER_ROLE();
        vm.prank(admin);
        token.grantRole(minterRole, minter);
        handler = new HyphaTokenHandler(token, minter, holder);

        bytes4[] memory selectors = new bytes4[](3);
        selectors[0] = HyphaTokenHandler.mint.selector;
        selectors[1] = HyphaTokenHandler.unauthorizedMint.selector;
        selectors[2] = HyphaTokenHandler.transfer.selector;
        targetContract(address(handler));
        targetSelector(address(handler), selectors);
    }

    /// @dev One campaign checks every property after each call: forge runs a separate campaign per
    /// invariant_* function, so separate functions would multiply the suite's time for the same coverage.
    function invariant_SupplyIsCappedAndAccounted() public view {
        _assertTotalSupplyNeverExceedsCap();
        _assertTotalSupplyIsInitialPlusMinted();
        _assertTotalSupplyEqualsSumOfBalances();
    }

    function _assertTotalSupplyNeverExceedsCap() internal view {
        vm.assertLe(token.totalSupply(), token.cap(), "supply above cap");
    }

    function _assertTotalSupplyIsInitialPlusMinted() internal view {
        vm.assertEq(token.totalSupply(), INITIAL + handler.ghostMinted(), "supply != initial + minted");
    }

    function _assertTotalSupplyEqualsSumOfBalances() internal view {
        vm.assertEq(token.totalSupply(), handler.sumOfBalances(), "supply != sum of balances");
    }
}
