import { describe, expect, it } from "vitest";
import { formatAmount } from "../../../app/src/format/formatAmount.js";
import { parseAmount } from "../../../app/src/format/parseAmount.js";
import { formatShares } from "../../../app/src/format/formatShares.js";
import { deltaIsSignificant, formatDelta, Z95 } from "../../../app/src/format/formatDelta.js";
import { shortAddress } from "../../../app/src/format/shortAddress.js";
import { connectorLabel } from "../../../app/src/format/connectorLabel.js";
import { formatDuration, formatTimestamp } from "../../../app/src/format/formatDuration.js";
import { formatWindowState } from "../../../app/src/format/formatWindowState.js";

describe("formatAmount", () => {
  it("shows wei as ETH with trailing zeros dropped and thousands grouped", () => {
    expect(formatAmount(1_500_000_000_000_000_000n)).toBe("1.5 ETH");
    expect(formatAmount(0n)).toBe("0 ETH");
    expect(formatAmount(1234n * 10n ** 18n)).toBe("1,234 ETH");
  });
  it("rounds toward zero at six fraction digits and never shows a tiny amount as zero", () => {
    expect(formatAmount(1_234_567_890_000_000_000n)).toBe("1.234567 ETH");
    expect(formatAmount(1n)).toBe("< 0.000001 ETH");
  });
  it("uses the token's decimals and symbol", () => {
    expect(formatAmount(2_500_000n, { decimals: 6, symbol: "USDC" })).toBe("2.5 USDC");
  });
});

describe("parseAmount", () => {
  it("reads decimals into base units", () => {
    expect(parseAmount("1.5")).toBe(1_500_000_000_000_000_000n);
    expect(parseAmount(" .25 ")).toBe(250_000_000_000_000_000n);
    expect(parseAmount("3", 6)).toBe(3_000_000n);
  });
  it("refuses empty, zero, negative, non-numeric and over-precise input with what to type", () => {
    expect(() => parseAmount("")).toThrow(/Enter an amount/);
    expect(() => parseAmount("0")).toThrow(/more than zero/);
    expect(() => parseAmount("-1")).toThrow(/not an amount/);
    expect(() => parseAmount("1e3")).toThrow(/not an amount/);
    expect(() => parseAmount("0.0000001", 6)).toThrow(/At most 6 digits/);
  });
});

describe("formatShares", () => {
  it("shows a holding as a percentage of the supply, computed in integers", () => {
    expect(formatShares(125_000_000n, 1_000_000_000n)).toBe("12.50 %");
    expect(formatShares(1_000_000_000n, 1_000_000_000n)).toBe("100.00 %");
    expect(formatShares(0n, 1_000_000_000n)).toBe("0.00 %");
  });
  it("never shows a non-zero holding as zero", () => {
    expect(formatShares(1n, 1_000_000_000n)).toBe("< 0.01 %");
  });
});

describe("formatDelta", () => {
  it("shows a signed Δ with its 95 % interval", () => {
    expect(formatDelta(0.0412, 0.005)).toBe(`+0.0412 ± ${(Z95 * 0.005).toFixed(4)}`);
    expect(formatDelta(-0.01, 0.001)).toBe("−0.0100 ± 0.0020");
  });
  it("shows the value alone when there is no spread, and a dash for non-finite values", () => {
    expect(formatDelta(0.5, 0)).toBe("+0.5000");
    expect(formatDelta(0, 0)).toBe("0.0000");
    expect(formatDelta(Number.NaN, 1)).toBe("–");
  });
  it("calls a Δ significant only when its interval excludes zero", () => {
    expect(deltaIsSignificant(0.03, 0.01)).toBe(true);
    expect(deltaIsSignificant(0.015, 0.01)).toBe(false);
  });
});

describe("shortAddress, durations and the window", () => {
  it("shortens addresses and roots, leaving short strings alone", () => {
    expect(shortAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")).toBe("0x7099…79C8");
    expect(shortAddress("0x1234")).toBe("0x1234");
  });
  it("uses the largest unit that fits", () => {
    expect(formatDuration(3n * 86_400n + 5n)).toBe("3 d");
    expect(formatDuration(5 * 3600)).toBe("5 h");
    expect(formatDuration(125)).toBe("2 min");
    expect(formatDuration(40)).toBe("40 s");
  });
  it("formats chain time as UTC", () => {
    expect(formatTimestamp(0n)).toBe("1970-01-01 00:00 UTC");
  });
  it("says whether the window opens, closes or elapsed, by chain time", () => {
    expect(formatWindowState(100n, 200n, 300n)).toBe("opens in 100 s");
    expect(formatWindowState(250n, 200n, 250n + 3n * 86_400n)).toBe("closes in 3 d");
    expect(formatWindowState(300n, 200n, 300n)).toBe("Contribution window elapsed");
  });
});

describe("connectorLabel", () => {
  const address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  it("drops a test account's repeat of the connected address, whatever its case", () => {
    expect(connectorLabel("Test account #1 (0x7099…79C8)", address)).toBe("Test account #1");
    expect(connectorLabel("Test account #1 (0x7099…79c8)", address)).toBe("Test account #1");
  });
  it("keeps any other name whole, and names a nameless connector", () => {
    expect(connectorLabel("Test account #2 (0x3C44…93BC)", address)).toBe("Test account #2 (0x3C44…93BC)");
    expect(connectorLabel("MetaMask", address)).toBe("MetaMask");
    expect(connectorLabel(undefined, address)).toBe("a wallet");
  });
});
