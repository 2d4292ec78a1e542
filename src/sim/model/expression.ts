// The model expression language (desflow's, Python's syntax): what a parsed expression is, what it reads, and the
// scope it is evaluated in. The language itself: tokenize-expression.ts (lexer), parse-expression.ts with
// parse-expression-name.ts and parse-store-call.ts (parser), expression-operators.ts and expression-values.ts
// (what the compiled closures compute). Its parser and truth test are re-exported here, so a module using the
// language imports one module.

export { truthy } from './expression-values.ts';
export { parseExpression } from './parse-expression.ts';

/**
 * What an expression's names read while a model runs. `attr` and `payload` are the entity's; the rest is the
 * model's state, looked up by name (the names were checked when the model was validated).
 */
export interface ExpressionScope {
  /** The entity's attributes (`attr.<name>`). */
  attr: Record<string, unknown>;
  /** The payload handed from the task before, or the replayed row (`payload.<field>`). */
  payload: Record<string, unknown>;
  /** The item a store get took, or a filter's candidate (`item.<field>`). */
  item: unknown;
  /** The model's state: levels, resources, stores, signals, the registry and the time. */
  world: ExpressionWorld;
  /** The task's wait branches, once its wait ended (`wait.<branch>.done`, `.ok`, `.value`). */
  waits?: Record<string, WaitBranchOutcome>;
  /** The running task (`process.name`, `process.instance`). */
  process?: { name: string; instance: string };
}

/** What a wait branch did, for `wait.<branch>.done`, `.ok` and `.value`. */
export interface WaitBranchOutcome {
  done: boolean;
  ok: boolean;
  value: unknown;
}

/** The model state expressions read, by name. */
export interface ExpressionWorld {
  now(): number;
  level(name: string): number;
  users(name: string): number;
  queue(name: string): number;
  putters(name: string): number;
  getters(name: string): number;
  storeItems(name: string): readonly unknown[];
  signal(name: string, part: 'count' | 'ok' | 'value'): unknown;
  registry(path: string): unknown;
}

/** The names an expression reads, by source, so a model's validation can check each exists. */
export interface ExpressionReferences {
  attr: Set<string>;
  payload: Set<string>;
  /** Containers and stores read by `level.`, `putters.`, `getters.`. */
  holders: Set<string>;
  /** Resources read by `users.` and `queue.`. */
  resources: Set<string>;
  /** Stores read by `count()` and `items()`. */
  stores: Set<string>;
  signals: Set<string>;
  /** Wait branches read by `wait.<branch>.`. */
  waits: Set<string>;
  registry: Set<string>;
  /** Whether it reads `item.` outside `count()`/`items()` (a store get's item, or a filter's candidate). */
  item: boolean;
}

/** A parsed expression: its text, what it reads, and `evaluate(scope)`. */
export interface Expression {
  readonly text: string;
  readonly references: ExpressionReferences;
  evaluate(scope: ExpressionScope): unknown;
}
