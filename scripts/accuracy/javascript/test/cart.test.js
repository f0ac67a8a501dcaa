import { describe, it, test, before, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { total } from "../src/cart.js";

const re = /it\("not a test"\)/;
const s = "it('in a string', () => {})";
const tpl = `
  it("in a template", () => {});
  ${"describe('nor this', () => {})"}
`;

// it("commented out", () => {});
/*
test("block-commented out", () => {});
*/

test("top level", () => {
  assert.equal(total([1, 2]), 3);
});

test("top level with context", async (t) => {
  await t.test("subtests are part of their test", () => {});
});

describe("cart", () => {
  before(() => {});
  beforeEach(() => {});

  it("adds items", () => {
    assert.ok(re.test('it("not a test")'));
  });

  it.skip("is skipped", () => {});

  it.todo("is todo");

  it("has options", { timeout: 1000 }, () => {});

  describe("totals", () => {
    it(`uses a template title`, () => {});

    it('uses "quotes" inside', () => {
      const x = 10 / 2 / 5;
      assert.equal(x, 1);
    });

    describe("deeper", () => {
      test("is deepest", () => {});
    });
  });
});

describe.skip("skipped block", () => {
  it("inside a skipped block", () => {});
});

function helper() {
  return 1;
}
