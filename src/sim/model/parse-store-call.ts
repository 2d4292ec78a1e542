// `count(<store>[, <condition>])` and `items(<store>[, item.<field>])`: the items of a store, counted, or a field of
// each, for `in` tests. Inside the call `item.` is each item of the store in turn.
import type { ExpressionScope } from './expression.ts';
import { type ExpressionNode, type ExpressionParser, isOp } from './expression-parser.ts';
import { truthy } from './expression-values.ts';
import type { Token } from './tokenize-expression.ts';

/**
 * Parses the call whose name `t` (`count` or `items`) was just taken; `operand(0)` parses its argument. Calls do
 * not nest.
 *
 * @example
 * const node = parseStoreCall(p, p.next(), operand); // on 'count(parcels, item.area == "north")'
 *
 * @internal
 */
export function parseStoreCall(
  p: ExpressionParser,
  t: Token,
  operand: (minBp: number) => ExpressionNode,
): ExpressionNode {
  const text = p.text;
  if (p.inCall) throw p.fail(t.at, `${t.text}() inside count() or items()`);
  p.expect('(');
  const store = p.ident();
  p.refs.stores.add(store);
  let arg: ExpressionNode | null = null;
  if (isOp(p.peek(), ',')) {
    p.next();
    p.inCall = true;
    const at = p.peek().at;
    arg = operand(0);
    p.inCall = false;
    if (t.text === 'items' && !/^\s*item\.[A-Za-z_][A-Za-z0-9_]*\s*$/.test(text.slice(at, p.peek().at))) {
      throw p.fail(at, 'an argument', 'items(<store>, item.<field>)');
    }
  }
  p.expect(')');
  if (t.text === 'count') {
    if (arg === null) return (s) => s.world.storeItems(store).length;
    const cond = arg;
    return (s) => {
      let n = 0;
      const inner: ExpressionScope = { attr: s.attr, payload: s.payload, item: undefined, world: s.world };
      for (const it of s.world.storeItems(store)) {
        inner.item = it;
        if (truthy(cond(inner))) n++;
      }
      return n;
    };
  }
  if (arg === null) return (s) => s.world.storeItems(store);
  const pick = arg;
  return (s) => {
    const inner: ExpressionScope = { attr: s.attr, payload: s.payload, item: undefined, world: s.world };
    return s.world.storeItems(store).map((it) => {
      inner.item = it;
      return pick(inner);
    });
  };
}
