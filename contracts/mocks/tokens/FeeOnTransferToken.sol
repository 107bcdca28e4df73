// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Token that burns `feeBps` of every transfer, so the receiver gets less than was
/// sent (PAXG, STA style). Contracts must credit the balance actually received. Test-only.
contract FeeOnTransferToken is ERC20 {
    uint256 public constant BPS = 10_000;
    uint256 public feeBps;

    constructor(uint256 feeBps_) ERC20("Fee On Transfer Token", "FEE") {
        require(feeBps_ <= BPS, "FeeOnTransferToken: fee");
        feeBps = feeBps_;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setFeeBps(uint256 feeBps_) external {
        require(feeBps_ <= BPS, "FeeOnTransferToken: fee");
        feeBps = feeBps_;
    }

    function _update(address from, address to, uint256 amount) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, amount);
        uint256 fee = (amount * feeBps) / BPS;
        super._update(from, address(0), fee);
        super._update(from, to, amount - fee);
    }
}
