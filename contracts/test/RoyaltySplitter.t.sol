// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ProvenanceFixture} from "./utils/ProvenanceFixture.sol";
import {FeeOnTransferToken} from "./utils/FeeOnTransferToken.sol";
import {AssetRegistry} from "../src/AssetRegistry.sol";
import {RoyaltySplitter} from "../src/RoyaltySplitter.sol";

contract RoyaltySplitterTest is ProvenanceFixture {
    address internal dataOwner;
    address internal baseOwner;
    address internal tunerOwner;
    address internal payer;

    function setUp() public {
        _deployProvenance();
        dataOwner = makeAddr("dataOwner");
        baseOwner = makeAddr("baseOwner");
        tunerOwner = makeAddr("tunerOwner");
        payer = makeAddr("payer");
        usd.mint(payer, 1_000_000e6);
        vm.prank(payer);
        usd.approve(address(splitter), type(uint256).max);
    }

    function _pay(uint256 assetId, uint256 amount) internal {
        vm.prank(payer);
        splitter.pay(assetId, IERC20(address(usd)), amount);
    }

    function _balance(address a) internal view returns (uint256) {
        return splitter.balanceOf(IERC20(address(usd)), a);
    }

    function test_pay_splitsUpTheLineageByTheDeclaredShares() public {
        uint256 data = _registerAs(dataOwner, 1, _noParents());
        uint256 base = _registerAs(baseOwner, 2, _one(data, 2_000)); // base pays 20 % to its dataset
        uint256 tuned = _registerAs(tunerOwner, 3, _one(base, 3_000)); // tuned pays 30 % to the base model

        vm.expectEmit(address(splitter));
        emit RoyaltySplitter.RevenuePaid(tuned, payer, address(usd), 1_000e6);
        _pay(tuned, 1_000e6);
        // tuned keeps 700; base gets 300, of which 20 % (60) goes on to the dataset
        vm.assertEq(_balance(tunerOwner), 700e6);
        vm.assertEq(_balance(baseOwner), 240e6);
        vm.assertEq(_balance(dataOwner), 60e6);
        vm.assertEq(usd.balanceOf(address(splitter)), 1_000e6);
    }

    function test_pay_roundingRemaindersStayWithTheAssetsOwner() public {
        uint256 a = _registerAs(dataOwner, 1, _noParents());
        uint256 b = _registerAs(baseOwner, 2, _noParents());
        uint256 m = _registerAs(tunerOwner, 3, _two(a, 3_333, b, 3_333));
        _pay(m, 1); // every share rounds to zero
        vm.assertEq(_balance(tunerOwner), 1);
        _pay(m, 10); // 3 + 3 to the parents, 4 to the owner
        vm.assertEq(_balance(dataOwner), 3);
        vm.assertEq(_balance(baseOwner), 3);
        vm.assertEq(_balance(tunerOwner), 5);
    }

    function test_pay_stopsAfterRoyaltyDepthGenerations() public {
        // a chain of five assets, each giving its parent 50 %: the fourth generation up gets nothing; the third keeps
        // what would have gone further
        address[5] memory owners;
        uint256 id;
        for (uint256 i = 0; i < 5; ++i) {
            owners[i] = makeAddr(string.concat("gen", vm.toString(i)));
            id = _registerAs(owners[i], i + 1, i == 0 ? _noParents() : _one(id, 5_000));
        }
        _pay(id, 800);
        vm.assertEq(_balance(owners[4]), 400); // the paid asset
        vm.assertEq(_balance(owners[3]), 200); // generation 1
        vm.assertEq(_balance(owners[2]), 100); // generation 2
        vm.assertEq(_balance(owners[1]), 100); // generation 3: keeps its would-be share too
        vm.assertEq(_balance(owners[0]), 0); // generation 4: beyond ROYALTY_DEPTH
    }

    function test_pay_creditsTheOwnerAtPaymentTime_andRevokedAncestorsStillEarn() public {
        uint256 data = _registerAs(dataOwner, 1, _noParents());
        uint256 model = _registerAs(baseOwner, 2, _one(data, 5_000));
        vm.startPrank(dataOwner);
        registry.revoke(data, "");
        registry.transferFrom(dataOwner, tunerOwner, data);
        vm.stopPrank();
        _pay(model, 100);
        vm.assertEq(_balance(tunerOwner), 50);
        vm.assertEq(_balance(dataOwner), 0);
    }

    function test_pay_refusesUnknownAssetsZeroAmountsAndFeeOnTransferTokens() public {
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.UnknownAsset.selector, 1));
        _pay(1, 5);
        uint256 d = _registerAs(dataOwner, 1, _noParents());
        vm.expectRevert(RoyaltySplitter.ZeroAmount.selector);
        _pay(d, 0);

        FeeOnTransferToken fee = new FeeOnTransferToken();
        fee.mint(payer, 1_000);
        vm.startPrank(payer);
        fee.approve(address(splitter), 1_000);
        vm.expectRevert(abi.encodeWithSelector(RoyaltySplitter.UnsupportedToken.selector, 990, 1_000));
        splitter.pay(d, IERC20(address(fee)), 1_000);
        vm.stopPrank();
    }

    function test_withdraw_paysOnlyTheCallersOwnBalance_once() public {
        uint256 d = _registerAs(dataOwner, 1, _noParents());
        _pay(d, 77);
        vm.prank(payer);
        vm.expectRevert(RoyaltySplitter.ZeroAmount.selector);
        splitter.withdraw(IERC20(address(usd)), payer);

        vm.prank(dataOwner);
        uint256 got = splitter.withdraw(IERC20(address(usd)), baseOwner);
        vm.assertEq(got, 77);
        vm.assertEq(usd.balanceOf(baseOwner), 77);
        vm.assertEq(_balance(dataOwner), 0);
        vm.prank(dataOwner);
        vm.expectRevert(RoyaltySplitter.ZeroAmount.selector);
        splitter.withdraw(IERC20(address(usd)), dataOwner);
    }

    function test_preview_matchesWhatPayCredits() public {
        uint256 a = _registerAs(dataOwner, 1, _noParents());
        uint256 b = _registerAs(baseOwner, 2, _one(a, 4_000));
        uint256 m = _registerAs(tunerOwner, 3, _two(a, 1_000, b, 2_500));
        (uint256[] memory ids, address[] memory accounts, uint256[] memory amounts) = splitter.preview(m, 10_000);
        vm.assertEq(ids.length, 4); // a (direct), a (via b), b, m
        _pay(m, 10_000);
        uint256 toData;
        for (uint256 i = 0; i < ids.length; ++i) {
            if (accounts[i] == dataOwner) toData += amounts[i];
        }
        vm.assertEq(toData, _balance(dataOwner));
        vm.assertEq(_balance(dataOwner), 1_000 + 1_000); // 10 % directly, 40 % of b's 25 %
        vm.assertEq(_balance(baseOwner), 1_500);
        vm.assertEq(_balance(tunerOwner), 6_500);
    }

    /// @dev Random lineage graphs and amounts: the credits of one payment always add up to the payment, to the unit,
    /// and the contract holds exactly what it owes.
    function testFuzz_payoutsSumToRevenue(uint256 seed, uint256 amount) public {
        amount = bound(amount, 1, 1e30);
        address[4] memory owners = [dataOwner, baseOwner, tunerOwner, makeAddr("fourth")];
        uint256 last;
        for (uint256 step = 0; step < 10; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint256 existing = registry.nextAssetId() - 1;
            uint256 count = existing == 0 ? 0 : (r % 4) % (existing + 1);
            AssetRegistry.Parent[] memory ps = new AssetRegistry.Parent[](count);
            uint256 left = 10_000;
            for (uint256 i = 0; i < count; ++i) {
                uint16 share = uint16(((r >> (16 * i + 8)) & 0xffff) % (left + 1));
                left -= share;
                ps[i] = AssetRegistry.Parent({assetId: uint64(existing - i), shareBps: share});
            }
            last = _registerAs(owners[r % 4], step, ps);
        }
        usd.mint(payer, amount);
        uint256 before;
        for (uint256 i = 0; i < 4; ++i) before += _balance(owners[i]);
        _pay(last, amount);
        uint256 afterAll;
        for (uint256 i = 0; i < 4; ++i) afterAll += _balance(owners[i]);
        vm.assertEq(afterAll - before, amount, "credits != payment");
        vm.assertEq(usd.balanceOf(address(splitter)), afterAll, "held != owed");
        (,, uint256[] memory amounts) = splitter.preview(last, amount);
        uint256 previewed;
        for (uint256 i = 0; i < amounts.length; ++i) previewed += amounts[i];
        vm.assertEq(previewed, amount, "preview != payment");
    }
}
