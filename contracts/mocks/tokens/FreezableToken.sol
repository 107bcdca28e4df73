// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A token whose issuer can freeze single addresses, as USDC and USDT blocklists do: a
/// frozen address can neither send nor receive. Test-only.
contract FreezableToken is ERC20 {
    /// @notice `account` is frozen.
    error FreezableTokenFrozen(address account);

    mapping(address account => bool) public frozen;

    constructor() ERC20("Freezable USD", "FUSD") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setFrozen(address account, bool frozen_) external {
        frozen[account] = frozen_;
    }

    function _update(address from, address to, uint256 amount) internal override {
        if (frozen[from]) revert FreezableTokenFrozen(from);
        if (frozen[to]) revert FreezableTokenFrozen(to);
        super._update(from, to, amount);
    }
}
