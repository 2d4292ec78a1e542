export * from './clock.ts';
export * from './duration.ts';
