import { describe, it } from "node:test";

const call = (name) => name;

describe("checkout", () => {
  it("pays", async () => {
    const r = await Promise.resolve(call("x"));
    if (r !== "x") throw new Error(`bad ${r}`);
  });

  it("refunds", function () {
    return undefined;
  });

  it("handles division / and regex /a\/b/ in code", () => {
    const a = 4 / 2;
    const b = /\/\//.source;
    return [a, b];
  });
});
