// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Token that signals failure by returning `false` instead of reverting: on a short
/// balance or allowance, and for every transfer while `failing` is set (then nothing moves).
/// A caller that ignores the bool would credit money it never received. Test-only.
contract FalseReturnToken is ERC20 {
    bool public failing;

    constructor() ERC20("False Return Token", "FALSE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setFailing(bool failing_) external {
        failing = failing_;
    }

    function transfer(address to, uint256 amount) public override returns (bool) {
        if (failing || balanceOf(msg.sender) < amount) return false;
        _transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) public override returns (bool) {
        if (failing || balanceOf(from) < amount || allowance(from, msg.sender) < amount) return false;
        _spendAllowance(from, msg.sender, amount);
        _transfer(from, to, amount);
        return true;
    }
}
