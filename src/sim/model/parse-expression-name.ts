// The names of the expression language: constants, the time, the entity's attributes and payload, the model's
// state (levels, resources, stores, signals, the registry), a task's wait branches and its process. Each name the
// expression reads is recorded, so a model's validation can check it exists.
import { TwinstreamError } from '../../errors.ts';
import { type ExpressionNode, type ExpressionParser, isOp } from './expression-parser.ts';
import { field } from './expression-values.ts';
import { parseStoreCall } from './parse-store-call.ts';
import { describeToken, type Token } from './tokenize-expression.ts';

const SOURCES = new Set(['attr', 'payload', 'item', 'level', 'users', 'queue', 'putters', 'getters']);

/**
 * Parses the name `t` just taken (and what follows it: `.<name>`, `[...]`, a call); `operand(0)` parses a call's
 * argument.
 *
 * @example
 * const node = parseExpressionName(p, p.next(), operand); // on 'signal.restocked.count'
 *
 * @internal
 */
export function parseExpressionName(
  p: ExpressionParser,
  t: Token,
  operand: (minBp: number) => ExpressionNode,
): ExpressionNode {
  const text = p.text;
  switch (t.text) {
    case 'True':
    case 'true':
      return () => true;
    case 'False':
    case 'false':
      return () => false;
    case 'None':
      return () => null;
    case 't':
      return (s) => s.world.now();
    case 'count':
    case 'items':
      return parseStoreCall(p, t, operand);
    case 'registry': {
      p.expect('[');
      const q = p.next();
      if (q.kind !== 'str') throw p.fail(q.at, describeToken(q), 'a quoted registry path');
      p.expect(']');
      const path = q.value as string;
      p.refs.registry.add(path);
      return (s) => s.world.registry(path);
    }
    case 'signal': {
      p.expect('.');
      const name = p.ident();
      p.expect('.');
      const partTok = p.peek();
      const part = p.ident();
      if (part !== 'count' && part !== 'ok' && part !== 'value') {
        throw p.fail(partTok.at, `"signal.${name}.${part}"`, 'signal.<name>.count, .ok or .value');
      }
      p.refs.signals.add(name);
      return (s) => s.world.signal(name, part);
    }
    case 'wait': {
      p.expect('.');
      const branch = p.ident();
      p.expect('.');
      const partTok = p.peek();
      const part = p.ident();
      if (part !== 'done' && part !== 'ok' && part !== 'value') {
        throw p.fail(partTok.at, `"wait.${branch}.${part}"`, 'wait.<branch>.done, .ok or .value');
      }
      let fieldName: string | null = null;
      if (part === 'value' && isOp(p.peek(), '.')) {
        p.next();
        fieldName = p.ident();
      }
      p.refs.waits.add(branch);
      return (s) => {
        const w = s.waits?.[branch];
        if (w === undefined) {
          throw new TwinstreamError(
            'TS_SIM_BAD_EXPRESSION',
            `cannot evaluate ${JSON.stringify(text)}: the task has no wait branch "${branch}" (or its wait has not ended)`,
            { context: { expression: text, name: branch } },
          );
        }
        const v = w[part];
        return fieldName === null ? v : field(v as Record<string, unknown>, fieldName, 'the value has no field', text);
      };
    }
    case 'process': {
      p.expect('.');
      const partTok = p.peek();
      const part = p.ident();
      if (part !== 'name' && part !== 'instance') {
        throw p.fail(partTok.at, `"process.${part}"`, 'process.name or process.instance');
      }
      return (s) => s.process?.[part] ?? null;
    }
  }
  if (!SOURCES.has(t.text)) {
    throw p.fail(
      t.at,
      `name "${t.text}"`,
      'attr.<name>, payload.<field>, item.<field>, level.<name>, users.<name>, queue.<name>, putters.<name>, getters.<name>, count(<store>), items(<store>), signal.<name>.<part>, wait.<branch>.<part>, process.<part>, registry["<path>"] or t',
    );
  }
  p.expect('.');
  return source(p, t.text, p.ident());
}

// `<source>.<name>`: a field of the entity or the item, or a measure of a holder or a resource.
function source(p: ExpressionParser, src: string, name: string): ExpressionNode {
  const text = p.text;
  switch (src) {
    case 'attr':
      p.refs.attr.add(name);
      return (s) => field(s.attr, name, 'the entity has no attribute', text);
    case 'payload':
      p.refs.payload.add(name);
      return (s) => field(s.payload, name, 'the payload has no field', text);
    case 'item':
      if (!p.inCall) p.refs.item = true;
      return (s) => field(s.item as Record<string, unknown>, name, 'the item has no field', text);
    case 'level':
      p.refs.holders.add(name);
      return (s) => s.world.level(name);
    case 'putters':
      p.refs.holders.add(name);
      return (s) => s.world.putters(name);
    case 'getters':
      p.refs.holders.add(name);
      return (s) => s.world.getters(name);
    case 'users':
      p.refs.resources.add(name);
      return (s) => s.world.users(name);
    default:
      p.refs.resources.add(name);
      return (s) => s.world.queue(name);
  }
}
