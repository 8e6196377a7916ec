// The math world's public surface: config, PRNG, generator, parser, oracle (checker), wrong-step
// builders, text formats (solver, judge, pretraining, whole-solution score) and datasets.
export * from './config.ts';
export * from './rng.ts';
export * from './graph.ts';
export * from './templates.ts';
export * from './generator.ts';
export * from './parse-output.ts';
export * from './question-parse.ts';
export * from './steps.ts';
export * from './checker.ts';
export * from './mistakes.ts';
export * from './formats.ts';
export * from './judge-format.ts';
export * from './datasets.ts';
